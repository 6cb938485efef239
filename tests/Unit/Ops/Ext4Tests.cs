namespace ModelCheck.Tests.Unit.Ops;

/// <summary>
/// src/Model/Filesystems/Ext4Ops.cs and its step programs (Ext4Setattr, Ext4PunchHole,
/// Ext4BlockZero), each against XFS on the same sequence. Every sequence here gives the same
/// observables on the kernel (`modelcheck conform --fs ext4 --sequence "..."`, Linux 6.18).
/// </summary>
public class Ext4Tests
{
    private static string File(string fs, string bs = "4K", string size = "0", string extents = "") =>
        $"{{fs: {fs}, block_size: {bs}, folio_size: 4K, max_size: 8K, size: {size}{extents}}}";

    private static KernelState Run(string fs, string ops, string bs = "4K") =>
        Mechanism.Run(ScenarioText.OneThread(ops, File(fs, bs)));

    [Fact]
    public void TruncateDownOverAHoleLeavesTheEofFolioCreatedByTheBlockZeroingWhereXfsCreatesNone()
    {
        const string ops = "[{op: truncate, size: 8K}, {op: truncate, size: 7K}]";
        var ext4 = Run("ext4", ops);
        Assert.True(ext4.Folios[1].Present);
        Assert.False(ext4.Folios[1].Dirty);
        Assert.False(ext4.Folios[1].Uptodate(ext4.Geo)); // a hole: nothing read, nothing zeroed
        Assert.False(ext4.Folios[0].Present);
        Assert.False(Run("xfs", ops).Folios[1].Present);
    }

    [Fact]
    public void HolePunchWritesNothingBackAndZeroesThePartialBlockInTheDirtyFolio()
    {
        // conform: ext4 cached 10 dirty 10 extents d; XFS writes the range back first: extents w
        const string ops = "[{op: buffered-write, offset: 0, length: 4K}, {op: punch-hole, offset: 1K, length: 1K}]";
        var ext4 = Run("ext4", ops);
        Assert.Equal(ExtentType.Delalloc, ext4.Extents[0]);
        Assert.True(ext4.Folios[0].Dirty);
        Assert.Equal([DataTag.Write(1), DataTag.Zero, DataTag.Write(1), DataTag.Write(1)], ext4.CacheData[..4].ToArray());
        Assert.Equal(ExtentType.Written, Run("xfs", ops).Extents[0]);
    }

    [Fact]
    public void HolePunchStartingAtEofReturnsWithoutTouchingAnything()
    {
        var before = Run("ext4", "[{op: buffered-write, offset: 0, length: 2K}]");
        var after = Run("ext4", "[{op: buffered-write, offset: 0, length: 2K}, {op: punch-hole, offset: 2K, length: 6K}]");
        Assert.Equal(before.CacheData.ToArray(), after.CacheData.ToArray());
        Assert.Equal(before.Extents.ToArray(), after.Extents.ToArray());
    }

    [Fact]
    public void HolePunchPastEofEndsAtThePageAfterTheEofPageSoTheWholeEofPageGoes()
    {
        // 1K blocks, i_size 5K: punch 4K..8K becomes 4K..8K (i_size + PAGE_SIZE - 1K), page 1 dropped
        var s = Run("ext4", "[{op: buffered-write, offset: 4K, length: 1K}, {op: punch-hole, offset: 4K, length: 4K}]", "1K");
        Assert.False(s.Folios[1].Present);
        Assert.Equal(ExtentType.Hole, s.Extents[4]);
        Assert.Equal(5, s.Inode.ISize);
    }

    [Fact]
    public void AHolePunchEndingAtEofIsNotExtendedSoThePartialPageStays()
    {
        // i_size 7K: punch 4K..7K (not past EOF) keeps page 1 with its last 1K, block 1 still delalloc
        var s = Run("ext4", "[{op: buffered-write, offset: 4K, length: 3K}, {op: punch-hole, offset: 4K, length: 3K}]");
        Assert.True(s.Folios[1].Present && s.Folios[1].Dirty);
        Assert.Equal(ExtentType.Delalloc, s.Extents[1]);
    }

    [Fact]
    public void WritebackAllocatesUnwrittenRaisesTheDiskSizeAtSubmissionAndSendsTheConversionToTheWorkqueue()
    {
        const string ops = "[{op: buffered-write, offset: 0, length: 4K}, {op: buffered-write, offset: 4K, length: 4K}, {op: fsync}]";
        var ext4 = InFlight("ext4", ops);
        Assert.Equal([ExtentType.Unwritten, ExtentType.Unwritten], ext4.Extents.ToArray());
        Assert.Equal(8192 / ext4.Geo.UnitBytes, ext4.Inode.IDiskSize); // mpage_map_and_submit_extent
        Assert.All(ext4.Bios, b => Assert.True(b.NeedsWq));
        var xfs = InFlight("xfs", ops);
        Assert.Equal(0, xfs.Inode.IDiskSize); // xfs_setfilesize at completion
    }

    [Fact]
    public void AnOverwriteHasNothingToConvertAndEndsInTheBiosContext()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}, {op: fsync}]",
            File("ext4", size: "8K", extents: ", extents: [{offset: 0, length: 8K, type: written}]"));
        var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0);
        Assert.NotEmpty(s.Bios);
        Assert.All(s.Bios, b => Assert.False(b.NeedsWq));
    }

    [Fact]
    public void AnExtendingDirectWriteLeavesTheOldEofBlockTailWhereABufferedOneZeroesIt()
    {
        // the kernel finding (docs/findings.md): the store past EOF at 3K survives a direct extension on ext4
        const string head = "[{op: buffered-write, offset: 0, length: 1K}, {op: mmap-store, offset: 3K, length: 1K}, ";
        Assert.Equal(DataTag.Write(2), Run("ext4", head + "{op: dio-write, offset: 7K, length: 1K}]").CacheData[3]);
        Assert.Equal(DataTag.Zero, Run("ext4", head + "{op: buffered-write, offset: 7K, length: 1K}]").CacheData[3]);
        Assert.Equal(DataTag.Zero, Run("xfs", head + "{op: dio-write, offset: 7K, length: 1K}]").CacheData[3]);
    }

    [Fact]
    public void Ext4ImpliesUnlockedReadsUnlessTheVariantSaysOtherwise()
    {
        var ext4 = MachineBuilder.Build(ScenarioText.OneThread("[{op: buffered-read, offset: 0, length: 4K}]", File("ext4")), Variant.Default);
        Assert.False(ext4.Machine.Variant.ReadTakesIrwsem);
        var locked = MachineBuilder.Build(ScenarioText.OneThread("[{op: buffered-read, offset: 0, length: 4K}]", File("ext4")),
            Variant.Parse(["ReadLock=i-rwsem-shared"]));
        Assert.True(locked.Machine.Variant.ReadTakesIrwsem);
    }

    [Theory]
    [InlineData("[{op: zero-range, offset: 7K, length: 1K}]", 1, ExtentType.Unwritten, true, false)]
    [InlineData("[{op: buffered-write, offset: 0, length: 4K}, {op: fsync}, {op: zero-range, offset: 0, length: 4K}]", 0, ExtentType.Unwritten, false, false)]
    [InlineData("[{op: buffered-write, offset: 0, length: 4K}, {op: fsync}, {op: zero-range, offset: 1K, length: 1K}]", 0, ExtentType.Written, true, true)]
    public void ZeroRangePreallocatesUnwrittenAndZeroesOnlyPartialBlocksThatHoldData(string ops, int blk, ExtentType extent, bool cached, bool dirty)
    {
        // conform --fs ext4: zero-range(7K,1K) on a new file caches page 1 clean (the edge block is
        // preallocated unwritten, so there is nothing to zero); an aligned zero range drops the page
        // and leaves the block unwritten; a partial one over written data dirties the folio
        var s = Run("ext4", ops);
        Assert.Equal(extent, s.Extents[blk]);
        Assert.Equal(cached, s.Folios[blk].Present);
        Assert.Equal(dirty, s.Folios[blk].Present && s.Folios[blk].Dirty);
    }

    [Theory]
    [InlineData("written", true)]
    [InlineData("unwritten", false)]
    public void AnAlignedDirectWriteKeepsTheInodeLockSharedOnlyForAPureOverwrite(string extent, bool shared)
    {
        // ext4_dio_write_checks: shared for an overwrite of written blocks (ext4_overwrite_io);
        // XFS keeps it shared for any aligned write inside EOF
        string file = File("ext4", size: "8K", extents: $", extents: [{{offset: 0, length: 8K, type: {extent}}}]");
        var s = MachineBuilder.Build(ScenarioText.OneThread("[{op: dio-write, offset: 0, length: 4K}]", file), Variant.Default);
        s = Mechanism.Step(s, 0);
        Assert.Equal(shared, s.Inode.IRwsem.Writer < 0 && !s.Inode.IRwsem.CanWrite);
        var xfs = MachineBuilder.Build(ScenarioText.OneThread("[{op: dio-write, offset: 0, length: 4K}]", file.Replace("fs: ext4", "fs: xfs", StringComparison.Ordinal)), Variant.Default);
        xfs = Mechanism.Step(xfs, 0);
        Assert.True(xfs.Inode.IRwsem.Writer < 0);
    }

    [Fact]
    public void TruncateDownFreesBlocksPastTheNewEofAndDirtiesTheZeroedTailOfAWrittenBlock()
    {
        var s = Run("ext4", "[{op: buffered-write, offset: 0, length: 4K}, {op: buffered-write, offset: 4K, length: 4K}, {op: fsync}, {op: truncate, size: 5K}]");
        Assert.Equal(5, s.Inode.ISize);
        Assert.Equal(5, s.Inode.IDiskSize);
        Assert.Equal([ExtentType.Written, ExtentType.Written], s.Extents[..2].ToArray());
        Assert.True(s.Folios[1].Present && s.Folios[1].Dirty); // ext4_truncate zeroed 5K..8K through the cache, no writeback
        Assert.Equal([DataTag.Write(2), DataTag.Zero, DataTag.Zero, DataTag.Zero], s.CacheData[4..8].ToArray());
        var shrunk = Run("ext4", "[{op: buffered-write, offset: 0, length: 4K}, {op: buffered-write, offset: 4K, length: 4K}, {op: fsync}, {op: truncate, size: 3K}]");
        Assert.Equal(ExtentType.Hole, shrunk.Extents[1]); // ext4_ext_truncate
        Assert.False(shrunk.Folios[1].Present);
    }

    [Fact]
    public void TruncateUpZeroesTheOldEofBlocksTailButWritesNothingBack()
    {
        // a store past EOF into the EOF page; the truncate up must zero it (ext4_block_zero_eof)
        var s = Run("ext4", "[{op: buffered-write, offset: 0, length: 1K}, {op: fsync}, {op: mmap-store, offset: 2K, length: 1K}, {op: truncate, size: 8K}]");
        Assert.Equal(DataTag.Zero, s.CacheData[2]);
        Assert.True(s.Folios[0].Dirty);
        Assert.Equal(8, s.Inode.ISize);
        Assert.Equal(8, s.Inode.IDiskSize);
        Assert.True(s.History.ZeroRank[4] > 0); // the exposed bytes read as zeros (zeroed-range)
    }

    [Theory]
    [InlineData(0, true)]   // a shrink waits for direct I/O in flight (inode_dio_wait)
    [InlineData(8, false)]  // a truncate up does not
    [InlineData(4, false)]  // nor one to the same size (shrink is ia_size < i_size)
    public void TruncateWaitsForDirectIoOnlyWhenItShrinks(int newSizeK, bool waits)
    {
        var spec = ScenarioText.Parse($$"""
            id: t
            file: {fs: ext4, block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}
            threads:
              - name: dio
                ops: [{op: aio-dio-write, offset: 0, length: 4K}]
              - name: trunc
                ops: [{op: truncate, size: {{newSizeK}}K}]
            actors: {device: irq}
            """);
        var s = MachineBuilder.Build(spec, Variant.Default);
        s = Mechanism.RunUntil(s, 0); // the AIO write is submitted and returns -EIOCBQUEUED
        Assert.Equal(1, s.Inode.DioCount);
        s = Mechanism.Step(s, 1); // do_truncate
        var status = Semantics.Status(s, 1, out _, out var guard);
        Assert.Equal(waits ? ThreadStatus.Blocked : ThreadStatus.Enabled, status);
        if (waits) Assert.Equal(WaitKind.DioCount, guard.Wait.Kind);
    }

    /// <summary>The writer's steps until it waits (fsync for the writeback it submitted).</summary>
    private static KernelState InFlight(string fs, string ops) =>
        Mechanism.RunUntil(MachineBuilder.Build(ScenarioText.OneThread(ops, File(fs)), Variant.Default), 0);

    [Fact]
    public void Ext4ZeroRangeGivesUpTheRangesDataWhenItTakesTheLocksButPunchHoleDoesNotYet()
    {
        // a completed write of F0 must survive until the zero range runs: from ext4_fallocate on it need not
        foreach (var (mode, discards) in new[] { ("zero-range", true), ("punch-hole", false) })
        {
            var spec = ScenarioText.OneThread($"[{{op: buffered-write, offset: 0, length: 4K}}, {{op: {mode}, offset: 0, length: 4K}}]", File("ext4"));
            var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0, "ext4_fallocate");
            Assert.Equal(DataTag.Write(1), s.History.MustSurvive[0]);
            s = Mechanism.Step(s, 0);
            Assert.Equal(discards ? DataTag.None : DataTag.Write(1), s.History.MustSurvive[0]);
        }
    }
}
