using ModelCheck.Explore.Scenarios;
using ModelCheck.Invariants;

namespace ModelCheck.Tests.Unit.Ops;

/// <summary>The on-disk size (i_disk_size), the history crash-size keeps, and the invariant itself.</summary>
public class CrashSizeTests
{
    private static ScenarioSpec Spec(string ops, string file = "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 0}", string fs = "")
    {
        string f = file.TrimEnd('}') + fs + "}";
        return ScenarioText.Parse($"""
            id: t
            file: {f}
            threads:
              - name: user
                ops: {ops}
            actors: {"{device: irq}"}
            invariants: [crash-size]
            """);
    }

    private static readonly CrashSize Invariant = new();

    [Fact]
    public void DataWrittenPastTheOnDiskSizeIsTrackedOnlyWhenTheScenarioChecksCrashSize()
    {
        // units of 4K here: the scenario's offsets and sizes are all multiples of it
        var s = Mechanism.Run(Spec("[{op: buffered-write, offset: 0, length: 4K}]"));
        Assert.Equal([1, 0], s.History.PastDiskEof.ToArray().Select(b => (int)b));
        Assert.Equal(0, s.Inode.IDiskSize);
        var without = Mechanism.Run(ScenarioText.Parse("""
            id: t
            file: {block_size: 4K, max_size: 8K}
            threads:
              - name: user
                ops: [{op: buffered-write, offset: 0, length: 4K}]
            invariants: [stale-data, lost-write]
            """));
        Assert.Equal(0, without.History.PastDiskEof.Length);
    }

    [Fact]
    public void AWriteBelowTheOnDiskSizeIsNotTracked()
    {
        // disk_size 8K: the file was written and logged before, so a crash keeps the old data there
        var s = Mechanism.Run(Spec("[{op: buffered-write, offset: 0, length: 4K}]", "{block_size: 4K, max_size: 8K, size: 8K, disk_size: 8K}"));
        Assert.All(s.History.PastDiskEof.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void DirtyCachedDataPastTheInitialOnDiskSizeStartsTracked()
    {
        var s = Mechanism.Run(Spec("[{op: buffered-read, offset: 0, length: 1K}]",
            "{block_size: 4K, max_size: 8K, size: 8K, disk_size: 4K, cached: [{offset: 0, length: 8K, dirty: true}]}"));
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], s.History.PastDiskEof.ToArray().Select(b => (int)b)); // 1K units (the read's length)
        Assert.Equal(4, s.Inode.IDiskSize);
    }

    [Fact]
    public void XfsWritebackRaisesTheOnDiskSizeAfterConvertingSoTheInvariantHoldsThroughout()
    {
        var s = Mechanism.Run(Spec("[{op: buffered-write, offset: 0, length: 4K}, {op: fsync}]"));
        Assert.Equal(1, s.Inode.IDiskSize);
        Assert.Null(Invariant.AfterStep(s, []));
    }

    [Fact]
    public void RaisingTheSizeAtSubmissionCoversAnUnwrittenBlockUntilTheConversion()
    {
        var s = MachineBuilder.Build(Spec("[{op: buffered-write, offset: 0, length: 4K}, {op: fsync}]"), Variant.Parse(["DiskSizeUpdate=submission"]));
        s = Mechanism.RunUntil(s, 0, "iomap_writepages");
        s = Mechanism.Step(s, 0); // the submission
        Assert.Equal(1, s.Inode.IDiskSize);
        var v = Invariant.AfterStep(s, []);
        Assert.NotNull(v);
        Assert.Contains("blk 0 is unwritten on disk, so it reads as zeros", v.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncateDownForgetsWhatItCutAndAPunchWhatItZeroed()
    {
        var cut = Mechanism.Run(Spec("[{op: buffered-write, offset: 0, length: 8K}, {op: truncate, size: 2K}]"));
        Assert.Equal([1, 0, 0, 0], cut.History.PastDiskEof.ToArray().Select(b => (int)b)); // 2K units
        var punched = Mechanism.Run(Spec("[{op: buffered-write, offset: 0, length: 8K}, {op: punch-hole, offset: 4K, length: 4K}]"));
        Assert.Equal([1, 0], punched.History.PastDiskEof.ToArray().Select(b => (int)b));
    }

    [Fact]
    public void TheTruncateUpFlushKeepsTheSizeBehindTheData()
    {
        var flushed = Mechanism.Run(Spec("[{op: buffered-write, offset: 0, length: 4K}, {op: truncate, size: 8K}]"));
        Assert.Equal(2, flushed.Inode.IDiskSize);
        Assert.Equal(ExtentType.Written, flushed.Extents[0]);
        Assert.Null(Invariant.AfterStep(flushed, []));
        var unflushed = Mechanism.Run(Spec("[{op: buffered-write, offset: 0, length: 4K}, {op: truncate, size: 8K}]"), Variant.Parse(["TruncateUpFlush=none"]));
        Assert.Equal(ExtentType.Delalloc, unflushed.Extents[0]);
        Assert.Contains("blk 0 is delalloc on disk", Invariant.AfterStep(unflushed, [])!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ext4RaisesTheSizeAtSubmissionAndRefusesXfsTruncateFlushSwitch()
    {
        var spec = Spec("[{op: buffered-write, offset: 0, length: 4K}, {op: fsync}]", fs: ", fs: ext4");
        var s = MachineBuilder.Build(spec, Variant.Default);
        Assert.True(s.Machine.Variant.DiskSizeAtSubmission);
        Assert.False(MachineBuilder.Build(spec, Variant.Parse(["DiskSizeUpdate=io-completion"])).Machine.Variant.DiskSizeAtSubmission);
        var e = Assert.Throws<ScenarioException>(() => MachineBuilder.Build(spec, Variant.Parse(["TruncateUpFlush=none"])));
        Assert.Contains("xfs_setattr_size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheOnDiskSizeMustNotExceedTheSize()
    {
        var e = Assert.Throws<InputException>(() => Spec("[{op: fsync}]", "{block_size: 4K, max_size: 8K, size: 4K, disk_size: 8K}"));
        Assert.Contains("file.disk_size", e.Message, StringComparison.Ordinal);
    }
}
