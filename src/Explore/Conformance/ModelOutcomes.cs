using System.IO.Hashing;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Conformance;

/// <summary>
/// Every final outcome the model allows for a scenario: a depth-first walk of all interleavings,
/// memoised per state (a state's set of reachable outcomes, with the reads still to come), so each
/// state is expanded once. Outcomes of executions that end with a user thread blocked are kept,
/// marked "blocked".
/// </summary>
public sealed class ModelOutcomes
{
    private readonly Dictionary<UInt128, List<Suffix>> memo = [];
    private readonly HashSet<UInt128> onStack = [];
    private readonly int maxStates;
    private byte[] buffer = new byte[512];

    /// <summary>The reads from a state on, and how the run ends.</summary>
    private sealed record Suffix(IReadOnlyList<(string Key, int Unit, byte Tag)> Reads, string Final)
    {
        public string Id { get; } = Outcome.Of(Reads, Final).ToString();
    }

    private ModelOutcomes(int maxStates) => this.maxStates = maxStates;

    public bool Complete { get; private set; } = true;

    public int States => memo.Count;

    public static (IReadOnlySet<Outcome> Outcomes, bool Complete, int States) Enumerate(ScenarioSpec spec, Variant variant, int maxStates = 2_000_000)
    {
        var walker = new ModelOutcomes(maxStates);
        var initial = MachineBuilder.Build(spec, variant);
        var all = walker.From(initial);
        return (all.Select(x => Outcome.Of(x.Reads, x.Final)).ToHashSet(), walker.Complete, walker.States);
    }

    private UInt128 Fingerprint(KernelState s)
    {
        var e = new Encoder(buffer);
        s.Encode(ref e);
        buffer = e.Buffer;
        return XxHash128.HashToUInt128(e.Written);
    }

    private List<Suffix> From(KernelState s)
    {
        var fp = Fingerprint(s);
        if (memo.TryGetValue(fp, out var known)) return known;
        if (!onStack.Add(fp)) return []; // a cycle: what it reaches is reached from here anyway
        var enabled = new List<(int Tid, int Alt)>();
        Semantics.Enabled(s, enabled, findSafe: false);
        var result = new List<Suffix>();
        var seen = new HashSet<string>();
        if (enabled.Count == 0)
        {
            var end = new Suffix([], FinalOf(s));
            result.Add(end);
        }
        else if (memo.Count >= maxStates)
        {
            Complete = false;
        }
        else
        {
            foreach (var (tid, alt) in enabled)
            {
                var info = s.Machine.Threads[tid];
                Semantics.Status(s, tid, out int pc, out _);
                int op = Array.FindIndex(info.Ops, o => pc >= o.Start && pc < o.End);
                var next = Semantics.Execute(s, tid, alt, out var ctx, out _);
                var prefix = ctx.Events.OfType<ReadReturned>().Select(r => ($"{info.Name}.{op + 1}", r.Unit, r.Tag)).ToList();
                foreach (var suffix in From(next))
                {
                    var joined = prefix.Count == 0 ? suffix : new Suffix([.. prefix, .. suffix.Reads], suffix.Final);
                    if (seen.Add(joined.Id)) result.Add(joined);
                }
            }
        }
        onStack.Remove(fp);
        memo[fp] = result;
        return result;
    }

    /// <summary>The final size and contents, as a read at the end would return them.</summary>
    private static string FinalOf(KernelState s)
    {
        var g = s.Geo;
        bool blocked = Enumerable.Range(0, s.Threads.Length)
            .Any(t => s.Machine.Threads[t].Kind == ThreadKind.User && Semantics.Status(s, t, out _, out _) != ThreadStatus.Finished);
        var content = new List<byte>();
        for (int u = 0; u < s.Inode.ISize; u++)
        {
            var f = s.Folios[g.FolioOfUnit(u)];
            content.Add(f.Present && (f.UptodateMask & g.BlockBit(g.BlockOfUnit(u))) != 0 ? s.CacheData[u]
                : s.Extents[g.BlockOfUnit(u)] == ExtentType.Written ? s.Disk[u] : DataTag.Zero);
        }
        string final = Outcome.FinalOf((long)s.Inode.ISize * g.UnitBytes, content, b => g.Bytes((int)(b / g.UnitBytes)));
        return blocked ? final + " (a thread blocked)" : final;
    }
}
