namespace ModelCheck.Tests.Unit.Ops;

/// <summary>
/// src/Model/Ops/Ext4PunchHole.cs: ext4_punch_hole's early return at EOF, the end cut to the EOF
/// page, and ext4_update_disksize_before_punch.
/// </summary>
public class Ext4PunchHoleTests
{
    private static (KernelState S, List<string> Notes, IReadOnlyList<string> Functions) Punch(string range, string file)
    {
        var spec = ScenarioText.OneThread($"[{{op: punch-hole, {range}}}]", $"{{fs: ext4, block_size: 1K, folio_size: 4K, max_size: 8K, {file}}}");
        return Mechanism.RunRecording(spec);
    }

    private const string Written8K = "extents: [{offset: 0, length: 8K, type: written}]";

    [Theory]
    [InlineData("offset: 2K, length: 2K")] // at EOF
    [InlineData("offset: 3K, length: 5K")] // past it
    public void APunchFromEofOnReturnsBeforeThePageCacheAndTheExtents(string range)
    {
        var (s, notes, functions) = Punch(range, $"size: 2K, {Written8K}, cached: [{{offset: 0, length: 4K, dirty: true}}]");
        Assert.Contains("no need to punch hole beyond i_size", notes);
        Assert.DoesNotContain("ext4_truncate_page_cache_block_range", functions);
        Assert.DoesNotContain("ext4_ext_remove_space", functions);
        Assert.All(s.Extents.ToArray(), e => Assert.Equal(ExtentType.Written, e));
        Assert.Equal(DataTag.Write(0), s.CacheData[3 * 1024 / s.Geo.UnitBytes]);
    }

    [Fact]
    public void ARangePastEofIsCutAtTheEndOfTheEofPage()
    {
        // i_size 2K: 1K..8K becomes 1K..4K, so the blocks preallocated past the EOF page stay
        var (s, notes, _) = Punch("offset: 1K, length: 7K", $"size: 2K, {Written8K}");
        Assert.Equal(ExtentType.Written, s.Extents[0]);
        Assert.All(Enumerable.Range(1, 3), b => Assert.Equal(ExtentType.Hole, s.Extents[b]));
        Assert.All(Enumerable.Range(4, 4), b => Assert.Equal(ExtentType.Written, s.Extents[b]));
        Assert.Equal(new[] { "blk 1 freed", "blk 2 freed", "blk 3 freed" }, notes.Where(n => n.EndsWith("freed", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("offset: 2K, length: 4K", "6K", true)] // the range ends past i_disksize, below EOF: raised to its end
    [InlineData("offset: 2K, length: 6K", "7K", true)] // past EOF: raised to EOF
    [InlineData("offset: 0, length: 4K", "4K", false)] // ends at i_disksize: nothing to raise
    [InlineData("offset: 0, length: 2K", "4K", false)] // ends below it
    public void TheOnDiskSizeIsRaisedToTheRangesEndBelowEofFirst(string range, string diskSize, bool raised)
    {
        var (s, notes, _) = Punch(range, $"size: 7K, disk_size: 4K, {Written8K}");
        int units = int.Parse(diskSize.TrimEnd('K'), System.Globalization.CultureInfo.InvariantCulture) * 1024 / s.Geo.UnitBytes;
        Assert.Equal(units, s.Inode.IDiskSize);
        Assert.Equal(raised, notes.Contains($"i_disksize = {diskSize}"));
    }
}
