namespace ModelCheck.Tests.Unit.Ops;

/// <summary>
/// src/Model/Ops/Ext4Fallocate.cs, through ext4 hole punch: ext4_truncate_page_cache_block_range
/// (a partial page that loses a whole block is write-protected, the whole pages' PTEs zapped) and
/// ext4_zero_partial_blocks (the partial blocks at either end, or the one block a small range is in).
/// </summary>
public class Ext4FallocateTests
{
    /// <summary>
    /// ext4, 8K written and cached, every folio mapped; a store at the start of each page that lies
    /// below EOF makes its PTE writable and dirty; then the punch.
    /// </summary>
    private static (KernelState S, List<string> Notes, IReadOnlyList<string> Functions) Punch(
        string range, string bs = "1K", string folio = "4K", string size = "8K")
    {
        string stores = size == "8K"
            ? "{op: mmap-store, offset: 0, length: 512}, {op: mmap-store, offset: 4K, length: 512}"
            : "{op: mmap-store, offset: 0, length: 512}";
        var spec = ScenarioText.OneThread($"[{stores}, {{op: punch-hole, {range}}}]",
            $"{{fs: ext4, block_size: {bs}, folio_size: {folio}, max_size: 8K, size: {size}, extents: [{{offset: 0, length: 8K, type: written}}], cached: [{{offset: 0, length: 8K, mapped: true}}]}}");
        return Mechanism.RunRecording(spec);
    }

    [Fact]
    public void APartialPageThatLosesAWholeBlockIsWriteProtectedAndKeepsItsMapping()
    {
        // 1K blocks: 1K..3K takes blocks 1 and 2 out of page 0, which stays cached and mapped read-only
        var (s, notes, _) = Punch("offset: 1K, length: 2K");
        Assert.Contains("F0 write-protected", notes);
        Assert.True(s.Folios[0].Present);
        Assert.True(s.Folios[0].PteMapped);
        Assert.False(s.Folios[0].PteWritable);
        Assert.True(s.Folios[1].PteWritable); // page 1 is outside the range
        Assert.DoesNotContain("F1 write-protected", notes);
    }

    [Fact]
    public void ARangeOverThePageBoundaryWriteProtectsBothPartialPages()
    {
        var (s, notes, _) = Punch("offset: 1K, length: 5K");
        Assert.Contains("F0 write-protected", notes);
        Assert.Contains("F1 write-protected", notes);
        Assert.False(s.Folios[0].PteWritable);
        Assert.False(s.Folios[1].PteWritable);
    }

    [Theory]
    [InlineData("offset: 1K, length: 512", "1K")] // no whole block inside the page's part of the range
    [InlineData("offset: 1K, length: 2K", "4K")] // blocks as big as the page: nothing partial to protect
    [InlineData("offset: 0, length: 4K", "1K")] // page-aligned: page 0 is truncated, not protected
    public void NoPageIsWriteProtectedWithoutAWholeBlockInAPartialPage(string range, string bs)
    {
        var (s, notes, _) = Punch(range, bs);
        Assert.DoesNotContain(notes, n => n.EndsWith("write-protected", StringComparison.Ordinal));
        Assert.True(s.Folios[1].PteWritable);
    }

    [Fact]
    public void APartialPagePastEofIsNotWriteProtected()
    {
        // i_size 2K: the punch of 2K..3K starts at EOF and returns before the page cache
        var (s, notes, functions) = Punch("offset: 2K, length: 1K", size: "2K");
        Assert.DoesNotContain("F0 write-protected", notes);
        Assert.DoesNotContain("ext4_truncate_page_cache_block_range", functions);
        Assert.True(s.Folios[0].PteWritable);
    }

    [Fact]
    public void TheWholePagesOfALargeFolioLoseTheirMappingAndTheFolioStays()
    {
        // 8K folios of two pages: 4K..8K is page 1 of F0, zapped; F0 is partial, so it is zeroed in place
        var (s, _, _) = Punch("offset: 4K, length: 4K", bs: "4K", folio: "8K");
        Assert.True(s.Folios[0].Present);
        Assert.False(s.Folios[0].PteMapped);
        Assert.Equal(DataTag.Zero, s.CacheData[s.Geo.UnitsPerFolio - 1]);
    }

    [Fact]
    public void AWholePageRangeInTheSecondFolioLeavesTheFirstMapped()
    {
        var (s, _, _) = Punch("offset: 4K, length: 4K", bs: "4K");
        Assert.True(s.Folios[0].PteMapped);
        Assert.True(s.Folios[0].PteWritable);
        Assert.False(s.Folios[1].Present);
    }

    [Theory]
    [InlineData("offset: 1K, length: 1K", "4K", true)] // inside one block, partial: zeroed through the page cache
    [InlineData("offset: 0, length: 4K", "4K", false)] // one whole block: removed, nothing to zero
    [InlineData("offset: 4K, length: 1K", "4K", true)] // starts on a boundary, ends inside the block
    [InlineData("offset: 1K, length: 3K", "4K", true)] // starts inside, ends on the boundary
    public void OneBlockIsZeroedInPlaceOnlyWhenTheRangeDoesNotCoverIt(string range, string bs, bool zeroes)
    {
        var (_, _, functions) = Punch(range, bs);
        Assert.Equal(zeroes, functions.Contains("ext4_zero_partial_blocks"));
    }
}
