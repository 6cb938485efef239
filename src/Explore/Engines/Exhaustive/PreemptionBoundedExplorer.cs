using System.Diagnostics;
using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>
/// The exhaustive search of every schedule with at most K preemptions (iterative context bounding,
/// as in CHESS): a preemption is a step by another thread while the thread that took the last step
/// could still take one; switching away from a thread that blocked or finished is free. Most races
/// need few preemptions (in the catalog, 34 of the 48 violating rows need none and every one at most
/// three), and for a fixed K the schedules grow polynomially with the number of steps, not
/// exponentially, so a scenario too large for the full search (scale-3) is searched completely up to K. A state is
/// stored once per last-running thread, at the fewest preemptions that reach it: the levels are
/// searched in order, each breadth-first, so a violation's trace has the fewest preemptions, then
/// the fewest steps among those. Sequential, without partial-order or symmetry reduction (a
/// reordering can turn a free switch into a preemption).
/// </summary>
public sealed class PreemptionBoundedExplorer(InvariantSet invariants, Bounds bounds, int preemptions)
{
    private readonly record struct Node(int Parent, byte Tid, byte Alt, int Level, int Depth);

    /// <summary>Kernel states reached (not told apart by which thread ran last), after <see cref="Run"/>.</summary>
    public long DistinctStates { get; private set; }

    /// <summary>Bytes of heap the search may use; past it, it stops with a partial result (<see cref="StoppedByMemory"/>).</summary>
    public long MaxMemory { get; init; } = ParallelExplorer.DefaultMaxMemory;

    public bool StoppedByMemory { get; private set; }

    /// <summary>The fewest preemptions of the schedule that reached the violation, after <see cref="Run"/>.</summary>
    public int? ViolationPreemptions { get; private set; }

    public ExploreResult Run(KernelState initial)
    {
        var clock = Stopwatch.StartNew();
        var fp = new Fingerprinter();
        var nodes = new List<Node>();
        var encoded = new List<byte[]?>();
        var index = new Dictionary<UInt128, int>();
        var distinct = new HashSet<UInt128>();
        var levels = Enumerable.Range(0, preemptions + 1).Select(_ => new Queue<int>()).ToArray();
        var expanded = new List<bool>();
        var enabled = new List<(int Tid, int Alt)>();
        long transitions = 0;
        int maxDepth = 0;
        bool truncated = false;

        void Add(KernelState s, UInt128 state, int parent, int tid, int alt, int level, int depth)
        {
            var key = Key(state, tid);
            if (index.TryGetValue(key, out int id))
            {
                if (nodes[id].Level <= level) return;
                nodes[id] = new Node(parent, (byte)tid, (byte)alt, level, depth); // fewer preemptions reach it: expanded from this level
                levels[level].Enqueue(id);
                return;
            }
            id = nodes.Count;
            nodes.Add(new Node(parent, (byte)tid, (byte)alt, level, depth));
            encoded.Add(s.EncodeToArray());
            expanded.Add(false);
            index[key] = id;
            distinct.Add(state);
            levels[level].Enqueue(id);
        }

        ExploreResult Done(Verdict verdict, Violation? v, IReadOnlyList<Choice> trace, bool complete)
        {
            DistinctStates = distinct.Count;
            return new(verdict, v, trace, nodes.Count, transitions, maxDepth, clock.Elapsed.TotalSeconds, complete);
        }

        Add(initial, fp.Of(initial), -1, 255, 0, 0, 0);
        if (invariants.AfterStep(initial, []) is { } atStart) return Done(Verdict.Violated, atStart, [], true);
        // a violation one preemption up, met while this level is searched: reported once this level holds none
        var pending = new (Violation V, int At, (int Tid, int Alt) Last, int Level)?[preemptions + 2];
        for (int level = 0; level <= preemptions; level++)
        {
            if (pending[level] is { } earlier) return Violated(earlier.V, earlier.At, earlier.Last, earlier.Level);
            while (levels[level].TryDequeue(out int id))
            {
                var node = nodes[id];
                if (node.Level != level || expanded[id]) continue;
                expanded[id] = true;
                var s = StateDecoder.Decode(initial.Machine, encoded[id]);
                encoded[id] = null;
                Semantics.Enabled(s, enabled, findSafe: false);
                if (enabled.Count == 0)
                {
                    if (invariants.AtQuiescence(s) is { } q) return Violated(q, id, null, level);
                    continue;
                }
                if (node.Depth >= bounds.MaxDepth)
                {
                    truncated = true;
                    continue;
                }
                int last = node.Parent < 0 ? -1 : node.Tid;
                bool lastCanGoOn = false;
                foreach (var (tid, _) in enabled) lastCanGoOn |= tid == last;
                foreach (var (tid, alt) in enabled.ToArray())
                {
                    int next = level + (lastCanGoOn && tid != last ? 1 : 0);
                    if (next > preemptions) continue;
                    var succ = Semantics.Execute(s, tid, alt, out var ctx, out _);
                    transitions++;
                    if (invariants.AfterStep(succ, ctx.Events) is { } v)
                    {
                        if (next == level) return Violated(v, id, (tid, alt), next);
                        pending[next] ??= (v, id, (tid, alt), next);
                        continue;
                    }
                    if (nodes.Count >= bounds.MaxStates || ((nodes.Count & 0xFFFF) == 0 && (StoppedByMemory = GC.GetTotalMemory(false) > MaxMemory)))
                    {
                        foreach (var p in pending)
                            if (p is { } found) return Violated(found.V, found.At, found.Last, found.Level); // a real violation, if not the fewest preemptions
                        return Done(Verdict.Incomplete, null, [], false);
                    }
                    maxDepth = Math.Max(maxDepth, node.Depth + 1);
                    Add(succ, fp.Of(succ), id, tid, alt, next, node.Depth + 1);
                }
            }
        }
        return Done(truncated ? Verdict.Incomplete : Verdict.Holds, null, [], !truncated);

        // at: the node the violation was met from; last: the step from it that broke an invariant
        // (none at quiescence); preempted: the preemptions of the schedule that reached it
        ExploreResult Violated(Violation v, int at, (int Tid, int Alt)? last, int preempted)
        {
            var path = new List<(int Tid, int Alt)>();
            for (int n = at; nodes[n].Parent >= 0; n = nodes[n].Parent) path.Add((nodes[n].Tid, nodes[n].Alt));
            path.Reverse();
            if (last is { } l) path.Add(l);
            ViolationPreemptions = preempted;
            return Done(Verdict.Violated, v, Choices(initial, path), false);
        }
    }

    /// <summary>The state fingerprint with the thread that ran last mixed in.</summary>
    private static UInt128 Key(UInt128 state, int lastTid) =>
        state ^ ((UInt128)((ulong)(lastTid + 1) * 0x9E3779B97F4A7C15UL) << 64);

    /// <summary>The choices of a path, each step's function named as it runs.</summary>
    private static List<Choice> Choices(KernelState initial, List<(int Tid, int Alt)> path)
    {
        var choices = new List<Choice>(path.Count);
        var s = initial;
        foreach (var (tid, alt) in path)
        {
            s = Semantics.Execute(s, tid, alt, out var ctx, out var step);
            choices.Add(new Choice(s.Machine.Threads[tid].Name, alt, ctx.Function ?? step.Function));
        }
        return choices;
    }
}
