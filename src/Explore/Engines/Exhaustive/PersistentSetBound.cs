using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>What <see cref="PersistentSetBound.Measure"/> found.</summary>
/// <param name="FullStates">States of the unreduced search the futures were learned from.</param>
/// <param name="Learned">Whether that search was complete (otherwise there is no bound).</param>
/// <param name="BoundStates">States of the search with stubborn sets on the learned futures.</param>
/// <param name="Reduced">States of it expanded by a stubborn set smaller than every enabled step.</param>
/// <param name="Violation">The first violation the bound search met, as the reduced search would report it.</param>
/// <param name="Refusals">Why the stubborn set grown from an enabled thread was refused, per thread tried in a state left fully expanded: it takes in every enabled thread, else a step in it emits an event, else one writes what an invariant reads, else the cycle proviso.</param>
/// <param name="InvariantReads">What the invariants read after a step (the visible components).</param>
/// <param name="BlindStates">States of the same search with no step visible (what the invariants read and the events ignored): sound for deadlocks only, a measure of what the invariants cost.</param>
public sealed record ReductionBound(long FullStates, bool Learned, long BoundStates, long Reduced, Violation? Violation,
    IReadOnlyDictionary<string, long> Refusals, UInt128 InvariantReads, long BlindStates);

/// <summary>
/// How far partial-order reduction by persistent sets could go on a scenario, measured: the
/// unreduced search runs first and learns every thread's future footprint from each of its
/// program positions (<see cref="ThreadFutures"/>); a second breadth-first search then expands,
/// in each state, the smallest stubborn set it can close over those futures (the threads whose
/// current or later steps conflict with a chosen step join it, leaving out later steps tied to a lock
/// the set holds and threads blocked with no outside thread to wake them; a blocked thread that
/// joins brings the threads that can write what its guard reads), provided every step in it is invisible (no
/// event, writes nothing an invariant reads) and it keeps the cycle proviso. No search can know a
/// thread's future before it has run, so this is an upper bound on what a persistent-set reduction
/// with the recorded footprints can remove, not a reduction to use; it is sound for the scenario
/// measured, so its verdict must be the unreduced one. Without symmetry, sequential.
/// </summary>
public static class PersistentSetBound
{
    public const string Event = "a step emits an event", Visible = "a step writes what an invariant reads", Everyone = "the set takes in every enabled thread",
        Proviso = "a successor was already expanded (cycle proviso)";

    private sealed record Successor(int Tid, Footprint F, KernelState Next, StepContext Ctx);

    /// <summary>
    /// Learns the futures (into futures when given, to inspect them) and runs the bound search with and
    /// without visibility; lockAware false keeps other threads' steps tied to a lock the set holds (to
    /// measure what leaving them out adds).
    /// </summary>
    public static ReductionBound Measure(KernelState initial, InvariantSet invariants, int maxStates, ThreadFutures? futures = null, bool lockAware = true)
    {
        futures ??= new ThreadFutures(initial);
        var (full, learned, invariantReads) = Learn(initial, invariants, futures, maxStates);
        var refusals = new Dictionary<string, long> { [Everyone] = 0, [Event] = 0, [Visible] = 0, [Proviso] = 0 };
        if (!learned) return new(full, false, 0, 0, null, refusals, invariantReads, 0);
        var (states, reduced, violation) = Search(initial, invariants, futures, invariantReads, refusals, lockAware);
        var (blind, _, _) = Search(initial, null, futures, UInt128.Zero, new Dictionary<string, long>(refusals), lockAware);
        return new(full, true, states, reduced, violation, refusals, invariantReads, blind);
    }

    /// <summary>The search with stubborn sets; invariants null: every step invisible, nothing checked.</summary>
    private static (long States, long Reduced, Violation? Violation) Search(KernelState initial, InvariantSet? invariants, ThreadFutures futures,
        UInt128 visible, Dictionary<string, long> refusals, bool lockAware)
    {
        var fp = new Fingerprinter();
        var seen = new HashSet<UInt128> { fp.Of(initial) };
        var queued = new HashSet<UInt128>(seen);
        var queue = new Queue<KernelState>([initial]);
        long states = 0, reduced = 0;
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            queued.Remove(fp.Of(s));
            states++;
            var steps = Run(s);
            if (steps.Count == 0)
            {
                if (invariants?.AtQuiescence(s) is { } q) return (states, reduced, q);
                continue;
            }
            var chosen = Smallest(s, steps, futures, visible, invariants is not null, lockAware, refusals, h => !seen.Contains(h) || queued.Contains(h), fp);
            if (chosen is not null) reduced++;
            foreach (var x in chosen ?? steps)
            {
                if (invariants?.AfterStep(x.Next, x.Ctx.Events) is { } v) return (states, reduced, v);
                var h = fp.Of(x.Next);
                if (seen.Add(h))
                {
                    queued.Add(h);
                    queue.Enqueue(x.Next);
                }
            }
        }
        return (states, reduced, null);
    }

    /// <summary>The unreduced search, invariants not checked (the futures past a violation count too): its states, whether complete, what the invariants read.</summary>
    private static (long States, bool Complete, UInt128 InvariantReads) Learn(KernelState initial, InvariantSet invariants, ThreadFutures futures, int maxStates)
    {
        var fp = new Fingerprinter();
        var seen = new HashSet<UInt128> { fp.Of(initial) };
        var queue = new Queue<KernelState>([initial]);
        var reads = UInt128.Zero;
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            reads |= Semantics.FootprintOf(s, st => invariants.AfterStep(st, []), 0).Reads;
            for (int t = 0; t < s.Threads.Length; t++)
            {
                if (Semantics.Status(s, t, out _, out _) == ThreadStatus.Enabled)
                {
                    int alternatives = Semantics.Alternatives(s, t);
                    for (int alt = 0; alt < alternatives; alt++)
                    {
                        var f = new Footprint();
                        var next = Semantics.Execute(s, t, alt, out _, out _, f);
                        futures.Learn(s, t, f, next);
                        if (seen.Add(fp.Of(next)))
                        {
                            if (seen.Count > maxStates) return (seen.Count, false, reads);
                            queue.Enqueue(next);
                        }
                    }
                }
                else futures.LearnBlocked(s, t, GuardReads(s, t));
            }
        }
        return (seen.Count, true, reads);
    }

    private static Footprint GuardReads(KernelState s, int tid) =>
        Semantics.FootprintOf(s, st => Semantics.Status(st, tid, out _, out _), tid);

    private static List<Successor> Run(KernelState s)
    {
        var enabled = new List<(int Tid, int Alt)>();
        Semantics.Enabled(s, enabled, findSafe: false);
        var steps = new List<Successor>(enabled.Count);
        foreach (var (tid, alt) in enabled)
        {
            var f = new Footprint();
            var next = Semantics.Execute(s, tid, alt, out var ctx, out _, f);
            steps.Add(new(tid, f, next, ctx));
        }
        return steps;
    }

    /// <summary>The smallest stubborn set over the learned futures that is invisible, smaller than steps and keeps the proviso; null if none.</summary>
    private static List<Successor>? Smallest(KernelState s, List<Successor> steps, ThreadFutures futures, UInt128 visible, bool events, bool lockAware,
        Dictionary<string, long> refusals, Func<UInt128, bool> newOrQueued, Fingerprinter fp)
    {
        var enabledThreads = steps.Select(x => x.Tid).Distinct().ToArray();
        List<Successor>? best = null;
        var why = new List<string>();
        foreach (int seed in enabledThreads)
        {
            var set = Close(s, seed, steps, futures, lockAware);
            var members = steps.Where(x => set.Contains(x.Tid)).ToList();
            string? refusal = enabledThreads.All(set.Contains) ? Everyone
                : events && members.Any(x => x.F.Events) ? Event
                : members.Any(x => (x.F.Writes & visible) != UInt128.Zero) ? Visible
                : null;
            if (refusal is null && !members.All(x => newOrQueued(fp.Of(x.Next)))) refusal = Proviso;
            if (refusal is not null) why.Add(refusal);
            else if (best is null || members.Count < best.Count) best = members;
        }
        if (best is null)
            foreach (var r in why) refusals[r]++;
        return best;
    }

    /// <summary>
    /// The threads a stubborn set grown from seed's steps must hold: every thread one of whose steps
    /// now or later conflicts with a step of the set joins it, and for a blocked thread in the set, the
    /// threads that can write what its guard reads. A later step of an outside thread that holds a
    /// lock the set's threads hold (in a mode the two cannot share) at its start or end cannot run
    /// before the set does, unless an outside thread can release that lock for its holder: such
    /// steps do not count (when lockAware). Nor does an outside thread that is blocked and that no
    /// other outside thread can wake (write what its guard reads). The closure is recomputed as the
    /// set grows: its locks only grow and the outside threads only shrink, so conflicts only vanish.
    /// </summary>
    private static HashSet<int> Close(KernelState s, int seed, List<Successor> steps, ThreadFutures futures, bool lockAware)
    {
        int threads = s.Threads.Length;
        var set = new HashSet<int> { seed };
        var guards = new UInt128?[threads];
        for (bool grew = true; grew;)
        {
            grew = false;
            ulong held = 0, releasable = 0;
            for (int t = 0; t < threads; t++)
                if (set.Contains(t)) held |= ThreadFutures.Held(s, t);
                else releasable |= futures.ReleasesForOthers(s, t);
            ulong pinned = lockAware ? ThreadFutures.Excluded(held & ~releasable) : 0;
            // an outside thread that is blocked, and that no other outside thread can enable, takes no step before the set does
            var stuck = new bool[threads];
            for (int j = 0; j < threads; j++)
            {
                if (set.Contains(j) || steps.Any(x => x.Tid == j)) continue;
                var reads = guards[j] ??= GuardReads(s, j).Reads;
                stuck[j] = true;
                for (int k = 0; k < threads && stuck[j]; k++)
                    if (k != j && !set.Contains(k) && (futures.Written(s, k, pinned) & reads) != UInt128.Zero) stuck[j] = false;
            }
            foreach (int k in set.ToArray())
            {
                bool enabled = false;
                foreach (var x in steps)
                {
                    if (x.Tid != k) continue;
                    enabled = true;
                    for (int j = 0; j < threads; j++)
                        if (!set.Contains(j) && !stuck[j] && Conflicts(s, x.F, j, futures, pinned))
                        {
                            set.Add(j);
                            grew = true;
                        }
                }
                if (enabled) continue;
                // a blocked thread in the set: the threads that can enable it join (a necessary enabling set)
                var guard = guards[k] ??= GuardReads(s, k).Reads;
                for (int j = 0; j < threads; j++)
                    if (!set.Contains(j) && (futures.Written(s, j, pinned) & guard) != UInt128.Zero)
                    {
                        set.Add(j);
                        grew = true;
                    }
            }
        }
        return set;
    }

    /// <summary>Whether step f conflicts with something thread j can do from its position in s on, while the pinned locks stay held by the set.</summary>
    private static bool Conflicts(KernelState s, Footprint f, int j, ThreadFutures futures, ulong pinned) =>
        (f.Writes & futures.Touched(s, j, pinned)) != UInt128.Zero || (f.Reads & futures.Written(s, j, pinned)) != UInt128.Zero;
}
