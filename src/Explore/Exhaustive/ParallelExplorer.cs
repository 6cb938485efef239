using System.Diagnostics;
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
        var sw = Stopwatch.StartNew();
        var fp = new Fingerprinter();
        var seen = new FingerprintTable();
        var nodes = new List<SearchNode>();
        long transitions = 0;
        int maxDepth = 0;
        bool truncated = false;
        long nextProgress = 1000;

        seen.TryAdd(fp.Of(initial), 0);
        nodes.Add(new SearchNode(-1, 0, 0, 0));
        if (invariants.AfterStep(initial, []) is { } v0)
            return Done(Verdict.Violated, v0, [], 1, 0, 0, sw, complete: true);
        Publish(0, initial.EncodeToArray(), 0);

        var threads = new Thread[Math.Max(1, workers)];
        for (int w = 0; w < threads.Length; w++)
        {
            threads[w] = new Thread(() => Work(initial.Machine)) { IsBackground = true, Name = $"explore-{w}" };
            threads[w].Start();
        }
        try
        {
            var spin = new SpinWait();
            for (int id = 0; id < nodes.Count; id++)
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
                int depth = nodes[id].Depth;
                if (x.Terminal)
                {
                    if (x.Quiescent is { } vq)
                        return Done(Verdict.Violated, vq, SearchNode.Path(nodes, id, initial), seen.Count, transitions, maxDepth, sw, complete: false);
                    continue;
                }
                if (x.AtBound)
                {
                    truncated = true;
                    continue;
                }
                var succs = x.Succs;
                if (x.Local)
                {
                    var l = succs[0];
                    transitions++;
                    if (l.Violation is { } lv)
                    {
                        nodes.Add(new SearchNode(id, l.Tid, 0, depth + 1));
                        return Done(Verdict.Violated, lv, SearchNode.Path(nodes, nodes.Count - 1, initial), seen.Count, transitions, Math.Max(maxDepth, depth + 1), sw, complete: false);
                    }
                    if (!seen.TryGetValue(l.Fp, out int known))
                    {
                        if (seen.Count + 1 > bounds.MaxStates)
                        {
                            truncated = true;
                            break;
                        }
                        nodes.Add(new SearchNode(id, l.Tid, 0, depth + 1));
                        seen.TryAdd(l.Fp, nodes.Count - 1);
                        maxDepth = Math.Max(maxDepth, depth + 1);
                        Publish(nodes.Count - 1, l.Encoding!, depth + 1);
                        continue;
                    }
                    if (known > id) continue; // still queued: the cycle proviso holds
                    succs = ExpandFully(StateDecoder.Decode(initial.Machine, encoded), fp); // the proviso's full expansion
                }
                bool overBound = false;
                foreach (var s in succs)
                {
                    transitions++;
                    if (s.Violation is { } v)
                    {
                        nodes.Add(new SearchNode(id, s.Tid, s.Alt, depth + 1));
                        return Done(Verdict.Violated, v, SearchNode.Path(nodes, nodes.Count - 1, initial), seen.Count, transitions, Math.Max(maxDepth, depth + 1), sw, complete: false);
                    }
                    if (!seen.TryAdd(s.Fp, nodes.Count)) continue;
                    if (seen.Count > bounds.MaxStates)
                    {
                        truncated = true;
                        overBound = true;
                        break;
                    }
                    nodes.Add(new SearchNode(id, s.Tid, s.Alt, depth + 1));
                    maxDepth = Math.Max(maxDepth, depth + 1);
                    Publish(nodes.Count - 1, s.Encoding!, depth + 1);
                }
                if (overBound) break;
                if (Progress is not null && sw.ElapsedMilliseconds >= nextProgress)
                {
                    nextProgress = sw.ElapsedMilliseconds + 1000;
                    Progress(seen.Count, transitions, depth);
                }
            }
        }
        finally
        {
            stop = true;
            foreach (var t in threads) t.Join();
        }
        return Done(truncated ? Verdict.Incomplete : Verdict.Holds, null, [], seen.Count, transitions, maxDepth, sw, complete: !truncated);
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
        Semantics.Enabled(state, enabled);
        if (enabled.Count == 0) return new Expansion { Terminal = true, Quiescent = invariants.AtQuiescence(state) };
        if (depth >= bounds.MaxDepth) return new Expansion { AtBound = true };
        if (PartialOrder && Semantics.FirstLocal(state) is var lt and >= 0)
        {
            var local = Semantics.Execute(state, lt, 0, out var lctx, out _);
            var v = invariants.AfterStep(local, lctx.Events);
            var f = fp.Of(local);
            return new Expansion { Local = true, Succs = [new Succ((byte)lt, 0, f, v is null ? fp.LastEncoding() : null, v)] };
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
            var next = Semantics.Execute(state, tid, alt, out var ctx, out _);
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

    private ExploreResult Done(Verdict verdict, Violation? v, IReadOnlyList<Choice> trace, long states, long transitions, int depth, Stopwatch sw, bool complete) =>
        new(verdict, v, trace, states, transitions, depth, sw.Elapsed.TotalSeconds, complete);
}
