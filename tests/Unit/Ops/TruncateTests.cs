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
}
