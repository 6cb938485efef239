using ModelCheck.Kernel;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;

namespace ModelCheck.Explore.Conformance;

/// <summary>
/// A scenario's threads run concurrently on the kernel, many times: each run builds the initial
/// file afresh (written extents, size, nothing cached), releases one OS thread per scenario
/// thread together through a barrier, with a small random delay before each operation, and
/// records what each read returned and the file at the end. The kernel's own flusher, device and
/// workqueues stand in for the scenario's actors.
/// </summary>
public static class KernelOutcomes
{
    /// <summary>Why the kernel harness cannot build or run this scenario, or null.</summary>
    public static string? Unsupported(ScenarioSpec spec)
    {
        var f = spec.File;
        if (f.Fuse || f.Blockdev || f.Bench) return "the harness runs scenarios on XFS or ext4 files only";
        if (f.FolioSize != KernelFile.PageSize) return $"folio_size {f.FolioSize}: the kernel sizes its folios itself; the harness runs 4K-folio scenarios";
        if (f.Cached.Any(c => c.Mapped || c.Reclaim)) return "file.cached: a mapped or PG_reclaim range cannot be set up from user space";
        if (f.StableWrites) return "file.stable_writes: set stable_writes on the loop device yourself";
        if (f.DiskSize is { } ds && ds != f.Size) return "file.disk_size below size: the harness cannot hold an extension's data out of the disk while it sets up the file";
        foreach (var e in f.Extents)
        {
            if (e.Type is not (ExtentKind.Written or ExtentKind.Hole)) return $"extent type {e.Type}: the harness sets up written extents and holes";
            if (e.CowPrealloc || e.Data is not ("W0" or "0")) return "extent data other than W0 or 0 cannot be set up";
        }
        foreach (var t in spec.Threads)
            foreach (var op in t.Ops)
                if (!ConformOp.KernelCalls.ContainsKey(op.Kind))
                    return $"{OpNames.Name(op.Kind)} (line {op.Line}) has no kernel call in the harness";
        bool mapped = spec.Threads.Any(t => t.Ops.Any(o => o.Kind is OpKind.MmapStore or OpKind.MmapRead));
        bool shrinks = spec.Threads.Any(t => t.Ops.Any(o => o.Kind == OpKind.Truncate));
        if (mapped && shrinks && spec.Threads.Count > 1)
            return "an mmap store or load racing a truncate can take SIGBUS, which would end the harness";
        return null;
    }

    public static Dictionary<Outcome, int> Run(LoopMount mount, ScenarioSpec spec, int runs, int seed, Action<int>? progress = null)
    {
        var g = MachineBuilder.GeometryOf(spec);
        var writeIds = WriteIds(spec);
        var histogram = new Dictionary<Outcome, int>();
        var random = new Random(seed);
        for (int run = 0; run < runs; run++)
        {
            var outcome = RunOnce(mount, spec, g, writeIds, random.Next());
            histogram[outcome] = histogram.GetValueOrDefault(outcome) + 1;
            progress?.Invoke(run + 1);
        }
        return histogram;
    }

    /// <summary>The write id of each write operation, numbered as MachineBuilder numbers them.</summary>
    private static Dictionary<(int Thread, int Op), int> WriteIds(ScenarioSpec spec)
    {
        var ids = new Dictionary<(int, int), int>();
        int id = 0;
        for (int t = 0; t < spec.Threads.Count; t++)
            for (int o = 0; o < spec.Threads[t].Ops.Count; o++)
                if (OpNames.IsWrite(spec.Threads[t].Ops[o].Kind)) ids[(t, o)] = ++id;
        return ids;
    }

    /// <summary>
    /// The given operations one after the other (thread, op, op index) on a fresh file built as the
    /// scenario says; returns whether the page is cached, and dirty, once I/O is over.
    /// </summary>
    public static (bool Cached, bool Dirty) RunInOrder(LoopMount mount, ScenarioSpec spec, IEnumerable<(int Thread, OpSpec Op, int Index)> ops, long page)
    {
        var writeIds = WriteIds(spec);
        Setup(mount, spec);
        using var f = KernelFile.Open(mount.MountPoint, "outcome");
        foreach (var (thread, op, index) in ops) Perform(f, op, writeIds.GetValueOrDefault((thread, index)));
        f.Settle(spec.File.MaxSize);
        var c = f.Cachestat(page * KernelFile.PageSize, KernelFile.PageSize);
        return (c.Cached > 0, c.Dirty > 0);
    }

    private static void Setup(LoopMount mount, ScenarioSpec spec)
    {
        using var setup = KernelFile.Create(mount.MountPoint, "outcome");
        foreach (var e in spec.File.Extents.Where(e => e.Type == ExtentKind.Written))
            setup.DioWrite(e.Offset, e.Length, e.Data == "W0" ? DataTag.Write(0) : DataTag.Zero);
        setup.Truncate(spec.File.Size);
        setup.Fsync();
        setup.FadviseDontneed(0, 0);
        // initially cached ranges: a read brings a clean one in, a write of W0 makes a dirty one
        foreach (var c in spec.File.Cached)
        {
            if (c.Dirty) setup.Write(c.Offset, c.Length, DataTag.Write(0));
            else setup.Read(c.Offset, c.Length);
        }
    }

    private static Outcome RunOnce(LoopMount mount, ScenarioSpec spec, Geometry g, Dictionary<(int, int), int> writeIds, int seed)
    {
        Setup(mount, spec);
        var reads = new List<(string Key, int Unit, byte Tag)>();
        var files = spec.Threads.Select(_ => KernelFile.Open(mount.MountPoint, "outcome")).ToArray();
        try
        {
            using var start = new Barrier(spec.Threads.Count);
            var threads = spec.Threads.Select((t, ti) => new Thread(() =>
            {
                var rnd = new Random(seed + ti);
                start.SignalAndWait();
                for (int o = 0; o < t.Ops.Count; o++)
                {
                    Thread.SpinWait(rnd.Next(0, 4000));
                    var op = t.Ops[o];
                    var got = Perform(files[ti], op, writeIds.GetValueOrDefault((ti, o)));
                    if (got is null) continue;
                    var tags = KernelSide.Decode(got, g.UnitBytes);
                    lock (reads)
                        for (int u = 0; u < tags.Length; u++) reads.Add(($"{t.Name}.{o + 1}", (int)(op.Offset / g.UnitBytes) + u, tags[u]));
                }
            })).ToList();
            threads.ForEach(th => th.Start());
            threads.ForEach(th => th.Join());
            var f0 = files[0];
            f0.Settle(spec.File.MaxSize);
            long size = f0.Size;
            var content = KernelSide.Decode(f0.Read(0, size), g.UnitBytes);
            return Outcome.Of(reads, Outcome.FinalOf(size, content, b => g.Bytes((int)(b / g.UnitBytes))));
        }
        finally
        {
            foreach (var f in files) f.Dispose();
        }
    }

    private static byte[]? Perform(KernelFile f, OpSpec op, int writeId) =>
        KernelSide.Perform(f, op.Kind, op.Offset, op.Length, op.Size, DataTag.Write(writeId));
}
