namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Truncate.cs, run to quiescence in one thread.</summary>
public class TruncateTests
{
    [Fact]
    public void TruncateRemovesFoliosFreesBlocksAndSetsSizes()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: fsync}, {op: truncate, size: 0}]");
        var s = Mechanism.Run(spec);
        Assert.Equal(0, s.Inode.ISize);
        Assert.Equal(0, s.Inode.IDiskSize);
        Assert.All(s.Folios.ToArray(), f => Assert.False(f.Present));
        Assert.All(s.Extents.ToArray(), e => Assert.Equal(ExtentType.Hole, e));
        Assert.Equal(0, s.History.TruncSize);
    }

    [Fact]
    public void TruncateToMidFolioZeroesTheTailOfThePartialFolio()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: truncate, size: 2K}]",
            "{block_size: 2K, folio_size: 4K, max_size: 8K, size: 0}");
        var s = Mechanism.Run(spec);
        Assert.Equal(1, s.Inode.ISize); // one 2K unit
        Assert.True(s.Folios[0].Present);
        Assert.False(s.Folios[1].Present);
        Assert.Equal(DataTag.Write(1), s.CacheData[0]);
        Assert.Equal(DataTag.Zero, s.CacheData[1]);
    }
    [Fact]
    public void GrowingTheSizeRanksTheBytesItExposesAsZerosButNotWhatTheGrowingWriteWrites()
    {
        // zeroed-range: past the old EOF the file reads zeros once i_size covers it (unit = 1K)
        var truncated = Mechanism.Run(ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 1K}, {op: truncate, size: 4K}]"));
        Assert.Equal(0, truncated.History.ZeroRank[0]);
        Assert.All(new[] { 1, 2, 3 }, u => Assert.True(truncated.History.ZeroRank[u] > 0));
        var written = Mechanism.Run(ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 1K}, {op: buffered-write, offset: 2K, length: 1K}]"));
        Assert.True(written.History.ZeroRank[1] > 0); // the gap the extending write leaves
        Assert.Equal(0, written.History.ZeroRank[2]); // its own bytes are a write, not zeros
    }

    /// <summary>Thread 0's steps up to (not including) function, then that step.</summary>
    private static KernelState Through(KernelState s, string function) => Mechanism.Step(Mechanism.RunUntil(s, 0, function), 0);

    [Fact]
    public void DoTruncateHoldsTheIRwsemAndTheInvalidateLock()
    {
        var s = Through(MachineBuilder.Build(ScenarioText.OneThread("[{op: truncate, size: 0}]"), Variant.Default), "do_truncate");
        Assert.Equal(0, s.Inode.IRwsem.Writer);
        Assert.Equal(0, s.Inode.InvalidateLock.Writer);
    }

    [Fact]
    public void TruncateSetsizeUnmapsOnlyTheFoliosWhollyPastTheNewEof()
    {
        // 1K units (the read), 4K folios: truncate to 4K zaps F1's PTEs, moving their dirt into the folio, and keeps F0's
        var spec = ScenarioText.OneThread("[{op: truncate, size: 4K}, {op: buffered-read, offset: 0, length: 1K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 8K, mapped: true}]}");
        var s0 = MachineBuilder.Build(spec, Variant.Default);
        s0.FoliosW[1].PteDirty = true;
        var s = Through(s0, "truncate_setsize");
        Assert.True(s.Folios[0].PteMapped);
        Assert.False(s.Folios[1].PteMapped);
        Assert.False(s.Folios[1].PteDirty);
        Assert.True(s.Folios[1].Dirty);
    }

    [Fact]
    public void ShrinkingToABlockBoundaryFreesTheBlocksPastItOnly()
    {
        var spec = ScenarioText.OneThread("[{op: truncate, size: 4K}, {op: buffered-read, offset: 0, length: 1K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var s = Mechanism.Run(spec);
        Assert.Equal(ExtentType.Written, s.Extents[0]);
        Assert.Equal(ExtentType.Hole, s.Extents[1]);
    }

    [Fact]
    public void GrowingKeepsThePreallocationPastTheOldEof()
    {
        var spec = ScenarioText.OneThread("[{op: truncate, size: 8K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 16K, size: 4K, extents: [{offset: 0, length: 16K, type: unwritten}]}");
        var s = Mechanism.Run(spec);
        Assert.All(s.Extents.ToArray(), e => Assert.Equal(ExtentType.Unwritten, e));
        Assert.Equal(s.Geo.Units / 2, s.Inode.IDiskSize);
    }

    [Fact]
    public void TheFlushBeforeTheSizeIsLoggedCoversOnlyWhatLiesPastTheOnDiskEof()
    {
        // size 6K, i_disk_size 4K, both folios dirty: growing to 8K writes back F1 (past i_disk_size), not F0
        var grow = Mechanism.Run(ScenarioText.OneThread("[{op: truncate, size: 8K}]",
            "{block_size: 2K, folio_size: 4K, max_size: 8K, size: 6K, disk_size: 4K, extents: [{offset: 0, length: 6K, type: written}], cached: [{offset: 0, length: 8K, dirty: true}]}"));
        Assert.True(grow.Folios[0].Dirty);
        Assert.False(grow.Folios[1].Dirty);
        // shrinking to i_disk_size itself (zeroing the EOF block's tail): an empty range, nothing written
        var shrink = Mechanism.Run(ScenarioText.OneThread("[{op: truncate, size: 2K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, disk_size: 2K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 4K, dirty: true}]}"));
        Assert.True(shrink.Folios[0].Dirty);
        Assert.Equal(DataTag.Zero, shrink.CacheData[1]);
    }

    [Fact]
    public void TruncatingToTheSameSizeZeroesTheEofBlocksTailAndFreesThePreallocationPastIt()
    {
        // xfs_setattr_size calls xfs_truncate_page for a size not above the old one, the same size
        // included, and xfs_itruncate_extents frees from the EOF block on: a store past EOF inside
        // the EOF block is zeroed, the preallocated block past EOF freed (1K units)
        var s = Mechanism.Run(ScenarioText.OneThread("[{op: mmap-store, offset: 2K, length: 1K}, {op: truncate, size: 2K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 2K, extents: [{offset: 0, length: 8K, type: written}]}"));
        Assert.Equal(2, s.Inode.ISize);
        Assert.Equal(DataTag.Zero, s.CacheData[2]);
        Assert.Equal(ExtentType.Written, s.Extents[0]);
        Assert.Equal(ExtentType.Hole, s.Extents[1]);
        Assert.Equal(2, s.History.TruncSize);
        Assert.False(s.History.SizeOpSince);
    }

    [Theory]
    [InlineData("4K", 2)] // shrinking frees the allocated block past the new EOF: reused by another file or not
    [InlineData("12K", 1)] // growing frees nothing: one way on
    public void WithFreedBlockReuseOnlyAFreeingTruncateOffersTheReuse(string size, int alternatives)
    {
        var spec = ScenarioText.Parse($$"""
            id: t
            file: {block_size: 4K, folio_size: 4K, max_size: 16K, size: 8K, extents: [{offset: 0, length: 16K, type: written}]}
            threads:
              - name: user
                ops: [{op: truncate, size: {{size}}}]
            actors: {device: irq}
            faults: [freed-block-reuse]
            """);
        // the growing truncate flushes the zeroed block first: the device and the workqueue complete that write
        var s = Mechanism.RunUntilWithActors(MachineBuilder.Build(spec, Variant.Default), 0, "xfs_itruncate_extents");
        Assert.Equal(alternatives, Semantics.Alternatives(s, 0));
    }

    [Fact]
    public void CollapseTruncatesUnderTheLocksItHoldsAndEndsTheSizeOperation()
    {
        // xfs_collapse_file_space shrinks the file through xfs_falloc_setsize with the i_rwsem and
        // MMAPLOCK already held: no do_truncate, no second locking, and the size operation ends there
        var spec = ScenarioText.OneThread(
            "[{op: buffered-write, offset: 0, length: 8K}, {op: fsync}, {op: collapse-range, offset: 0, length: 4K}]");
        var run = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        Assert.Contains("xfs_falloc_setsize", run.Functions);
        Assert.Contains("xfs_vn_setattr_size", run.Functions);
        Assert.DoesNotContain("do_truncate", run.Functions);
        var s = run.Final;
        int k = 4096 / s.Geo.UnitBytes;
        Assert.Equal(k, s.Inode.ISize);
        Assert.Equal(k, s.History.TruncSize);
        Assert.False(s.History.SizeOpSince);
        Assert.True(s.Inode.IRwsem.CanWrite);
        Assert.True(s.Inode.InvalidateLock.CanWrite);
    }
}
