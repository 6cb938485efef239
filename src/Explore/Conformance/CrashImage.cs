using ModelCheck.Kernel;
using ModelCheck.Model.Ops;
using ModelCheck.Model.State;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Conformance;

/// <summary>
/// What a crash right after a sequence of operations leaves: the size the on-disk inode records
/// and the file's bytes below it, one tag per 1 KiB unit ("0" zeros, "W1" the first write's data).
/// </summary>
public sealed record CrashImage(long Size, string Data)
{
    public override string ToString() => $"size {Size / 1024}K: [{Data}]";
}

/// <summary>
/// The crash image on both sides. The model's is its on-disk state after the operations and their
/// settle (no flusher runs, as none has time to on the kernel): i_disk_size and, below it, what
/// each block holds on disk (zeros for a hole, a delalloc reservation or an unwritten extent). The
/// kernel's is what the file system recovers after a shutdown that forces the log but writes no
/// data (<see cref="LoopMount.Shutdown"/>), an unmount and a mount.
/// </summary>
public static class CrashImages
{
    private const int U = ConformanceGeometry.UnitBytes;

    /// <summary>
    /// XFS only. ext4's forced commit also writes the ordered data of the committing transaction
    /// (jbd2 submits the inode's dirty pages over already mapped blocks, ext4_writepages with
    /// can_map 0), which the model does not have: its crash images would disagree where a store or
    /// a partial-block zeroing dirtied a mapped block (docs/conformance.md lists the cases).
    /// </summary>
    public static bool Supported(FsSpec fs) => fs.Type == "xfs";

    public static CrashImage Model(IReadOnlyList<ConformOp> ops, int blockSize, Variant variant, string fs = "xfs")
    {
        ModelSide.Run(ops, blockSize, variant, out var s, fs, flagged: []);
        return Of(s);
    }

    /// <summary>The crash image of a model state: i_disk_size, and below it what the disk holds per block.</summary>
    public static CrashImage Of(KernelState s)
    {
        var g = s.Geo;
        int k = g.UnitBytes / U;
        var data = new List<string>();
        for (int u = 0; u < s.Inode.IDiskSize; u++)
            for (int j = 0; j < k; j++) data.Add(DataTag.Name(PageCache.DiskRead(s, u)));
        return new CrashImage((long)s.Inode.IDiskSize * g.UnitBytes, string.Join(" ", data));
    }

    public static CrashImage Kernel(LoopMount mount, IReadOnlyList<ConformOp> ops, string name = "crash")
    {
        KernelSide.RunThenCrash(mount, ops, out var image, name);
        return image;
    }

    /// <summary>After <see cref="LoopMount.Shutdown"/> and with the file closed: unmount, mount (log recovery) and read the file back.</summary>
    internal static CrashImage Recovered(LoopMount mount, string name)
    {
        mount.RecoverAfterShutdown();
        using var after = KernelFile.Open(mount.MountPoint, name);
        long size = after.Size;
        var bytes = size == 0 ? [] : after.Read(0, size);
        return new CrashImage(size, string.Join(" ", KernelSide.Decode(bytes).Select(DataTag.Name)));
    }
}
