using ModelCheck.Model.Filesystems;
using ModelCheck.Model.Ops;
using ModelCheck.Model.Peer;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Model.Scenario;

/// <summary>A scenario that parses but cannot be modelled; Line 0 means "the file as a whole".</summary>
public sealed class ScenarioException(string field, int line, string message) : Exception(message)
{
    public string Field { get; } = field;
    public int Line { get; } = line;
}

/// <summary>Compiles a scenario under a variant into a <see cref="Machine"/> and its initial state.</summary>
public static class MachineBuilder
{
    public const int MaxUnits = 24;
    public const int MaxThreads = 12;

    public static Geometry GeometryOf(ScenarioSpec spec)
    {
        var f = spec.File;
        long unit = Gcd(f.BlockSize, f.FolioSize);
        unit = Gcd(unit, f.MaxSize);
        if (f.Size > 0) unit = Gcd(unit, f.Size);
        if (f.DiskSize > 0) unit = Gcd(unit, f.DiskSize.Value);
        foreach (var e in f.Extents) unit = Gcd(Gcd(unit, e.Offset), e.Length);
        foreach (var c in f.Cached) unit = Gcd(Gcd(unit, c.Offset), c.Length);
        foreach (var t in spec.Threads)
            foreach (var op in t.Ops)
                unit = Gcd(Gcd(Gcd(unit, op.Offset), op.Length), op.Size);
        if (f.BlockSize <= 0 || f.FolioSize % f.BlockSize != 0)
            throw new ScenarioException("file.folio_size", 0, "folio_size must be a positive multiple of block_size");
        if (f.MaxSize <= 0 || f.MaxSize % f.FolioSize != 0)
            throw new ScenarioException("file.max_size", 0, "max_size must be a positive multiple of folio_size");
        var g = new Geometry((int)unit, (int)(f.BlockSize / unit), (int)(f.FolioSize / f.BlockSize), (int)(f.MaxSize / f.FolioSize));
        if (g.Units > MaxUnits)
            throw new ScenarioException("file.max_size", 0, $"the scenario needs {g.Units} units of {unit} bytes; at most {MaxUnits} are supported (use coarser offsets or a smaller max_size)");
        if (g.BlocksPerFolio > 8)
            throw new ScenarioException("file.folio_size", 0, "at most 8 blocks per folio");
        return g;
    }

    private static long Gcd(long a, long b)
    {
        if (a == 0) return b;
        if (b == 0) return a;
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    public static KernelState Build(ScenarioSpec spec, Variant variant)
    {
        var g = GeometryOf(spec);
        var fs = Filesystems.Filesystems.Find(spec.File.Fs) ?? throw new ScenarioException("file.fs", 0, $"unknown file system '{spec.File.Fs}'");
        foreach (var name in variant.Explicit.Keys)
            if (fs.RefusesSwitch(name) is { } refused) throw new ScenarioException("variant", 0, refused);
        variant = fs.Apply(variant);
        int u(long bytes) => (int)(bytes / g.UnitBytes);
        var threads = new List<ThreadInfo>();
        int writeId = 0;
        foreach (var t in spec.Threads)
        {
            var b = new ProgramBuilder(g) { Fs = fs, Variant = variant };
            foreach (var op in t.Ops)
            {
                int from = u(op.Offset), to = u(op.Offset + op.Length);
                if (OpNames.HasRange(op.Kind) && (op.Length <= 0 || to > g.Units))
                    throw new ScenarioException("length", op.Line, $"{OpNames.Name(op.Kind)} range {op.Offset}+{op.Length} must be non-empty and inside max_size ({spec.File.MaxSize})");
                if (fs.Refuses(op.Kind) is { } why)
                    throw new ScenarioException("op", op.Line, why);
                int id = OpNames.IsWrite(op.Kind) ? ++writeId : 0;
                string label = Label(op, g, id);
                // what a store racing the operation may lose: the range a punch or zero range
                // discards; for a collapse or insert, the page cache it drops, up to EOF
                var (dFrom, dTo) = op.Kind switch
                {
                    OpKind.PunchHole or OpKind.ZeroRange => (from, to),
                    OpKind.CollapseRange or OpKind.InsertRange => (0, g.Units),
                    _ => (0, 0),
                };
                b.BeginOp(label, op.MayBlock, dFrom, dTo);
                Operations.Of(op.Kind).Emit(b, new OpSite(op, from, to, id, g));
                b.EndOp();
            }
            var (program, ops) = b.Build();
            bool daemon = t.Ops.All(o => o.Kind is OpKind.BenchFlusher or OpKind.BenchEndio);
            threads.Add(new ThreadInfo(t.Name, daemon ? ThreadKind.Actor : ThreadKind.User, ExecContext.Task, program, ops));
        }
        var deviceCtx = spec.Actors.DeviceContext == "task" ? ExecContext.Task : ExecContext.Irq;
        if (spec.Actors.FlusherPasses > 0) threads.Add(Writeback.Flusher(g, spec.Actors.FlusherPasses, fs, variant));
        threads.AddRange(fs.Actors(g, spec.Actors));
        int deviceTid = -1;
        if (fs.HasBlockDevice)
        {
            deviceTid = threads.Count;
            threads.Add(Completion.Device(g, deviceCtx));
            threads.Add(Completion.Workqueue(g));
        }
        if (threads.Count > MaxThreads)
            throw new ScenarioException("threads", 0,
                $"{spec.Threads.Count} user threads and {threads.Count - spec.Threads.Count} actors: at most {MaxThreads} threads in all, actors (flusher, device, workqueue, FUSE servers) included");

        var machine = new Machine
        {
            Geometry = g,
            Variant = variant,
            Threads = [.. threads],
            LocalsPerThread = fs.LocalsPerThread(g),
            WriteCount = writeId,
            LegacyMemcg = spec.Actors.Memcg == "legacy",
            Faults = (spec.Faults ?? []).Select(f => Variants.Faults.Find(f) ?? throw new ScenarioException("faults", 0, $"unknown fault '{f}'")).ToHashSet(),
            Fs = fs,
            DeviceTid = deviceTid,
            DropbehindBatchCapacity = spec.Actors.DropbehindBatch,
            TracksCrashSize = spec.Invariants.Contains("crash-size"),
            SymmetryClasses = SymmetryClasses(spec),
            FaultLimit = spec.FaultLimit,
        };
        return InitialState(spec, machine);
    }

    private static string Label(OpSpec op, Geometry g, int writeId)
    {
        string name = OpNames.Name(op.Kind);
        string range = OpNames.HasRange(op.Kind) ? $"({g.Bytes((int)(op.Offset / g.UnitBytes))}, {g.Bytes((int)(op.Length / g.UnitBytes))})" : "";
        if (Operations.Of(op.Kind).Shape == OpShape.Size) range = $"({g.Bytes((int)(op.Size / g.UnitBytes))})";
        return writeId > 0 ? $"{name}{range} W{writeId}" : name + range;
    }

    private static KernelState InitialState(ScenarioSpec spec, Machine m)
    {
        var g = m.Geometry;
        var f = spec.File;
        int u(long bytes) => (int)(bytes / g.UnitBytes);
        var s = KernelState.Initial(m, new History
        {
            Floor = new int[g.Units],
            MustSurvive = Enumerable.Repeat(DataTag.None, g.Units).ToArray(),
            UnitRank = new int[g.Units * (m.WriteCount + 1)],
            Writes = m.WriteCount,
            WriteCut = new int[m.WriteCount + 1],
            ZeroRank = new int[g.Units],
            ErrLost = Enumerable.Repeat(DataTag.None, g.Units).ToArray(),
            PastDiskEof = new byte[m.TracksCrashSize ? g.Units : 0],
        });
        s.InodeW.ISize = u(f.Size);
        s.InodeW.IDiskSize = u(f.InitialDiskSize);
        s.InodeW.IRwsem = RwSem.Free;
        s.InodeW.InvalidateLock = RwSem.Free;
        s.InodeW.DeviceStable = f.StableWrites; // inode_init_always: SB_I_STABLE_WRITES presets the bit
        s.InodeW.StableWrites = f.StableWrites;
        m.Fs.InitInode(s);
        if (u(f.Size) > g.Units) throw new ScenarioException("file.size", 0, "size must not exceed max_size");
        foreach (var e in f.Extents)
        {
            if (e.Offset % f.BlockSize != 0 || e.Length % f.BlockSize != 0 || e.Length <= 0 || u(e.Offset + e.Length) > g.Units)
                throw new ScenarioException("file.extents", e.Line, $"extent {e.Offset}+{e.Length} must be block aligned and inside max_size");
            byte tag = ParseTag(e.Data);
            for (int blk = g.BlockOfUnit(u(e.Offset)); blk < g.BlockOfUnit(u(e.Offset + e.Length)); blk++)
            {
                s.ExtentsW[blk] = (ExtentType)(int)e.Type;
                if (e.CowPrealloc) s.CowW[blk] = CowType.Unwritten;
                for (int x = g.FirstUnitOfBlock(blk); x < g.FirstUnitOfBlock(blk + 1); x++)
                    s.DiskW[x] = e.Type == ExtentKind.Written ? tag : DataTag.Stale;
            }
        }
        foreach (var c in f.Cached)
        {
            if (c.Offset % f.FolioSize != 0 || c.Length % f.FolioSize != 0 || u(c.Offset + c.Length) > g.Units)
                throw new ScenarioException("file.cached", c.Line, $"cached range {c.Offset}+{c.Length} must be folio aligned and inside max_size");
            for (int i = g.FolioOfUnit(u(c.Offset)); i < g.FolioOfUnit(u(c.Offset + c.Length)); i++)
            {
                ref var folio = ref s.FoliosW[i];
                folio = new Folio { Present = true, LockOwner = -1, UptodateMask = (byte)g.AllBlocksMask, PteMapped = c.Mapped };
                for (int x = g.FirstUnitOfFolio(i); x < g.FirstUnitOfFolio(i + 1); x++)
                    s.CacheDataW[x] = c.Dirty ? DataTag.Write(0) : PageCache.DiskRead(s, x);
                if (c.Dirty)
                {
                    PageCache.MarkDirty(s, i);
                    folio.Reclaim = c.Reclaim; // an earlier reclaim pass saw it dirty and set PG_reclaim
                    for (int blk = g.FirstBlockOfFolio(i); blk < g.FirstBlockOfFolio(i + 1); blk++)
                        if (s.Extents[blk] == ExtentType.Hole) s.ExtentsW[blk] = ExtentType.Delalloc;
                }
            }
        }
        for (int x = 0; x < s.Inode.ISize; x++)
        {
            int fi = g.FolioOfUnit(x);
            byte visible = s.Folios[fi].Present ? s.CacheData[x] : PageCache.DiskRead(s, x);
            if (DataTag.IsWrite(visible)) s.H.MustSurvive[x] = visible;
            // dirty data past the on-disk size: an extension whose data is not on disk yet
            if (m.TracksCrashSize && x >= s.Inode.IDiskSize && s.Folios[fi].Present && s.Folios[fi].Dirty && DataTag.IsWrite(visible))
                s.H.PastDiskEof[x] = 1;
        }
        return s;
    }

    /// <summary>
    /// User threads with the same operations, none of which writes data: interchangeable (their
    /// programs are the same; a write would get a write id of its own). Groups of two or more, by tid.
    /// </summary>
    private static IReadOnlyList<int[]> SymmetryClasses(ScenarioSpec spec) =>
        [.. spec.Threads
            .Select((t, tid) => (tid, t.Ops))
            .Where(x => x.Ops.All(o => !OpNames.IsWrite(o.Kind)))
            .GroupBy(x => string.Join(";", x.Ops.Select(o => $"{o.Kind},{o.Offset},{o.Length},{o.Size},{o.MayBlock}")))
            .Where(g => g.Count() > 1)
            .Select(g => g.Select(x => x.tid).ToArray())];

    public static byte ParseTag(string text) => text switch
    {
        "0" => DataTag.Zero,
        "Stale" => DataTag.Stale,
        "W0" => DataTag.Write(0),
        _ => throw new ScenarioException("data", 0, $"initial data '{text}' must be W0, 0 or Stale"),
    };
}
