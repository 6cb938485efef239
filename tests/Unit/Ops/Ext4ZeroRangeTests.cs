namespace ModelCheck.Tests.Unit.Ops;

/// <summary>
/// src/Model/Ops/Ext4ZeroRange.cs: ext4_zero_range's i_disksize update before the page-cache
/// truncation, and its two preallocations (the edges included for a partial range, then the whole
/// blocks converted).
/// </summary>
public class Ext4ZeroRangeTests
{
    private static (KernelState S, List<string> Notes, IReadOnlyList<string> Functions) Zero(string range, string file)
    {
        var spec = ScenarioText.OneThread($"[{{op: zero-range, {range}}}]", $"{{fs: ext4, block_size: 2K, folio_size: 4K, max_size: 8K, {file}}}");
        return Mechanism.RunRecording(spec);
    }

    [Theory]
    [InlineData("offset: 2K, length: 2K", "4K", true)] // ends below EOF past i_disksize: raised to its end
    [InlineData("offset: 2K, length: 6K", "6K", true)] // ends past EOF: raised to EOF
    [InlineData("offset: 0, length: 2K", "2K", false)] // ends at i_disksize: unchanged
    [InlineData("offset: 6K, length: 2K", "6K", true)] // starts at EOF, not past it: raised to EOF
    public void TheOnDiskSizeIsRaisedToTheRangesEndClippedToEof(string range, string diskSize, bool noted)
    {
        var (s, notes, _) = Zero(range, "size: 6K, disk_size: 2K, extents: [{offset: 0, length: 6K, type: written}]");
        Assert.Equal(int.Parse(diskSize.TrimEnd('K'), System.Globalization.CultureInfo.InvariantCulture) * 1024 / s.Geo.UnitBytes, s.Inode.IDiskSize);
        Assert.Equal(noted, notes.Contains($"i_disksize = {diskSize}"));
    }

    [Fact]
    public void ARangeStartingPastEofLeavesTheOnDiskSize()
    {
        var (s, notes, _) = Zero("offset: 6K, length: 2K", "size: 4K, disk_size: 2K, extents: [{offset: 0, length: 4K, type: written}]");
        Assert.Equal(2048 / s.Geo.UnitBytes, s.Inode.IDiskSize);
        Assert.DoesNotContain(notes, n => n.StartsWith("i_disksize", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("offset: 1K, length: 5K", 2)] // partial start: the edges, then the whole blocks
    [InlineData("offset: 2K, length: 3K", 2)] // partial end
    [InlineData("offset: 2K, length: 4K", 1)] // aligned: the whole blocks only
    [InlineData("offset: 3K, length: 512", 1)] // inside one block: the edges only
    public void APartialRangePreallocatesItsEdgesFirst(string range, int allocations)
    {
        var (s, notes, functions) = Zero(range, "size: 8K, extents: [{offset: 0, length: 2K, type: written}]");
        Assert.Equal(allocations, functions.Count(f => f == "ext4_alloc_file_blocks"));
        Assert.Contains("blk 1 hole -> unwritten", notes);
        Assert.Equal(ExtentType.Unwritten, s.Extents[1]);
    }
}
