using ModelCheck.Invariants;

namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Readahead.cs: folios added locked, read bios completed by the device, and the fill path's invalidate_lock.</summary>
public class ReadaheadTests
{
    private const string File8K = "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}";

    [Fact]
    public void ReadaheadLeavesLockedFoliosThatTheDeviceFillsFromDiskAndUnlocks()
    {
        var spec = ScenarioText.OneThread("[{op: readahead, offset: 0, length: 8K}]", File8K);
        var s = MachineBuilder.Build(spec, Variant.Default);
        int user = 0, device = s.Machine.DeviceTid;
        s = Mechanism.RunUntil(s, user); // xfs_file_fadvise, page_cache_ra_unbounded, read_pages: the call returns before the I/O ends
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(s, user, out _, out _));
        Assert.Equal(device, s.Folios[0].LockOwner);
        Assert.False(s.Folios[0].Uptodate(s.Geo));
        Assert.Single(s.Bios.ToArray());
        Assert.Equal(BioKind.Read, s.Bios[0].Kind);
        Assert.False(s.Inode.InvalidateLock.HeldBy(user));
        s = Mechanism.Step(s, device);
        Assert.Empty(s.Bios.ToArray());
        Assert.All(new[] { 0, 1 }, i => Assert.True(s.Folios[i].Present && !s.Folios[i].Locked && s.Folios[i].Uptodate(s.Geo)));
        Assert.All(s.CacheData.ToArray(), t => Assert.Equal(DataTag.Write(0), t));
    }

    [Fact]
    public void ReadaheadZeroFillsHolesWithoutIoAndStopsAtEof()
    {
        // block 0 a hole, 6K file: folio 0 is all hole (no bio, unlocked at once), folio 1 reads block 1
        var spec = ScenarioText.OneThread("[{op: readahead, offset: 0, length: 12K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 12K, size: 6K, extents: [{offset: 4K, length: 4K, type: written}]}");
        var s = Mechanism.Run(spec);
        Assert.True(s.Folios[0].Present && !s.Folios[0].Locked && s.Folios[0].Uptodate(s.Geo));
        Assert.Equal(DataTag.Zero, s.CacheData[0]);
        Assert.Equal(DataTag.Write(0), s.CacheData[s.Geo.FirstUnitOfFolio(1)]);
        Assert.False(s.Folios[2].Present); // at or past EOF: force_page_cache_ra reads nothing there
    }

    [Fact]
    public void XfsHoldsTheIolockSharedAroundFadvise()
    {
        var spec = ScenarioText.OneThread("[{op: readahead, offset: 0, length: 8K}]", File8K);
        var s = MachineBuilder.Build(spec, Variant.Default);
        Assert.Equal("xfs_file_fadvise", s.Machine.Threads[0].Program[0].Function);
        s = Mechanism.Step(s, 0);
        Assert.True(s.Inode.IRwsem.HeldBy(0));
        s = Mechanism.Step(Mechanism.Step(s, 0), 0);
        Assert.False(s.Inode.IRwsem.HeldBy(0));
    }

    [Theory]
    [InlineData("filemap", false)]
    [InlineData("fs-only", true)]
    public void ReadaheadBetweenThePunchsTruncationAndItsExtentFreeingCachesTheOldBlocksOverTheHole(string fill, bool raced)
    {
        var spec = ScenarioText.Parse($$"""
            id: t
            file: {{File8K}}
            threads:
              - name: punch
                ops: [{op: punch-hole, offset: 0, length: 4K}, {op: buffered-read, offset: 0, length: 4K}]
              - name: ra
                ops: [{op: readahead, offset: 0, length: 4K}]
            actors: {device: irq}
            """);
        var s = MachineBuilder.Build(spec, new Variant(new Dictionary<string, string> { ["FillInvalidateLock"] = fill, ["FadviseLock"] = "none" }));
        int punch = 0, ra = 1, device = s.Machine.DeviceTid;
        s = Mechanism.RunUntil(s, punch, "xfs_free_file_space"); // the page cache of the range is truncated, the blocks not yet freed
        bool raRuns = Semantics.Status(s, ra, out _, out _) == ThreadStatus.Enabled;
        Assert.Equal(raced, raRuns); // with the invalidate_lock (or XFS's IOLOCK: the test below), readahead waits for the punch
        if (!raced) return;
        s = Mechanism.Step(Mechanism.Step(s, ra), ra); // adds F0, maps block 0 (still written), submits the read
        s = Mechanism.RunUntil(s, punch, "xfs_zero_range");
        Assert.Equal(ExtentType.Hole, s.Extents[0]);
        s = Mechanism.Step(s, device); // the read lands the old block's bytes in F0
        var events = new List<ModelEvent>();
        s = Mechanism.RunUntil(s, punch, events: events);
        var read = events.OfType<ReadReturned>().First();
        Assert.Equal(DataTag.Write(0), read.Tag);
        Assert.True(read.FloorIsZeroing);
        Assert.NotNull(new ZeroedRange().AfterStep(s, events));
    }
}
