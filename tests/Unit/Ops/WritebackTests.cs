namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Writeback.cs: iomap_writepages' EOF handling, which blocks a folio's bio writes, COW and delalloc at submission.</summary>
public class WritebackTests
{
    /// <summary>An fsync of the given file, with folio 0's per-block dirty bits set to dirtyMask, run until it waits for its bios.</summary>
    private static (KernelState S, List<string> Notes) Fsync(string file, byte? dirtyMask = null, int folio = 0, Action<KernelState>? setup = null)
    {
        var s = MachineBuilder.Build(ScenarioText.OneThread("[{op: fsync}]", file), Variant.Default);
        if (dirtyMask is { } m) s.FoliosW[folio].DirtyMask = m;
        setup?.Invoke(s);
        return Mechanism.RunNoting(s, 0);
    }

    [Fact]
    public void AFolioThatStartsAtEofIsCleanedWithoutIo()
    {
        // i_size 4K and a dirty F1 (a store raced a truncate): no I/O for it, its marks cleared
        var (s, notes) = Fsync("{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 4K, length: 4K, dirty: true}]}");
        var f = s.Folios[1];
        Assert.True(f.Present);
        Assert.False(f.Dirty || f.TagDirty || f.TagToWrite || f.Writeback);
        Assert.Equal(0, f.DirtyMask);
        Assert.Empty(s.Bios.ToArray());
        Assert.Contains("F1 beyond EOF: cleaned without I/O", notes);
        Assert.Equal(-1, f.LockOwner);
    }

    [Fact]
    public void TheEofFoliosBioWritesOnlyTheDirtyBlocksBelowEofAndItsTailIsZeroed()
    {
        // 1K blocks, i_size 2K: blocks 0 and 2 dirty, so one bio of block 0; block 2 lies past EOF
        var (s, _) = Fsync("{block_size: 1K, folio_size: 4K, max_size: 4K, size: 2K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, dirty: true}]}", 0b0101);
        var bio = Assert.Single(s.Bios.ToArray());
        Assert.Equal((0, 1), (bio.FirstBlock, bio.BlockCount));
        Assert.Equal(0b0001, s.Folios[0].WritebackMask);
        Assert.Equal(DataTag.Zero, s.CacheData[2]);
        Assert.Equal(DataTag.Zero, s.CacheData[3]);
        Assert.Equal(DataTag.Write(0), s.CacheData[1]);
    }

    [Fact]
    public void AFolioWithNothingToWriteStartsAndEndsWritebackAtOnce()
    {
        // the only dirty block (block 1) lies past i_size 1K: writeback starts and ends with no bio
        var (s, _) = Fsync("{block_size: 1K, folio_size: 4K, max_size: 4K, size: 1K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, dirty: true}]}", 0b0010);
        Assert.Empty(s.Bios.ToArray());
        var f = s.Folios[0];
        Assert.False(f.Writeback || f.TagWriteback || f.Dirty);
        Assert.Equal(-1, f.LockOwner);
    }

    [Fact]
    public void HolesAreNotWrittenButACowStagedHoleIs()
    {
        // a dirty block over a hole (the loader would reserve it: the state is set by hand) is not written
        const string file = "{block_size: 1K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, dirty: true}]}";
        var (hole, _) = Fsync(file, setup: s => s.ExtentsW[2] = s.ExtentsW[3] = ExtentType.Hole);
        Assert.Equal(0b0011, hole.Folios[0].WritebackMask);
        var (cow, notes) = Fsync(file, setup: s =>
        {
            for (int b = 0; b < 4; b++)
            {
                s.ExtentsW[b] = ExtentType.Hole;
                s.CowW[b] = CowType.Unwritten;
            }
        });
        Assert.Equal(0b1111, cow.Folios[0].WritebackMask);
        var bio = Assert.Single(cow.Bios.ToArray());
        Assert.True(bio.ToCow);
        Assert.All(cow.Cow.ToArray(), c => Assert.Equal(CowType.Written, c)); // xfs_reflink_convert_cow at submission
        Assert.Equal(["submit " + bio.Describe(cow.Geo)], notes);
    }

    [Fact]
    public void DelallocIsAllocatedUnwrittenAsOneExtentAndTheOldBytesAreStale()
    {
        // two delalloc blocks in a row are one extent: both become unwritten at the first one's writeback
        var (s, notes) = Fsync("{block_size: 1K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 4K, type: written}, {offset: 4K, length: 2K, type: delalloc}, {offset: 6K, length: 2K, type: hole}], cached: [{offset: 4K, length: 4K, dirty: true}]}", 0b0001, folio: 1,
            setup: s => s.ExtentsW[6] = s.ExtentsW[7] = ExtentType.Hole);
        Assert.Equal(ExtentType.Unwritten, s.Extents[4]);
        Assert.Equal(ExtentType.Unwritten, s.Extents[5]);
        Assert.Equal(ExtentType.Hole, s.Extents[6]);
        Assert.Equal(DataTag.Stale, s.Disk[5]);
        Assert.Contains("blks 4-5 delalloc -> unwritten", notes);
    }
}
