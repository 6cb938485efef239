using ModelCheck.Explore.Conformance;
using ModelCheck.Kernel;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The on-disk size against the kernel: what a crash right after a sequence of operations leaves
/// (the shutdown ioctl forcing the log and writing no data, then log recovery at the next mount),
/// compared with the model's i_disk_size and on-disk blocks (crash-size's view). Each test skips
/// itself, with the reason, where the machine cannot mount loop devices.
/// </summary>
[Collection(KernelCollection.Name)]
public class KernelCrashTests
{
    private static LoopMount Mount(string fs)
    {
        var spec = new FsSpec(fs, 4096);
        Skip.If(LoopMount.CannotRun(spec) is not null, $"kernel crash images cannot be taken here: {LoopMount.CannotRun(spec)}");
        return LoopMount.Create(spec);
    }

    private static Variant ModelOf(string fs, params string[] items) =>
        Conformance.ModelVariant(new FsSpec(fs, 4096), KernelProfiles.V618, Variant.Parse(items).Explicit);

    public static TheoryData<string, string, string> Cases => new()
    {
        // nothing written back: the size was never logged
        { "xfs", "buffered-write(0K,4K)", "size 0K: []" },
        { "ext4", "buffered-write(0K,4K)", "size 0K: []" },
        // fsync: data, then the size
        { "xfs", "buffered-write(0K,4K), fsync", "size 4K: [W1 W1 W1 W1]" },
        { "ext4", "buffered-write(0K,4K), fsync", "size 4K: [W1 W1 W1 W1]" },
        // crash-size-truncate-up: xfs_setattr_size writes the extension back before logging 8K
        { "xfs", "buffered-write(0K,4K), truncate(8K)", "size 8K: [W1 W1 W1 W1 0 0 0 0]" },
        // findings/xfs-crash-size-dio-extend: the O_DIRECT extension logs 8K over the buffered
        // write's delalloc block, which recovery finds a hole
        { "xfs", "buffered-write(0K,4K), dio-write(4K,4K)", "size 8K: [0 0 0 0 W2 W2 W2 W2]" },
        { "ext4", "buffered-write(0K,4K), dio-write(4K,4K)", "size 8K: [0 0 0 0 W2 W2 W2 W2]" },
        // ext4 grows i_disksize without writing back (crash-size's ext4 side)
        { "ext4", "buffered-write(0K,4K), truncate(8K)", "size 8K: [0 0 0 0 0 0 0 0]" },
        { "xfs", "buffered-write(0K,4K), fsync, buffered-write(4K,4K), truncate(2K)", "size 2K: [W1 W1]" },
        { "ext4", "buffered-write(0K,4K), fsync, buffered-write(4K,4K), truncate(2K)", "size 2K: [W1 W1]" },
        { "xfs", "dio-write(0K,4K), buffered-write(4K,2K), truncate(7K)", "size 7K: [W1 W1 W1 W1 W2 W2 0]" },
        { "ext4", "dio-write(0K,4K), buffered-write(4K,2K), truncate(7K)", "size 7K: [W1 W1 W1 W1 0 0 0]" },
        // XFS's punch writes the range back first; ext4's does not
        { "xfs", "truncate(8K), buffered-write(2K,2K), punch-hole(0K,1K)", "size 8K: [0 0 W1 W1 0 0 0 0]" },
        { "ext4", "truncate(8K), buffered-write(2K,2K), punch-hole(0K,1K)", "size 8K: [0 0 0 0 0 0 0 0]" },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void TheCrashImageIsTheModelsOnDiskState(string fs, string sequence, string expected)
    {
        var seq = ConformOp.ParseSequence(sequence);
        var model = CrashImages.Model(seq, 4096, ModelOf(fs), fs);
        // the expected image is written out so that a change of either side shows which one moved
        Assert.Equal(expected, model.ToString());
        using var mount = Mount(fs);
        Assert.Equal(model.ToString(), CrashImages.Kernel(mount, seq).ToString());
    }

    [SkippableFact]
    public void Ext4WritesOrderedDataAtTheForcedCommitWhichTheModelDoesNotHave()
    {
        // why conform compares crash images on XFS only: a partial-block zeroing (ordered mode adds
        // the block to the transaction) reaches the disk with the commit the shutdown forces
        var seq = ConformOp.ParseSequence("dio-write(0K,4K), punch-hole(3K,1K)");
        Assert.False(CrashImages.Supported(new FsSpec("ext4", 4096)));
        var model = CrashImages.Model(seq, 4096, ModelOf("ext4"), "ext4");
        Assert.Equal("size 4K: [W1 W1 W1 W1]", model.ToString());
        using var mount = Mount("ext4");
        Assert.Equal("size 4K: [W1 W1 W1 0]", CrashImages.Kernel(mount, seq).ToString());
    }

    [SkippableFact]
    public void WithoutTheTruncateFlushTheModelRecoversZerosWhereTheKernelRecoversTheData()
    {
        // TruncateUpFlush=none (no "NULL files" flush) disagrees with the kernel, so the comparison can fail
        var seq = ConformOp.ParseSequence("buffered-write(0K,4K), truncate(8K)");
        var noFlush = CrashImages.Model(seq, 4096, ModelOf("xfs", "TruncateUpFlush=none"));
        Assert.Equal("size 8K: [0 0 0 0 0 0 0 0]", noFlush.ToString());
        using var mount = Mount("xfs");
        Assert.NotEqual(noFlush.ToString(), CrashImages.Kernel(mount, seq).ToString());
    }
}
