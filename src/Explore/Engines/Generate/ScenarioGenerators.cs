using FsCheck;
using FsCheck.Fluent;
using ModelCheck.Model.Scenario;

namespace ModelCheck.Explore.Engines.Generate;

/// <summary>FsCheck generators and hand-written shrinkers for scenarios and schedules.</summary>
public static class ScenarioGenerators
{
    /// <summary>
    /// The default grammar. aio-dio-write and aio-wait are left out (give them with --ops): an AIO
    /// write drops the IOLOCK at submission, so a buffered write or mmap store of the same range
    /// collides with it in the way the kernel itself warns about (dio_warn_stale_pagecache), and a
    /// default run would stop at that known collision (docs/findings.md).
    /// </summary>
    public static readonly OpKind[] AllOps =
    [
        OpKind.BufferedWrite, OpKind.DontcacheWrite, OpKind.WriteThrough, OpKind.AioWriteThrough, OpKind.BufferedRead,
        OpKind.DioRead, OpKind.DioWrite, OpKind.Truncate, OpKind.Fsync, OpKind.MmapStore, OpKind.Sync, OpKind.MemoryPressure,
        OpKind.MmapRead, OpKind.PunchHole, OpKind.Readahead, OpKind.Open, OpKind.ZeroRange, OpKind.CollapseRange,
        OpKind.InsertRange,
    ];

    /// <summary>
    /// The block device's grammar (generate --fs blockdev): what a block device takes (no size
    /// changes, no fallocate modes, no RWF_WRITETHROUGH), metadata updates through the buffer cache,
    /// and migration. Its every block is mapped, and its size is the device's (<see cref="Generator.OnFilesystem"/>).
    /// </summary>
    public static readonly OpKind[] BlockdevOps =
    [
        OpKind.BufferedWrite, OpKind.DontcacheWrite, OpKind.BufferedRead, OpKind.DioRead, OpKind.DioWrite, OpKind.Fsync,
        OpKind.MmapStore, OpKind.Sync, OpKind.MemoryPressure, OpKind.MmapRead, OpKind.Readahead, OpKind.Open,
        OpKind.BhWrite, OpKind.Migrate,
    ];

    private static Gen<GenOp> Op(OpKind[] kinds, int folios, int bpf)
    {
        int blocks = folios * bpf;
        return from kind in Gen.Elements(kinds)
               from off in Gen.Choose(0, blocks - 1)
               from len in Gen.Choose(1, kind is OpKind.MmapStore or OpKind.MmapRead ? 1 : kind == OpKind.BhWrite ? bpf - (off % bpf) : blocks - off)
               from size in Gen.Choose(0, blocks)
               select new GenOp(kind, OpNames.HasRange(kind) ? off : 0, OpNames.HasRange(kind) ? len : 0, kind == OpKind.Truncate ? size : 0);
    }

    public static Gen<GenScenario> Scenario(OpKind[] kinds, IReadOnlyDictionary<string, string> variant, int maxThreads = 3, int maxOps = 3) =>
        from folios in Gen.Choose(1, 4)
        from bpf in Gen.Choose(1, 2)
        from extents in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant("written")), (2, Gen.Constant("hole")), (1, Gen.Constant("unwritten"))), folios * bpf)
        from cached in Gen.ArrayOf(Gen.Elements(false, false, true), folios)
        from size in Gen.Choose(0, folios * bpf)
        from nthreads in Gen.Choose(1, maxThreads)
        from threads in Gen.ArrayOf(Gen.Choose(1, maxOps).SelectMany(n => Gen.ArrayOf(Op(kinds, folios, bpf), n)), nthreads)
        select new GenScenario(folios, bpf, extents, cached, size, threads, variant);

    public static Gen<int[]> Schedule() => Gen.Choose(0, 60).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 15), n));

    public static Arbitrary<(GenScenario Scenario, int[] Schedule)> Arbitrary(OpKind[] kinds, IReadOnlyDictionary<string, string> variant) =>
        Arb.From(Gen.Zip(Scenario(kinds, variant), Schedule()), Shrink);

    /// <summary>Smaller candidates, simplest first; every candidate is a valid scenario.</summary>
    public static IEnumerable<(GenScenario, int[])> Shrink((GenScenario Scenario, int[] Schedule) x)
    {
        var (g, sched) = x;
        // fewer threads, fewer operations
        for (int t = 0; t < g.Threads.Length && g.Threads.Length > 1; t++)
            yield return (g with { Threads = [.. g.Threads.Where((_, i) => i != t)] }, sched);
        for (int t = 0; t < g.Threads.Length; t++)
            for (int o = 0; o < g.Threads[t].Length && g.Threads[t].Length > 1; o++)
                yield return (WithOps(g, t, [.. g.Threads[t].Where((_, i) => i != o)]), sched);
        // a shorter schedule
        if (sched.Length > 0)
        {
            yield return (g, sched[..(sched.Length / 2)]);
            yield return (g, sched[..^1]);
            for (int k = 0; k < sched.Length && k < 12; k++)
                if (sched[k] != 0) yield return (g, [.. sched.Select((v, i) => i == k ? 0 : v)]);
        }
        // fewer folios (when every operation still fits)
        if (g.Folios > 1)
        {
            int blocks = (g.Folios - 1) * g.BlocksPerFolio;
            if (g.Threads.All(t => t.All(o => o.Offset + o.Length <= blocks && o.Size <= blocks)))
                yield return (g with
                {
                    Folios = g.Folios - 1, Extents = g.Extents[..blocks], Cached = g.Cached[..(g.Folios - 1)],
                    SizeBlocks = Math.Min(g.SizeBlocks, blocks),
                }, sched);
        }
        // smaller offsets, lengths and sizes
        for (int t = 0; t < g.Threads.Length; t++)
            for (int o = 0; o < g.Threads[t].Length; o++)
            {
                var op = g.Threads[t][o];
                if (op.Offset > 0) yield return (WithOp(g, t, o, op with { Offset = op.Offset - 1 }), sched);
                if (op.Length > 1) yield return (WithOp(g, t, o, op with { Length = op.Length - 1 }), sched);
                if (op.Size > 0) yield return (WithOp(g, t, o, op with { Size = op.Size - 1 }), sched);
            }
        // simpler extents and cache
        for (int b = 0; b < g.Blocks; b++)
            if (g.Extents[b] != "hole")
                yield return (g with { Extents = [.. g.Extents.Select((e, i) => i == b ? (e == "unwritten" ? "written" : "hole") : e)] }, sched);
        for (int f = 0; f < g.Folios; f++)
            if (g.Cached[f]) yield return (g with { Cached = [.. g.Cached.Select((c, i) => i != f && c)] }, sched);
        if (g.SizeBlocks > 0) yield return (g with { SizeBlocks = g.SizeBlocks - 1 }, sched);
    }

    private static GenScenario WithOps(GenScenario g, int t, GenOp[] ops) =>
        g with { Threads = [.. g.Threads.Select((x, i) => i == t ? ops : x)] };

    private static GenScenario WithOp(GenScenario g, int t, int o, GenOp op) =>
        WithOps(g, t, [.. g.Threads[t].Select((x, i) => i == o ? op : x)]);
}
