namespace ModelCheck.Tests.Unit.Ops;

/// <summary>
/// src/Model/Ops/IsizeExtended.cs: pagecache_isize_extended when i_size grows past a block boundary
/// inside the old EOF folio (blocks smaller than the folio): the folio is write-protected and, when
/// dirty, the newly exposed part of it zeroed; nothing in every other case.
/// </summary>
public class IsizeExtendedTests
{
    private const string Note = "pagecache_isize_extended: F0 write-protected";

    private static (KernelState S, List<string> Notes) Run(string ops, string blockSize = "1K", Variant? v = null, string fs = "xfs")
    {
        var spec = ScenarioText.OneThread(ops, $"{{fs: {fs}, block_size: {blockSize}, folio_size: 4K, max_size: 8K, size: 0}}");
        var (s, notes, _) = Mechanism.RunRecording(spec, v);
        return (s, notes);
    }

    // ext4's growing truncate neither zeroes nor flushes, so what pagecache_isize_extended does is
    // all that happens to the old EOF folio; a store through the mapping put data past EOF in it
    private const string StorePastEofThenGrow =
        "[{op: buffered-write, offset: 0, length: 1K}, {op: mmap-store, offset: 1K, length: 1K}, {op: truncate, size: 3K}]";

    [Fact]
    public void GrowingPastABlockBoundaryInADirtyFolioZeroesWhatLayPastTheOldEof()
    {
        var (s, notes) = Run(StorePastEofThenGrow, fs: "ext4");
        Assert.Contains(Note, notes);
        Assert.True(s.Folios[0].Dirty);
        int k = 1024 / s.Geo.UnitBytes;
        Assert.Equal(DataTag.Write(1), s.CacheData[0]);
        for (int u = k; u < 3 * k; u++) Assert.Equal(DataTag.Zero, s.CacheData[u]);
        Assert.Equal(3 * k, s.Inode.ISize);
    }

    [Fact]
    public void BeforeTheHelperExistedTheStorePastEofBecomesFileData()
    {
        var (s, notes) = Run(StorePastEofThenGrow, v: Variant.Parse(["IsizeExtended=none"]), fs: "ext4");
        Assert.DoesNotContain(Note, notes);
        int k = 1024 / s.Geo.UnitBytes;
        Assert.Equal(DataTag.Write(2), s.CacheData[k]);
    }

    [Fact]
    public void ACleanFolioIsWriteProtectedAndStaysClean()
    {
        var (clean, notes) = Run("[{op: buffered-write, offset: 0, length: 1K}, {op: fsync}, {op: truncate, size: 3K}]", fs: "ext4");
        Assert.Contains(Note, notes);
        Assert.False(clean.Folios[0].Dirty);
    }

    [Theory]
    [InlineData("[{op: buffered-write, offset: 0, length: 1K}, {op: truncate, size: 3K}]", "4K")] // blocks as big as the page
    [InlineData("[{op: buffered-write, offset: 0, length: 4K}, {op: truncate, size: 6K}]", "1K")] // old EOF on a folio boundary
    [InlineData("[{op: buffered-write, offset: 0, length: 512}, {op: truncate, size: 1K}]", "1K")] // grows inside one block
    [InlineData("[{op: truncate, size: 3K}]", "1K")] // no folio cached at the old EOF
    public void NothingHappensWhenNoBlockBoundaryInsideTheOldEofFolioIsCrossed(string ops, string blockSize)
    {
        var (_, notes) = Run(ops, blockSize);
        Assert.DoesNotContain(notes, n => n.StartsWith("pagecache_isize_extended", StringComparison.Ordinal));
    }

    [Fact]
    public void AWriteBeyondEofInTheSameFolioExtendsThroughIt()
    {
        // buffered write at 3K with i_size 1K: pagecache_isize_extended(1K, 3K) before the copy
        var (s, notes) = Run("[{op: buffered-write, offset: 0, length: 1K}, {op: buffered-write, offset: 3K, length: 1K}]");
        Assert.Contains(Note, notes);
        int k = 1024 / s.Geo.UnitBytes;
        for (int u = k; u < 3 * k; u++) Assert.Equal(DataTag.Zero, s.CacheData[u]);
        Assert.Equal(DataTag.Write(2), s.CacheData[3 * k]);
    }
}
