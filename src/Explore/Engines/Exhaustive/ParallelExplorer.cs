using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>
/// The breadth-first search of <see cref="ExhaustiveExplorer"/> with its expansion spread over
/// worker threads. Workers take queued states in id order, decode them, run every enabled step,
/// check the invariants and fingerprint the successors; one merger (the calling thread) consumes
/// those expansions strictly in id order and alone owns the fingerprint table, the node list and
/// the queue. The merger counts as one of the workers: while the expansion it needs next is not
/// ready, it claims and expands queued states itself. Every decision the sequential search makes
/// is made by the merger in the same order, so the result (states, transitions, the first
/// violation and its trace) is the same for any number of workers, whatever the timing.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Run disposes the frontier it creates; an explorer runs once")]
public sealed partial class ParallelExplorer(InvariantSet invariants, Bounds bounds, int workers)
{
    public Action<SearchProgress>? Progress { get; init; }

    public bool PartialOrder { get; init; } = true;

    /// <summary>
    /// Symmetry reduction: states are told apart by the canonical member of their orbit under the
    /// machine's interchangeable threads (<see cref="KernelState.Canonical"/>); the state actually
    /// reached is what is kept and expanded, so traces are real paths. Off: --no-symmetry.
    /// </summary>
    public bool Symmetry { get; init; } = true;

    [ThreadStatic]
    private static Fingerprinter? canonicalFp;

    /// <summary>The visited-set key of s, whose own encoding fp has just made: its orbit's canonical member's when symmetry applies.</summary>
    private UInt128 Key(KernelState s, UInt128 own)
    {
        if (!Symmetry || s.Machine.SymmetryClasses.Count == 0) return own;
        var canon = s.Canonical();
        return ReferenceEquals(canon, s) ? own : (canonicalFp ??= new Fingerprinter()).Of(canon);
    }

    /// <summary>Memory for queued states; beyond it, queued states the search needs later wait in a temporary file.</summary>
    public long FrontierMemory { get; init; } = 1L << 30;

    /// <summary>How many ids workers may run ahead of the merger (and the frontier keeps in memory past it).</summary>
    public int Window { get; init; } = 1 << 15;

    /// <summary>The frontier's block size as a power of two (tests use small blocks to make it spill).</summary>
    public int FrontierBlockBits { get; init; } = 20;

    /// <summary>Called with every state the search expands (by the thread expanding it); for tests.</summary>
    public Action<KernelState>? Visit { get; init; }

    /// <summary>
    /// The managed heap the search may use; past it the search stops with an incomplete result
    /// (<see cref="StoppedByMemory"/>) instead of being killed by the kernel with nothing.
    /// Default: 80 % of the memory the runtime may use (the machine's, or its cgroup's limit).
    /// </summary>
    public long MaxMemory { get; init; } = DefaultMaxMemory;

    public static long DefaultMaxMemory => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 5 * 4;

    /// <summary>After a run: the search stopped at <see cref="MaxMemory"/>.</summary>
    public bool StoppedByMemory { get; private set; }

    /// <summary>After a run: how many frontier blocks went to the spill file.</summary>
    public int SpilledBlocks { get; private set; }

    /// <summary>One transition: with reduction on, the step with its thread's local steps merged after it.</summary>
    private KernelState Execute(KernelState s, int tid, int alt, out StepContext ctx, Footprint? record = null) =>
        PartialOrder ? Semantics.ExecuteMerged(s, tid, alt, out ctx, out _, record: record, mergePrivate: PrivateSteps, mergeSafe: SafeSteps) : Semantics.Execute(s, tid, alt, out ctx, out _, record);

    private const int ChunkBits = 16;
    private const int Chunk = 1 << ChunkBits;

    /// <summary>A successor as a worker saw it: its encoding is Length bytes at Offset of the expansion's bytes.</summary>
    private readonly record struct Succ(byte Tid, byte Alt, UInt128 Fp, int Offset, int Length, Violation? Violation);

    /// <summary>The expansion of one queued state; recycled through a pool once merged.</summary>
    private sealed class Expansion
    {
        public Violation? Quiescent;
        public bool Terminal;   // no step enabled
        public bool AtBound;    // depth bound reached
        public bool Local;      // Succs holds the ample set: every alternative of one thread's local step
        public Succ[] Succs = new Succ[8];
        public int Count;
        private byte[] bytes = new byte[1024];
        private int used;

        public ReadOnlySpan<Succ> All => Succs.AsSpan(0, Count);

        public ReadOnlySpan<byte> Encoding(in Succ s) => bytes.AsSpan(s.Offset, s.Length);

        public void Reset()
        {
            Quiescent = null;
            Terminal = AtBound = Local = false;
            Count = used = 0;
        }

        public void Add(int tid, int alt, UInt128 fp, ReadOnlySpan<byte> encoding, Violation? v)
        {
            if (Count == Succs.Length) Array.Resize(ref Succs, Count * 2);
            if (used + encoding.Length > bytes.Length) Array.Resize(ref bytes, Math.Max(bytes.Length * 2, used + encoding.Length));
            encoding.CopyTo(bytes.AsSpan(used));
            Succs[Count++] = new Succ((byte)tid, (byte)alt, fp, used, encoding.Length, v);
            used += encoding.Length;
        }
    }

    private StateStore store = null!; // the queued states' encodings, by id
    // depths and results by node id, in chunks so that readers never see a moved array
    private readonly int[][] depths = new int[1 << 15][];
    private readonly Expansion?[][] results = new Expansion?[1 << 15][];
    private readonly ConcurrentQueue<Expansion> pool = new();

    /// <summary>A counter alone on its cache line, so that updating one does not slow the readers of another.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Padded
    {
        [FieldOffset(64)]
        public int Value;
    }

    private Padded published;  // ids below this are queued
    private Padded claimed;    // ids below this are taken by a worker
    private Padded merged;     // ids below this are consumed by the merger
    private volatile bool stop;
    private volatile Exception? failure;
    private bool overBound; // the merger stopped at the state bound

    public ExploreResult Run(KernelState initial)
    {
        if (published.Value != 0) throw new InvalidOperationException("a ParallelExplorer runs once");
        using var frontier = store = new StateStore(FrontierMemory, Window, FrontierBlockBits); // deletes its spill file
        var fp = new Fingerprinter();
        SearchTree tree;
        int start = 0;
        if (Resume) (tree, start) = ReadCheckpoint(initial);
        else
        {
            tree = new SearchTree(initial, bounds, merge: PartialOrder) { MergePrivate = PartialOrder && PrivateSteps, MergeSafe = SafeSteps };
            if (tree.Root(Key(initial, fp.Of(initial)), invariants.AfterStep(initial, [])) is { } atRoot) return atRoot;
            Publish(0, fp.Last, 0);
        }
        claimed.Value = merged.Value = start;
        var sinceCheckpoint = System.Diagnostics.Stopwatch.StartNew();

        var threads = new Thread[Math.Max(0, workers - 1)]; // the merger is the last worker
        for (int w = 0; w < threads.Length; w++)
        {
            threads[w] = new Thread(() => Work(initial.Machine)) { IsBackground = true, Name = $"explore-{w}" };
            threads[w].Start();
        }
        try
        {
            var spin = new SpinWait();
            var helpFp = new Fingerprinter();
            var helpEnabled = new List<(int Tid, int Alt)>();
            for (int id = start; id < tree.Count; id++)
            {
                Expansion? x;
                while ((x = Volatile.Read(ref results[id >> ChunkBits][id & (Chunk - 1)])) is null)
                {
                    if (failure is { } e) ExceptionDispatchInfo.Capture(e).Throw(); // as the one-thread search would throw it
                    if (!ExpandNext(initial.Machine, helpFp, helpEnabled)) spin.SpinOnce(-1); // expand while waiting
                }
                spin.Reset();
                // the slot is not cleared: the whole chunk is dropped once merged, and the merger writing
                // here would only pull the cache line away from the workers filling the next slots
                store.ReleaseBelow(id);
                if ((id & (Chunk - 1)) == 0 && id > 0) Release((id >> ChunkBits) - 1);
                var end = Merge(tree, x, id, fp, initial.Machine);
                x.Reset();
                pool.Enqueue(x);
                Volatile.Write(ref merged.Value, id + 1);
                if (end is { } r) return Done(r);
                if (overBound) break;
                if ((id & 4095) != 4095) continue; // the checks below cost more than merging a state
                if (GC.GetTotalMemory(false) > MaxMemory)
                {
                    StoppedByMemory = true;
                    tree.Truncated = true;
                    break;
                }
                tree.Report(Progress, DepthOf(id), id + 1);
                bool interrupted = Interrupt.IsCancellationRequested;
                if (CheckpointFile is not null && id + 1 < tree.Count && (interrupted || sinceCheckpoint.Elapsed >= CheckpointEvery))
                {
                    WriteCheckpoint(tree, id + 1);
                    sinceCheckpoint.Restart();
                }
                if (interrupted)
                {
                    Interrupted = true;
                    tree.Truncated = true;
                    return tree.Finish();
                }
            }
        }
        finally
        {
            stop = true;
            foreach (var t in threads) t.Join();
            SpilledBlocks = store.Spilled;
        }
        return StoppedByMemory ? tree.Finish() : Done(tree.Finish());
    }

    /// <summary>A search that ended (a verdict, or a bound reached) needs its checkpoint no more.</summary>
    private ExploreResult Done(ExploreResult r)
    {
        if (CheckpointFile is not null && File.Exists(CheckpointFile)) File.Delete(CheckpointFile);
        return r;
    }

    /// <summary>
    /// Makes the one-thread search's decisions for the expansion x of id; a result when the search
    /// ends with it (a violation), else null (at the state bound it also sets overBound).
    /// </summary>
    private ExploreResult? Merge(SearchTree tree, Expansion x, int id, Fingerprinter fp, Machine machine)
    {
        int depth = DepthOf(id);
        if (x.Terminal) return x.Quiescent is { } vq ? tree.Stuck(vq, id) : null;
        if (x.AtBound)
        {
            tree.Truncated = true;
            return null;
        }
        if (x.Local)
        {
            int ample = x.Succs[0].Tid;
            bool proviso = true;
            foreach (ref readonly var l in x.All)
            {
                tree.Transitions++;
                if (l.Violation is { } lv) return tree.Violated(lv, id, depth, l.Tid, l.Alt);
                var stored = tree.AddLocal(l.Fp, id, depth, l.Tid, l.Alt, out int known);
                if (stored == Stored.OverBound)
                {
                    overBound = true;
                    return null;
                }
                if (stored == Stored.New) Publish(tree.Count - 1, x.Encoding(l), depth + 1);
                else if (known <= id) proviso = false; // already expanded
            }
            if (proviso) return null; // every reduced successor is new or still queued
            x.Reset(); // the cycle proviso's full expansion: the other threads' steps too
            Span<int> parts = stackalloc int[KernelState.PartCount + 1];
            ExpandFully(Load(machine, id, parts), fp, x, null, skip: ample);
        }
        foreach (ref readonly var s in x.All)
        {
            tree.Transitions++;
            if (s.Violation is { } v) return tree.Violated(v, id, depth, s.Tid, s.Alt);
            var stored = tree.Add(s.Fp, id, depth, s.Tid, s.Alt);
            if (stored == Stored.New) Publish(tree.Count - 1, x.Encoding(s), depth + 1);
            else if (stored == Stored.OverBound)
            {
                overBound = true;
                return null;
            }
        }
        return null;
    }

    private int DepthOf(int id) => depths[id >> ChunkBits][id & (Chunk - 1)];

    /// <summary>Frees a chunk every id of which is merged; workers only read ids at or above merged.</summary>
    private void Release(int chunk)
    {
        depths[chunk] = null!;
        results[chunk] = null!;
    }

    private void Publish(int id, ReadOnlySpan<byte> encoding, int depth)
    {
        int c = id >> ChunkBits;
        if (depths[c] is null)
        {
            depths[c] = new int[Chunk];
            results[c] = new Expansion?[Chunk];
        }
        store.Append(id, encoding);
        depths[c][id & (Chunk - 1)] = depth;
        Volatile.Write(ref published.Value, id + 1);
    }

    private void Work(Machine machine)
    {
        try
        {
            WorkLoop(machine);
        }
        catch (Exception e)
        {
            failure = e;
        }
    }

    private void WorkLoop(Machine machine)
    {
        var fp = new Fingerprinter();
        var enabled = new List<(int Tid, int Alt)>();
        var spin = new SpinWait();
        while (!stop)
        {
            if (ExpandNext(machine, fp, enabled)) spin.Reset();
            else spin.SpinOnce(-1);
        }
    }

    private const int Batch = 4; // ids a thread claims at once: fewer contended updates of claimed

    /// <summary>Claims the next queued ids (up to Batch) and expands them; false when there is none to claim now.</summary>
    private bool ExpandNext(Machine machine, Fingerprinter fp, List<(int Tid, int Alt)> enabled)
    {
        int id = Volatile.Read(ref claimed.Value);
        int end = Math.Min(Math.Min(id + Batch, Volatile.Read(ref published.Value)), Volatile.Read(ref merged.Value) + Window);
        if (id >= end) return false;
        if (Interlocked.CompareExchange(ref claimed.Value, end, id) != id) return true; // another thread took them: try the next
        Span<int> parts = stackalloc int[KernelState.PartCount + 1];
        for (; id < end; id++)
        {
            if (!pool.TryDequeue(out var x)) x = new Expansion();
            Expand(Load(machine, id, parts), DepthOf(id), fp, enabled, x);
            Volatile.Write(ref results[id >> ChunkBits][id & (Chunk - 1)], x);
        }
        return true;
    }

    /// <summary>A state being expanded, with its encoding and where each part of it starts.</summary>
    private readonly ref struct Parent(KernelState state, ReadOnlySpan<byte> bytes, ReadOnlySpan<int> parts)
    {
        public readonly KernelState State = state;
        public readonly ReadOnlySpan<byte> Bytes = bytes;
        public readonly ReadOnlySpan<int> Parts = parts;
    }

    /// <summary>Queued state id, decoded, with its encoding; parts receives where each part starts.</summary>
    private Parent Load(Machine machine, int id, Span<int> parts)
    {
        var bytes = store.Get(id);
        return new Parent(StateDecoder.Decode(machine, bytes, parts), bytes, parts);
    }
}
