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
    [Theory]
    [InlineData("xfs")]
    [InlineData("ext4")]
    public void APunchThatTakesWholePagesOfALargeFolioUnmapsItSoTheNextStoreFaults(string fs)
    {
        // the kernel splits the folio and truncates those pages (zapping their PTEs); the model's
        // folios do not split, so the folio's mapping goes: a later store faults into page_mkwrite
        // and dirties its blocks again instead of landing in a PTE that writeback would not see
        // (found by generate: a store whose fault was past page_mkwrite when the punch started
        // installs its PTE after the punch's unmap_mapping_range)
        var spec = ScenarioText.Parse($$"""
            id: t
            file: {fs: {{fs}}, block_size: 4K, folio_size: 8K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}
            threads:
              - name: store
                ops: [{op: mmap-store, offset: 0, length: 4K}]
              - name: punch
                ops: [{op: punch-hole, offset: 0, length: 4K}]
            actors: {device: irq}
            """);
        var s = MachineBuilder.Build(spec, Variant.Default);
        s = Mechanism.Step(s, 0); // page_mkwrite: F0 locked, not yet mapped
        s = Mechanism.RunUntil(s, 1); // the punch runs until F0's lock stops it
        s = Mechanism.Step(s, 0); // the fault installs its PTE and unlocks F0
        // the punch runs to its end (the device completing its writeback), then the store
        s = Mechanism.RunUntilWithActors(s, 1);
        s = DeterministicRun.ToQuiescence(s).Final;
        // the store lands where writeback will see it: block 0 dirty with its data (before the
        // fix, it landed through the stale PTE in a block whose dirty bit the punch had cleared)
        Assert.Equal(DataTag.Write(1), s.CacheData[0]);
        Assert.True((s.Folios[0].DirtyMask & 1) != 0);
    }

    private const string TwoMappedDirtyFolios =
        "{block_size: 2K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 8K, dirty: true, mapped: true}]}";

    [Theory]
    [InlineData("offset: 4K, length: 4K", 0)] // the range starts where F0 ends
    [InlineData("offset: 0, length: 4K", 1)] // the range ends where F1 starts
    public void AFolioNextToTheRangeIsNeitherWrittenBackNorUnmapped(string range, int outside)
    {
        var s = Mechanism.Run(ScenarioText.OneThread($"[{{op: punch-hole, {range}}}]", TwoMappedDirtyFolios));
        Assert.True(s.Folios[outside].Present);
        Assert.True(s.Folios[outside].Dirty);
        Assert.True(s.Folios[outside].PteMapped);
        Assert.False(s.Folios[1 - outside].Present);
    }

    [Theory]
    [InlineData("offset: 5K, length: 3K")] // past EOF
    [InlineData("offset: 5K, length: 1K")] // to EOF exactly
    public void ZeroingThatReachesEofInsideAPageWritesTheEofPageBack(string range)
    {
        // i_size 6K inside page 1, 2K blocks: the punch drops F1, xfs_zero_range zeroes 5K..6K of
        // block 2 through a folio read back in, and filemap_write_and_wait_range writes it
        var spec = ScenarioText.OneThread($"[{{op: punch-hole, {range}}}]",
            "{block_size: 2K, folio_size: 4K, max_size: 8K, size: 6K, extents: [{offset: 0, length: 6K, type: written}], cached: [{offset: 0, length: 8K, dirty: true}]}");
        var s = Mechanism.Run(spec);
        Assert.False(s.Folios[1].Present && s.Folios[1].Dirty);
        Assert.Equal(DataTag.Write(0), s.Disk[4]);
        Assert.Equal(DataTag.Zero, s.Disk[5]);
    }

    [Fact]
    public void ThePunchInProgressNamesTheUnitsItMayDiscard()
    {
        // thread 0 holds the invalidate_lock from the fallocate lock to the unlock: a write landing in
        // its range meanwhile may be lost either way
        var spec = ScenarioText.OneThread("[{op: punch-hole, offset: 2K, length: 4K}]", TwoMappedDirtyFolios);
        var s = MachineBuilder.Build(spec, Variant.Default);
        Assert.Equal((0, 0), PunchHole.InProgress(s));
        s = Mechanism.RunUntil(s, 0, "unmap_mapping_range");
        int k = 2048 / s.Geo.UnitBytes;
        Assert.Equal((k, 3 * k), PunchHole.InProgress(s));
        s = Mechanism.Run(spec);
        Assert.Equal((0, 0), PunchHole.InProgress(s));
    }

    [Fact]
    public void ZeroRangePreallocatesOnlyTheBlocksTheRangeTouches()
    {
        var s = Mechanism.Run(ScenarioText.OneThread("[{op: zero-range, offset: 0, length: 3K}]", "{block_size: 2K, folio_size: 4K, max_size: 8K, size: 8K}"));
        Assert.Equal([ExtentType.Unwritten, ExtentType.Unwritten, ExtentType.Hole, ExtentType.Hole], s.Extents.ToArray());
    }
}
