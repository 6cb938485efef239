using System.Diagnostics;
using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>A stored state of the search: its parent and the step that led to it (8 bytes).</summary>
internal readonly record struct SearchNode(int Parent, byte Tid, byte Alt);

/// <summary>What storing a successor did.</summary>
internal enum Stored { New, Seen, OverBound }

/// <summary>
/// The states a breadth-first search has stored: the visited set (fingerprint to node id; ids are
/// given in queue order, so a state is expanded after every smaller id), each node's parent, step
/// and the run's counters. The search makes every storing decision here, in one thread's order,
/// whatever the number of workers. With merge, a stored transition is a step followed by
/// its thread's local steps (<see cref="Semantics.ExecuteMerged"/>); traces list those steps one by one.
/// </summary>
internal sealed class SearchTree(KernelState initial, Bounds bounds, bool merge)
{
    private FingerprintTable seen = new();
    private double secondsBefore; // a resumed search's time before the checkpoint
    private const int NodeBits = 16;
    private readonly SearchNode[]?[] nodes = new SearchNode[]?[1 << 15]; // in chunks: no copy, no slack when it grows
    private int count;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long nextProgress = 1000;

    /// <summary>With merge: a transition that starts with a private step also runs its thread's private steps after it (<see cref="ParallelExplorer.PrivateSteps"/>).</summary>
    public bool MergePrivate { get; init; }

    /// <summary>With merge: a transition also runs its thread's following steps the model marks safe (off: check --por-steps private).</summary>
    public bool MergeSafe { get; init; } = true;

    public long Transitions;
    public int MaxDepth;
    public bool Truncated;

    /// <summary>Stored nodes; the newest has id Count - 1.</summary>
    public int Count => count;

    private SearchNode Node(int id) => nodes[id >> NodeBits]![id & ((1 << NodeBits) - 1)];

    /// <summary>Stores the initial state; a result when it already violates an invariant.</summary>
    public ExploreResult? Root(UInt128 fp, Violation? v)
    {
        seen.TryAdd(fp, 0);
        Store(new SearchNode(-1, 0, 0));
        return v is null ? null : Result(Verdict.Violated, v, [], complete: true);
    }

    /// <summary>A successor of a full expansion (of parent, at depth). Over the state bound it is counted but not stored.</summary>
    public Stored Add(UInt128 fp, int parent, int depth, int tid, int alt)
    {
        if (!seen.TryAdd(fp, count)) return Stored.Seen; // the id it gets just below
        if (seen.Count > bounds.MaxStates)
        {
            Truncated = true;
            return Stored.OverBound;
        }
        Append(parent, depth, tid, alt);
        return Stored.New;
    }

    /// <summary>A step of an ample set; when seen, known is the id of the stored state.</summary>
    public Stored AddLocal(UInt128 fp, int parent, int depth, int tid, int alt, out int known)
    {
        if (seen.Count + 1 > bounds.MaxStates)
        {
            if (seen.TryGetValue(fp, out known)) return Stored.Seen;
            Truncated = true; // unlike Add, a new state over the bound is not counted
            return Stored.OverBound;
        }
        if (!seen.TryAdd(fp, count, out known)) return Stored.Seen; // the id it gets just below
        Append(parent, depth, tid, alt);
        return Stored.New;
    }

    private void Append(int parent, int depth, int tid, int alt)
    {
        Store(new SearchNode(parent, (byte)tid, (byte)alt));
        MaxDepth = Math.Max(MaxDepth, depth + 1);
    }

    private void Store(SearchNode node)
    {
        (nodes[count >> NodeBits] ??= new SearchNode[1 << NodeBits])[count & ((1 << NodeBits) - 1)] = node;
        count++;
    }

    /// <summary>The step (tid, alt) from parent (at depth) broke an invariant: the trace ends with it.</summary>
    public ExploreResult Violated(Violation v, int parent, int depth, int tid, int alt)
    {
        Append(parent, depth, tid, alt);
        // the local steps merged after the violating step are invisible to invariants: the trace ends before them
        return Result(Verdict.Violated, v, Path(count - 1, mergeLast: false), complete: false);
    }

    /// <summary>The stored state id broke an invariant where no step is enabled.</summary>
    public ExploreResult Stuck(Violation v, int id) => Result(Verdict.Violated, v, Path(id), complete: false);

    public ExploreResult Finish() => Result(Truncated ? Verdict.Incomplete : Verdict.Holds, null, [], complete: !Truncated);

    /// <summary>Calls progress about once a second; expanded is the number of states already expanded.</summary>
    public void Report(Action<SearchProgress>? progress, int depth, long expanded)
    {
        if (progress is null || clock.ElapsedMilliseconds < nextProgress) return;
        nextProgress = clock.ElapsedMilliseconds + 1000;
        progress(new SearchProgress(seen.Count, Transitions, Math.Max(0, Count - expanded), depth, Seconds));
    }

    private double Seconds => secondsBefore + clock.Elapsed.TotalSeconds;

    private ExploreResult Result(Verdict verdict, Violation? v, IReadOnlyList<Choice> trace, bool complete) =>
        new(verdict, v, trace, seen.Count, Transitions, MaxDepth, Seconds, complete);

    /// <summary>The tree for a checkpoint: counters, the visited set, every node.</summary>
    public void Write(BinaryWriter w)
    {
        w.Write(Transitions);
        w.Write(MaxDepth);
        w.Write(Truncated);
        w.Write(Seconds);
        seen.Write(w);
        w.Write(count);
        for (int id = 0; id < count; id++)
        {
            var n = Node(id);
            w.Write(n.Parent);
            w.Write(n.Tid);
            w.Write(n.Alt);
        }
    }

    /// <summary>The tree a checkpoint wrote.</summary>
    public static SearchTree Read(BinaryReader r, KernelState initial, Bounds bounds, bool merge, bool mergePrivate, bool mergeSafe)
    {
        var t = new SearchTree(initial, bounds, merge)
        {
            MergePrivate = mergePrivate,
            MergeSafe = mergeSafe,
            Transitions = r.ReadInt64(),
            MaxDepth = r.ReadInt32(),
            Truncated = r.ReadBoolean(),
        };
        t.secondsBefore = r.ReadDouble();
        t.seen = FingerprintTable.Read(r);
        int n = r.ReadInt32();
        if (n < 1 || n < t.seen.Count - 1) throw new InvalidDataException($"{n} nodes for {t.seen.Count} fingerprints");
        for (int id = 0; id < n; id++)
        {
            int parent = r.ReadInt32();
            byte tid = r.ReadByte(), alt = r.ReadByte();
            if (parent >= id || (parent < 0 && id > 0)) throw new InvalidDataException($"node {id} has parent {parent}");
            t.Store(new SearchNode(parent, tid, alt));
        }
        return t;
    }

    /// <summary>Rebuilds the choices from the root to node id, naming each step's function.</summary>
    private List<Choice> Path(int id, bool mergeLast = true)
    {
        var rev = new List<(int Tid, int Alt)>();
        for (int n = id; Node(n).Parent >= 0; n = Node(n).Parent) rev.Add((Node(n).Tid, Node(n).Alt));
        rev.Reverse();
        var choices = new List<Choice>(rev.Count);
        var merged = new List<string>();
        var s = initial;
        for (int i = 0; i < rev.Count; i++)
        {
            var (tid, alt) = rev[i];
            merged.Clear();
            s = merge && (mergeLast || i < rev.Count - 1)
                ? Semantics.ExecuteMerged(s, tid, alt, out var ctx, out var step, merged, mergePrivate: MergePrivate, mergeSafe: MergeSafe)
                : Semantics.Execute(s, tid, alt, out ctx, out step);
            string thread = s.Machine.Threads[tid].Name;
            choices.Add(new Choice(thread, alt, ctx.Function ?? step.Function));
            foreach (var local in merged) choices.Add(new Choice(thread, 0, local));
        }
        return choices;
    }
}
