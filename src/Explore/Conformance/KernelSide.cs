using ModelCheck.Kernel;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;

namespace ModelCheck.Explore.Conformance;

/// <summary>
/// The kernel's side of a sequential conformance run: the same operations on a fresh file of a
/// private loop-mounted file system, each followed by a settle (writeback in flight ends, none
/// is started) and an observation. Write n stores the byte of the model's tag W n.
/// </summary>
public static class KernelSide
{
    private const int U = ConformanceGeometry.UnitBytes;

    public static List<Observation> Run(LoopMount mount, IReadOnlyList<ConformOp> ops, string name = "conform") =>
        Run(mount, ops, name, crash: false, out _);

    /// <summary>As <see cref="Run(LoopMount, IReadOnlyList{ConformOp}, string)"/>, then a crash and log recovery: image is what survives (<see cref="CrashImages"/>).</summary>
    public static List<Observation> RunThenCrash(LoopMount mount, IReadOnlyList<ConformOp> ops, out CrashImage image, string name = "conform")
    {
        var result = Run(mount, ops, name, crash: true, out var taken);
        image = taken!;
        return result;
    }

    private static List<Observation> Run(LoopMount mount, IReadOnlyList<ConformOp> ops, string name, bool crash, out CrashImage? image)
    {
        var file = KernelFile.Create(mount.MountPoint, name);
        var result = new List<Observation>();
        try
        {
            int writeId = 0;
            foreach (var op in ops)
            {
                long off = (long)op.Offset * U, len = (long)op.Length * U;
                byte tag = OpNames.IsWrite(op.Kind) ? DataTag.Write(++writeId) : DataTag.Zero;
                var got = Perform(file, op.Kind, off, len, (long)op.Size * U, tag);
                byte[]? returned = got is null ? null : Decode(got);
                file.Settle(ConformanceGeometry.FileUnits * U);
                result.Add(Observe(file, mount.Fs.BlockSize, returned) with { Disk = DiskBytes(file, mount, ConformanceGeometry.FileUnits * U) });
            }
            // the shutdown comes first, the file closes after it: a close on a live file system may write back
            if (crash) mount.Shutdown();
        }
        finally
        {
            file.Dispose();
        }
        image = crash ? CrashImages.Recovered(mount, name) : null;
        return result;
    }

    /// <summary>
    /// One operation as its system call (offsets and sizes in bytes; tag: the byte a write stores).
    /// Returns the bytes a read returned, null for anything else.
    /// </summary>
    public static byte[]? Perform(KernelFile f, OpKind kind, long off, long len, long size, byte tag)
    {
        switch (kind)
        {
            case OpKind.BufferedWrite: f.Write(off, len, tag); return null;
            case OpKind.DontcacheWrite: f.Write(off, len, tag, dontcache: true); return null;
            case OpKind.DioWrite: f.DioWrite(off, len, tag); return null;
            case OpKind.MmapStore: f.MmapStore(off, len, tag); return null;
            case OpKind.BufferedRead: return f.Read(off, len);
            case OpKind.DioRead: return f.DioRead(off, len);
            case OpKind.MmapRead: return f.MmapRead(off, len);
            case OpKind.Truncate: f.Truncate(size); return null;
            case OpKind.Fsync: f.Fsync(); return null;
            case OpKind.Sync: f.Syncfs(); return null;
            case OpKind.PunchHole: f.Fallocate(3, off, len); return null; // PUNCH_HOLE | KEEP_SIZE
            case OpKind.ZeroRange: f.Fallocate(0x11, off, len); return null; // ZERO_RANGE | KEEP_SIZE
            case OpKind.Readahead: f.FadviseWillneed(off, len); return null;
            case OpKind.CollapseRange: f.TryFallocate(KernelFile.CollapseRange, off, len); return null; // EINVAL: nothing changed, as in the model
            case OpKind.InsertRange:
                // the model's file is max_size long: an insert past it is EINVAL there, so it is not issued here
                if (f.Size + len <= (long)ConformanceGeometry.FileUnits * U) f.TryFallocate(KernelFile.InsertRange, off, len);
                return null;
            default: throw new ArgumentException($"{OpNames.Name(kind)} has no kernel call in the harness");
        }
    }

    /// <summary>One tag per unit (1 KiB unless said): the byte every byte of the unit holds, or "-" when they differ.</summary>
    public static byte[] Decode(byte[] bytes, int unitBytes = U)
    {
        var tags = new byte[(bytes.Length + unitBytes - 1) / unitBytes];
        for (int u = 0; u < tags.Length; u++)
        {
            var unit = bytes.AsSpan(u * unitBytes, Math.Min(unitBytes, bytes.Length - (u * unitBytes)));
            byte b = unit[0];
            tags[u] = unit.IndexOfAnyExcept(b) < 0 ? b : DataTag.None;
        }
        return tags;
    }

    /// <summary>
    /// The loop device's bytes (O_DIRECT, past the page cache) under each written block below EOF,
    /// found through FIEMAP's physical offsets, decoded per 1 KiB; "." where the block is not written.
    /// </summary>
    public static string DiskBytes(KernelFile file, LoopMount mount, long fileBytes)
    {
        int bs = mount.Fs.BlockSize;
        long size = Math.Min(file.Size, fileBytes);
        int blocks = (int)((size + bs - 1) / bs);
        var units = Enumerable.Repeat(".", blocks * (bs / U)).ToArray();
        foreach (var e in file.Fiemap().Where(e => e.Type == KernelExtentType.Written))
            for (long b = e.Logical / bs; b < (e.Logical + e.Length) / bs && b < blocks; b++)
            {
                var tags = Decode(mount.ReadDevice(e.Physical + ((b * bs) - e.Logical), bs));
                for (int j = 0; j < tags.Length; j++) units[(int)(b * (bs / U)) + j] = DataTag.Name(tags[j] is >= 2 and < DataTag.None ? tags[j] : tags[j] == 0 ? DataTag.Zero : DataTag.Stale);
            }
        return string.Join(" ", units);
    }

    public static Observation Observe(KernelFile file, int blockSize, byte[]? returned)
    {
        int pages = ConformanceGeometry.Pages;
        var cached = new bool[pages];
        var dirty = new bool[pages];
        var writeback = new bool[pages];
        for (int p = 0; p < pages; p++)
        {
            var c = file.Cachestat((long)p * KernelFile.PageSize, KernelFile.PageSize);
            cached[p] = c.Cached > 0;
            dirty[p] = c.Dirty > 0;
            writeback[p] = c.Writeback > 0;
        }
        long size = file.Size;
        int blocks = (int)((size + blockSize - 1) / blockSize);
        var types = file.BlockTypes(blockSize, blocks);
        var letters = types.Select(t => Observation.Letter((ExtentType)(byte)t)).ToArray();
        return new Observation(returned, size, cached, dirty, writeback, new string(letters));
    }
}
