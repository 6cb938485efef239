namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/BufferedRead.cs: a folio not cached is filled by sync readahead, and the copy waits for its read.</summary>
public class BufferedReadTests
{
    private const string File4K = "{block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}";

    [Fact]
    public void AnUncachedFolioIsReadThroughABioAndTheCopyWaitsForIt()
    {
        var s = MachineBuilder.Build(ScenarioText.OneThread("[{op: buffered-read, offset: 0, length: 4K}]", File4K), Variant.Default);
        var events = new List<ModelEvent>();
        s = Mechanism.RunUntil(s, 0, events: events); // the i_rwsem, then page_cache_sync_ra; blocked in filemap_update_page
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(s, 0, out _, out var wait));
        Assert.Equal(WaitKind.FolioLock, wait.Wait.Kind);
        Assert.Equal(BioKind.Read, s.Bios[0].Kind);
        Assert.Empty(events.OfType<ReadReturned>());
        s = Mechanism.Step(s, s.Machine.DeviceTid);
        s = Mechanism.RunUntil(s, 0, events: events);
        Assert.Equal(DataTag.Write(0), events.OfType<ReadReturned>().Single().Tag);
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(s, 0, out _, out _));
    }

    [Fact]
    public void OnFuseTheFolioIsReadInPlace()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-read, offset: 0, length: 4K}]",
            "{fs: fuse, block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}",
            "{fuse_server: {threads: 1, behaviour: answers}}");
        Assert.DoesNotContain(MachineBuilder.Build(spec, Variant.Default).Machine.Threads[0].Program, p => p.Function == "filemap_read");
        Assert.Equal(DataTag.Write(0), Mechanism.Run(spec).CacheData[0]);
    }
}
