namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/PunchHole.cs, run to quiescence in one thread.</summary>
public class PunchHoleTests
{
    [Fact]
    public void PunchHoleFreesWholeBlocksZeroesThePartOnesAndDropsTheFolios()
    {
        // the same sequence agrees with the kernel (XFS, 2K blocks): extents w h h w, folio 0 dirty with zeros at 1K..2K
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: fsync}, {op: punch-hole, offset: 1K, length: 5K}]",
            "{block_size: 2K, folio_size: 4K, max_size: 8K, size: 0}");
        var s = Mechanism.Run(spec);
        Assert.Equal([ExtentType.Written, ExtentType.Hole, ExtentType.Hole, ExtentType.Written], s.Extents.ToArray());
        Assert.True(s.Folios[0].Present && s.Folios[0].Dirty);
        Assert.False(s.Folios[1].Present);
        Assert.Equal([DataTag.Write(1), DataTag.Zero], s.CacheData[..2].ToArray());
        Assert.Equal(8, s.Inode.ISize);
    }

    [Fact]
    public void PunchInsideALargeFolioZeroesItsPartInPlaceThroughTruncateInodePartialFolio()
    {
        // a 16K folio of 2K blocks, 4K pages: the punch 4K..12K is page aligned, so
        // truncate_inode_pages_range has no whole folio to drop and zeroes the middle of folio 0
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 16K}, {op: fsync}, {op: punch-hole, offset: 4K, length: 8K}]",
            "{block_size: 2K, folio_size: 16K, max_size: 16K, size: 0}");
        var s = Mechanism.Run(spec);
        Assert.True(s.Folios[0].Present && !s.Folios[0].Locked);
        var g = s.Geo;
        for (int u = 0; u < g.Units; u++)
        {
            long at = (long)u * g.UnitBytes;
            Assert.Equal(at is >= 4096 and < 12288 ? DataTag.Zero : DataTag.Write(1), s.CacheData[u]);
        }
        Assert.Equal([ExtentType.Written, ExtentType.Written, ExtentType.Hole, ExtentType.Hole, ExtentType.Hole, ExtentType.Hole, ExtentType.Written, ExtentType.Written], s.Extents.ToArray());
        Assert.Equal(16384 / g.UnitBytes, s.Inode.ISize);
    }

    [Fact]
    public void ZeroRangeFreesTheRangeThenPreallocatesItUnwrittenRoundedOutToBlocks()
    {
        // as the kernel shows it (conformance, XFS 2K blocks): the partial blocks stay written with
        // their part zeroed, the whole blocks come back unwritten, the size does not change
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: fsync}, {op: zero-range, offset: 1K, length: 5K}]",
            "{block_size: 2K, folio_size: 4K, max_size: 12K, size: 0}");
        var s = Mechanism.Run(spec);
        Assert.Equal([ExtentType.Written, ExtentType.Unwritten, ExtentType.Unwritten, ExtentType.Written, ExtentType.Hole, ExtentType.Hole], s.Extents.ToArray());
        Assert.Equal(8, s.Inode.ISize);
        Assert.True(s.History.ZeroRank[1] > 0 && s.History.ZeroRank[5] > 0 && s.History.ZeroRank[6] == 0);
    }

    [Fact]
    public void WithFreedBlockReuseTheFreeingStepMayHandTheBlockToAnotherFile()
    {
        var spec = ScenarioText.Parse("""
            id: t
            file: {block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}
            threads:
              - name: user
                ops: [{op: punch-hole, offset: 0, length: 4K}]
            actors: {device: irq}
            faults: [freed-block-reuse]
            """);
        var s = MachineBuilder.Build(spec, Variant.Default);
        s = Mechanism.RunUntil(s, 0, "xfs_free_file_space");
        Assert.Equal(2, Semantics.Alternatives(s, 0));
        var kept = Semantics.Execute(s, 0, 0, out _, out _);
        var reused = Semantics.Execute(s, 0, 1, out var ctx, out _);
        Assert.Equal(DataTag.Write(0), kept.Disk[0]);
        Assert.Equal(DataTag.Stale, reused.Disk[0]);
        Assert.Equal(DataTag.Write(0), reused.Disk[s.Geo.FirstUnitOfBlock(1)]); // only the freed block
        Assert.Contains(ctx.Notes, n => n.Contains("reused", StringComparison.Ordinal));
    }
}
