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
}
