namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/ShiftRange.cs: collapse and insert range on XFS and ext4, each as the kernel shows it (conform --sequence).</summary>
public class ShiftRangeTests
{
    private static string File(string fs, string bs = "4K") => $"{{fs: {fs}, block_size: {bs}, folio_size: 4K, max_size: 12K, size: 0}}";

    private const string ThreeBlocks =
        "{op: buffered-write, offset: 0, length: 4K}, {op: buffered-write, offset: 4K, length: 4K}, {op: buffered-write, offset: 8K, length: 4K}, {op: fsync}";

    [Theory]
    [InlineData("xfs")]
    [InlineData("ext4")]
    public void CollapseMovesTheLaterBlocksDownAndShrinksTheFile(string fs)
    {
        var s = Mechanism.Run(ScenarioText.OneThread($"[{ThreeBlocks}, {{op: collapse-range, offset: 4K, length: 4K}}]", File(fs)));
        var g = s.Geo;
        Assert.Equal(8192 / g.UnitBytes, s.Inode.ISize);
        Assert.Equal([ExtentType.Written, ExtentType.Written, ExtentType.Hole], s.Extents.ToArray());
        Assert.Equal(DataTag.Write(3), s.Disk[g.FirstUnitOfBlock(1)]);
        Assert.False(s.Folios[1].Present); // the page cache from the range to EOF was dropped
    }

    [Theory]
    [InlineData("xfs")]
    [InlineData("ext4")]
    public void InsertMovesTheBlocksUpAndLeavesAHoleThatReadsAsZeros(string fs)
    {
        const string ops = "[{op: buffered-write, offset: 0, length: 4K}, {op: buffered-write, offset: 4K, length: 4K}, {op: fsync}, {op: insert-range, offset: 4K, length: 4K}]";
        var s = Mechanism.Run(ScenarioText.OneThread(ops, File(fs)));
        var g = s.Geo;
        Assert.Equal(12288 / g.UnitBytes, s.Inode.ISize);
        Assert.Equal([ExtentType.Written, ExtentType.Hole, ExtentType.Written], s.Extents.ToArray());
        Assert.Equal(DataTag.Write(2), s.Disk[g.FirstUnitOfBlock(2)]);
        Assert.True(s.History.ZeroRank[g.FirstUnitOfBlock(1)] > 0);
    }

    [Theory]
    [InlineData("{op: collapse-range, offset: 1K, length: 1K}")] // not block-aligned
    [InlineData("{op: collapse-range, offset: 8K, length: 4K}")] // reaches EOF
    [InlineData("{op: insert-range, offset: 4K, length: 1K}")] // not block-aligned
    public void AnInvalidRangeIsEinvalAndChangesNothing(string op)
    {
        var s = Mechanism.Run(ScenarioText.OneThread($"[{ThreeBlocks}, {op}]", File("xfs")));
        var g = s.Geo;
        Assert.Equal(12288, s.Inode.ISize * g.UnitBytes);
        Assert.Equal([ExtentType.Written, ExtentType.Written, ExtentType.Written], s.Extents.ToArray());
        for (int blk = 0; blk < 3; blk++) Assert.Equal(DataTag.Write(blk + 1), s.Disk[g.FirstUnitOfBlock(blk)]);
        Assert.All(s.History.ZeroRank.ToArray(), r => Assert.Equal(0, r));
    }

    [Fact]
    public void XfsWritesBackFromTheBlockBeforeTheRangeSoTheWholeFirstPageGoes()
    {
        // conform, 1K blocks: buffered-write(0K,6K), collapse-range(4K,1K) leaves nothing cached on
        // XFS (xfs_prepare_shift steps back one allocation unit, to 3K, so page 0 is flushed and
        // dropped); ext4 starts at the range's own page and keeps page 0 dirty
        const string ops = "[{op: buffered-write, offset: 0, length: 6K}, {op: collapse-range, offset: 4K, length: 1K}]";
        var xfs = Mechanism.Run(ScenarioText.OneThread(ops, File("xfs", "1K")));
        Assert.False(xfs.Folios[0].Present);
        Assert.All(xfs.Extents[..5].ToArray(), e => Assert.Equal(ExtentType.Written, e));
        var ext4 = Mechanism.Run(ScenarioText.OneThread(ops, File("ext4", "1K")));
        Assert.True(ext4.Folios[0].Present && ext4.Folios[0].Dirty);
    }
    [Theory]
    [InlineData("xfs", false)]
    [InlineData("ext4", false)]
    [InlineData("xfs", true)]
    [InlineData("ext4", true)]
    public void ShiftsMoveWholeBlocksWhenUnitsAreSmallerThanBlocks(string fs, bool insert)
    {
        // 4K blocks in 1K units (the read at 1K sets the unit): every unit of a moved block moves
        // with it, with its history; a collapse leaves the tail a hole, an insert its range
        string ops = "[{op: buffered-write, offset: 0, length: 4K}, {op: buffered-write, offset: 4K, length: 4K}, " +
            "{op: buffered-write, offset: 8K, length: 4K}, {op: fsync}, " +
            (insert ? "{op: insert-range, offset: 4K, length: 4K}" : "{op: collapse-range, offset: 4K, length: 4K}") +
            ", {op: buffered-read, offset: 1K, length: 1K}]";
        var s = Mechanism.Run(ScenarioText.OneThread(ops, $"{{fs: {fs}, block_size: 4K, folio_size: 4K, max_size: 16K, size: 0}}"));
        var g = s.Geo;
        Assert.Equal(4, g.UnitsPerBlock);
        var expect = insert
            ? new[] { DataTag.Write(1), DataTag.None, DataTag.Write(2), DataTag.Write(3) }
            : [DataTag.Write(1), DataTag.Write(3), DataTag.None, DataTag.None];
        for (int blk = 0; blk < 4; blk++)
        {
            bool hole = expect[blk] == DataTag.None;
            Assert.Equal(hole ? ExtentType.Hole : ExtentType.Written, s.Extents[blk]);
            for (int u = g.FirstUnitOfBlock(blk); u < g.FirstUnitOfBlock(blk + 1); u++)
            {
                if (!hole) Assert.Equal(expect[blk], s.Disk[u]);
                // what must survive moved with the data
                if (!hole) Assert.Equal(expect[blk], s.History.MustSurvive[u]);
            }
        }
        Assert.Equal((insert ? 16384 : 8192) / g.UnitBytes, s.Inode.ISize);
        if (insert) Assert.All(Enumerable.Range(4, 4), u => Assert.True(s.History.ZeroRank[u] > 0));
    }

    /// <summary>2K blocks in 1K units, 12K; the operations' names, notes and final state.</summary>
    private static (KernelState S, List<string> Notes, IReadOnlyList<string> Functions) Shift(string fs, string ops, string file = ", size: 0")
    {
        var spec = ScenarioText.OneThread(ops, $"{{fs: {fs}, block_size: 2K, folio_size: 4K, max_size: 12K{file}}}");
        return Mechanism.RunRecording(spec);
    }

    [Theory]
    [InlineData("xfs", false, "xfs_file_fallocate", "xfs_falloc_collapse_range", "xfs_collapse_file_space")]
    [InlineData("xfs", true, "xfs_file_fallocate", "xfs_falloc_insert_range", "xfs_insert_file_space")]
    [InlineData("ext4", false, "ext4_fallocate", "ext4_collapse_range", "ext4_ext_shift_extents")]
    [InlineData("ext4", true, "ext4_fallocate", "ext4_insert_range", "ext4_ext_shift_extents")]
    public void EachFileSystemShiftsThroughItsOwnFunctions(string fs, bool insert, string entry, string check, string shift)
    {
        string op = insert ? "{op: insert-range, offset: 2K, length: 2K}" : "{op: collapse-range, offset: 2K, length: 2K}";
        var (s, notes, functions) = Shift(fs, $"[{{op: buffered-write, offset: 0, length: 8K}}, {{op: fsync}}, {op}]");
        Assert.Contains(entry, functions);
        Assert.Contains(check, functions);
        Assert.Contains(shift, functions);
        Assert.Contains(insert ? "blocks from 1 moved up by 1" : "blocks from 2 moved down by 1", notes);
        Assert.Equal((insert ? 10 : 6) * 1024 / s.Geo.UnitBytes, s.Inode.ISize);
        Assert.Equal(0, s.Local(0, 0)); // the shifted flag is cleared when the locks are dropped
        if (fs == "ext4") Assert.Contains($"i_size = i_disksize = {(insert ? 10 : 6)}K", notes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheCowForkAndItsStagedBytesMoveWithTheBlocks(bool insert)
    {
        // block 2 (4K..6K) was written through its COW fork: the staged bytes sit in the COW disk, and
        // a preallocation is left over block 3
        string op = insert ? "{op: insert-range, offset: 2K, length: 2K}" : "{op: collapse-range, offset: 0, length: 2K}";
        var (s, _, _) = Shift("xfs", $"[{{op: buffered-write, offset: 4K, length: 2K}}, {{op: fsync}}, {op}]",
            ", size: 8K, extents: [{offset: 0, length: 4K, type: written}, {offset: 4K, length: 2K, type: written, cow_prealloc: true}, {offset: 6K, length: 2K, type: written, cow_prealloc: true}]");
        var g = s.Geo;
        int staged = insert ? 3 : 1, prealloc = insert ? 4 : 2; // where blocks 2 and 3 went
        Assert.Equal(CowType.Unwritten, s.Cow[prealloc]);
        Assert.All(Enumerable.Range(0, g.Blocks).Where(b => b != prealloc), b => Assert.Equal(CowType.None, s.Cow[b]));
        for (int u = g.FirstUnitOfBlock(staged); u < g.FirstUnitOfBlock(staged + 1); u++)
        {
            Assert.Equal(DataTag.Write(1), s.CowDisk[u]);
            Assert.Equal(DataTag.Write(1), s.Disk[u]);
        }
    }

    [Theory]
    [InlineData("{op: insert-range, offset: 8K, length: 2K}")] // an insert must start below EOF
    [InlineData("{op: insert-range, offset: 2K, length: 6K}")] // 8K + 6K does not fit in max_size
    [InlineData("{op: insert-range, offset: 2K, length: 1K}")] // the end is not block-aligned
    [InlineData("{op: collapse-range, offset: 2K, length: 1K}")] // the end is not block-aligned
    [InlineData("{op: collapse-range, offset: 1K, length: 2K}")] // the start is not block-aligned
    public void AnInsertOrCollapseOutsideItsLimitsIsEinval(string op)
    {
        var (s, notes, functions) = Shift("xfs", $"[{{op: buffered-write, offset: 0, length: 8K}}, {{op: fsync}}, {op}]");
        Assert.Contains("-EINVAL", notes);
        Assert.Equal(8 * 1024 / s.Geo.UnitBytes, s.Inode.ISize);
        Assert.All(s.Extents[..4].ToArray(), e => Assert.Equal(ExtentType.Written, e));
        Assert.DoesNotContain(functions, f => f is "xfs_collapse_file_space" or "xfs_insert_file_space" or "truncate_pagecache");
    }

    [Fact]
    public void TheSizeOperationIsOpenWhileTheBlocksMove()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: fsync}, {op: collapse-range, offset: 2K, length: 2K}]",
            "{fs: ext4, block_size: 2K, folio_size: 4K, max_size: 12K, size: 0}");
        var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0, "ext4_ext_shift_extents");
        Assert.True(s.History.SizeOpSince);
        // a collapse ranks no zeros where data moved to
        s = Mechanism.Run(spec);
        Assert.All(Enumerable.Range(0, s.Inode.ISize), u => Assert.Equal(0, s.History.ZeroRank[u]));
    }

    [Fact]
    public void XfsStartsTheFlushAtThePageOfTheBlockBeforeTheRangeNotEarlier()
    {
        // 1K blocks, collapse at 8K: xfs_prepare_shift starts at 7K, so page 1 onwards goes and
        // page 0 stays cached and dirty
        const string ops = "[{op: buffered-write, offset: 0, length: 10K}, {op: collapse-range, offset: 8K, length: 1K}]";
        var s = Mechanism.Run(ScenarioText.OneThread(ops, File("xfs", "1K")));
        Assert.True(s.Folios[0].Present && s.Folios[0].Dirty);
        Assert.False(s.Folios[1].Present);
    }
}
