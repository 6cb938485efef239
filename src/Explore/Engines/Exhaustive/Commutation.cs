using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>What <see cref="Commutation.Check"/> saw: pairs of co-enabled steps of different threads, and how many were judged independent or private.</summary>
public readonly record struct CommutationStats(int States, long Pairs, long Independent, long Private);

/// <summary>
/// The soundness check of automatic independence (<see cref="Footprint"/>): breadth-first over the
/// unreduced transitions from a state, up to a bound, and in each state, for every pair of enabled
/// steps of different threads that the recorded footprints judge independent, or of which one is
/// private: each leaves the other enabled with the same alternatives and the same footprint (so a
/// private step stays private), and both orders reach the same state. A read or write that
/// bypasses the recording accessors shows up as a pair that fails this; the exception names it.
/// </summary>
public static class Commutation
{
    public static CommutationStats Check(KernelState initial, int maxStates)
    {
        var fingerprint = new Fingerprinter();
        var seen = new HashSet<UInt128> { fingerprint.Of(initial) };
        var queue = new Queue<KernelState>([initial]);
        var enabled = new List<(int Tid, int Alt)>();
        long pairs = 0, independent = 0, isPrivate = 0;
        int states = 0;
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            states++;
            Semantics.Enabled(s, enabled, findSafe: false);
            var steps = enabled.ToArray();
            var next = new KernelState[steps.Length];
            var fps = new Footprint[steps.Length];
            for (int i = 0; i < steps.Length; i++)
            {
                fps[i] = new Footprint();
                next[i] = Semantics.Execute(s, steps[i].Tid, steps[i].Alt, out _, out _, fps[i]);
                if (seen.Count < maxStates && seen.Add(fingerprint.Of(next[i]))) queue.Enqueue(next[i]);
            }
            for (int i = 0; i < steps.Length; i++)
                for (int j = i + 1; j < steps.Length; j++)
                {
                    if (steps[i].Tid == steps[j].Tid) continue;
                    pairs++;
                    bool priv = fps[i].Private || fps[j].Private;
                    if (priv) isPrivate++;
                    if (!Footprint.Independent(fps[i], fps[j]) && !priv) continue;
                    independent++;
                    Commute(s, steps[i], fps[i], next[i], steps[j], fps[j], next[j]);
                }
        }
        return new CommutationStats(states, pairs, independent, isPrivate);
    }

    private static void Commute(KernelState s, (int Tid, int Alt) a, Footprint fa, KernelState sa, (int Tid, int Alt) b, Footprint fb, KernelState sb)
    {
        string Where() => $"{Name(s, a)} [{fa}] and {Name(s, b)} [{fb}]";
        if (Semantics.Alternatives(sa, b.Tid) != Semantics.Alternatives(s, b.Tid)) throw new InvalidOperationException($"{Where()}: the first changes the second's alternatives");
        if (Semantics.Alternatives(sb, a.Tid) != Semantics.Alternatives(s, a.Tid)) throw new InvalidOperationException($"{Where()}: the second changes the first's alternatives");
        var fab = new Footprint();
        var ab = Semantics.Execute(sa, b.Tid, b.Alt, out _, out _, fab);
        var fba = new Footprint();
        var ba = Semantics.Execute(sb, a.Tid, a.Alt, out _, out _, fba);
        if (fab.Reads != fb.Reads || fab.Writes != fb.Writes) throw new InvalidOperationException($"{Where()}: after the first, the second touches {fab}");
        if (fba.Reads != fa.Reads || fba.Writes != fa.Writes) throw new InvalidOperationException($"{Where()}: after the second, the first touches {fba}");
        if (!ab.EncodeToArray().AsSpan().SequenceEqual(ba.EncodeToArray())) throw new InvalidOperationException($"{Where()}: the two orders reach different states");
    }

    private static string Name(KernelState s, (int Tid, int Alt) x)
    {
        Semantics.Status(s, x.Tid, out int pc, out _);
        var program = s.Machine.Threads[x.Tid].Program;
        return $"{s.Machine.Threads[x.Tid].Name}:{(pc < program.Length ? program[pc].Function : "end")}/{x.Alt}";
    }
}
