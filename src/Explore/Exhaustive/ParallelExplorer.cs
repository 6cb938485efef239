using System.Runtime.ExceptionServices;
using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Exhaustive;

/// <summary>
/// The breadth-first search of <see cref="ExhaustiveExplorer"/> with its expansion spread over
/// worker threads. Workers take queued states in id order, decode them, run every enabled step,
/// check the invariants and fingerprint the successors; one merger (the calling thread) consumes
/// those expansions strictly in id order and alone owns the fingerprint table, the node list and
/// the queue. Every decision the sequential search makes is made by the merger in the same order,
/// so the result (states, transitions, the first violation and its trace) is the same as with one
/// thread, whatever the timing.
/// </summary>
public sealed class ParallelExplorer(InvariantSet invariants, Bounds bounds, int workers)
{
    public Action<long, long, int>? Progress { get; init; }

    public bool PartialOrder { get; init; } = true;

    /// <summary>One transition: with reduction on, the step with its thread's local steps merged after it.</summary>
    private KernelState Execute(KernelState s, int tid, int alt, out StepContext ctx) =>
        PartialOrder ? Semantics.ExecuteMerged(s, tid, alt, out ctx, out _) : Semantics.Execute(s, tid, alt, out ctx, out _);

    private const int ChunkBits = 16;
    private const int Chunk = 1 << ChunkBits;
    private const int Window = 1 << 15; // how far workers may run ahead of the merger

    /// <summary>A successor as a worker saw it.</summary>
    private readonly record struct Succ(byte Tid, byte Alt, UInt128 Fp, byte[]? Encoding, Violation? Violation);

    /// <summary>The expansion of one queued state.</summary>
    private sealed class Expansion
    {
        public Violation? Quiescent;
        public bool Terminal;   // no step enabled
        public bool AtBound;    // depth bound reached
        public bool Local;      // Succs holds the one local step of the ample set
        public Succ[] Succs = [];
    }

    // queue and results, indexed by node id, in chunks so that readers never see a moved array
    private readonly byte[]?[][] queue = new byte[]?[1 << 15][];
    private readonly int[][] depths = new int[1 << 15][];
    private readonly Expansion?[][] results = new Expansion?[1 << 15][];
    private int published;  // ids below this are queued
    private int claimed;    // ids below this are taken by a worker
    private int merged;     // ids below this are consumed by the merger
    private volatile bool stop;
    private volatile Exception? failure;

    public ExploreResult Run(KernelState initial)
    {
        if (published != 0) throw new InvalidOperationException("a ParallelExplorer runs once");
        var tree = new SearchTree(initial, bounds, merge: PartialOrder);
        var fp = new Fingerprinter();
        if (tree.Root(fp.Of(initial), invariants.AfterStep(initial, [])) is { } atRoot) return atRoot;
        Publish(0, fp.LastEncoding(), 0);

        var threads = new Thread[Math.Max(1, workers)];
        for (int w = 0; w < threads.Length; w++)
        {
            threads[w] = new Thread(() => Work(initial.Machine)) { IsBackground = true, Name = $"explore-{w}" };
            threads[w].Start();
        }
        try
        {
            var spin = new SpinWait();
            for (int id = 0; id < tree.Count; id++)
            {
                Expansion? x;
                while ((x = Volatile.Read(ref results[id >> ChunkBits][id & (Chunk - 1)])) is null)
                {
                    if (failure is { } e) ExceptionDispatchInfo.Capture(e).Throw(); // as the one-thread search would throw it
                    spin.SpinOnce(-1);
                }
                spin.Reset();
                results[id >> ChunkBits][id & (Chunk - 1)] = null;
                var encoded = queue[id >> ChunkBits][id & (Chunk - 1)]!;
                queue[id >> ChunkBits][id & (Chunk - 1)] = null;
                Volatile.Write(ref merged, id + 1);
                if (((id + 1) & (Chunk - 1)) == 0) Release(id >> ChunkBits);
                int depth = tree.DepthOf(id);
                if (x.Terminal)
                {
                    if (x.Quiescent is { } vq) return tree.Stuck(vq, id);
                    continue;
                }
                if (x.AtBound)
                {
                    tree.Truncated = true;
                    continue;
                }
                var succs = x.Succs;
                if (x.Local)
                {
                    var l = succs[0];
                    tree.Transitions++;
                    if (l.Violation is { } lv) return tree.Violated(lv, id, l.Tid, 0);
                    var stored = tree.AddLocal(l.Fp, id, l.Tid, out int known);
                    if (stored == Stored.OverBound) break;
                    if (stored == Stored.New)
                    {
                        Publish(tree.Count - 1, l.Encoding!, depth + 1);
                        continue;
                    }
                    if (known > id) continue; // still queued: the cycle proviso holds
                    succs = ExpandFully(StateDecoder.Decode(initial.Machine, encoded), fp); // the proviso's full expansion
                }
                bool overBound = false;
                foreach (var s in succs)
                {
                    tree.Transitions++;
                    if (s.Violation is { } v) return tree.Violated(v, id, s.Tid, s.Alt);
                    var stored = tree.Add(s.Fp, id, s.Tid, s.Alt);
                    if (stored == Stored.New) Publish(tree.Count - 1, s.Encoding!, depth + 1);
                    else if (stored == Stored.OverBound)
                    {
                        overBound = true;
                        break;
                    }
                }
                if (overBound) break;
                tree.Report(Progress, depth);
            }
        }
        finally
        {
            stop = true;
            foreach (var t in threads) t.Join();
        }
        return tree.Finish();
    }

    /// <summary>Frees a chunk every id of which is merged; workers only read ids at or above merged.</summary>
    private void Release(int chunk)
    {
        queue[chunk] = null!;
        depths[chunk] = null!;
        results[chunk] = null!;
    }

    private void Publish(int id, byte[] encoding, int depth)
    {
        int c = id >> ChunkBits;
        if (queue[c] is null)
        {
            queue[c] = new byte[]?[Chunk];
            depths[c] = new int[Chunk];
            results[c] = new Expansion?[Chunk];
        }
        queue[c][id & (Chunk - 1)] = encoding;
        depths[c][id & (Chunk - 1)] = depth;
        Volatile.Write(ref published, id + 1);
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
            int id = Volatile.Read(ref claimed);
            if (id >= Volatile.Read(ref published) || id >= Volatile.Read(ref merged) + Window)
            {
                spin.SpinOnce(-1);
                continue;
            }
            if (Interlocked.CompareExchange(ref claimed, id + 1, id) != id) continue;
            spin.Reset();
            int depth = depths[id >> ChunkBits][id & (Chunk - 1)];
            var state = StateDecoder.Decode(machine, queue[id >> ChunkBits][id & (Chunk - 1)]!);
            var x = Expand(state, depth, fp, enabled);
            Volatile.Write(ref results[id >> ChunkBits][id & (Chunk - 1)], x);
        }
    }

    private Expansion Expand(KernelState state, int depth, Fingerprinter fp, List<(int Tid, int Alt)> enabled)
    {
        int firstLocal = Semantics.Enabled(state, enabled);
        if (enabled.Count == 0) return new Expansion { Terminal = true, Quiescent = invariants.AtQuiescence(state) };
        if (depth >= bounds.MaxDepth) return new Expansion { AtBound = true };
        if (PartialOrder && firstLocal is var lt and >= 0)
        {
            var local = Semantics.ExecuteMerged(state, lt, 0, out var lctx, out _);
            var succ = invariants.AfterStep(local, lctx.Events) is { } v
                ? new Succ((byte)lt, 0, default, null, v)
                : new Succ((byte)lt, 0, fp.Of(local), fp.LastEncoding(), null);
            return new Expansion { Local = true, Succs = [succ] };
        }
        return new Expansion { Succs = ExpandFully(state, fp, enabled) };
    }

    private Succ[] ExpandFully(KernelState state, Fingerprinter fp, List<(int Tid, int Alt)>? enabled = null)
    {
        if (enabled is null)
        {
            enabled = [];
            Semantics.Enabled(state, enabled);
        }
        var succs = new Succ[enabled.Count];
        for (int i = 0; i < enabled.Count; i++)
        {
            var (tid, alt) = enabled[i];
            var next = Execute(state, tid, alt, out var ctx);
            var v = invariants.AfterStep(next, ctx.Events);
            if (v is not null)
            {
                succs[i] = new Succ((byte)tid, (byte)alt, default, null, v);
                return succs[..(i + 1)];
            }
            succs[i] = new Succ((byte)tid, (byte)alt, fp.Of(next), fp.LastEncoding(), null);
        }
        return succs;
    }
}
