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
    [Theory]
    [InlineData("default", true)]
    [InlineData("FillInvalidateLock=fs-only", false)]
    public void FilemapUpdatePageReadsACachedFolioThatIsNotUptodateUnderTheInvalidateLock(string variant, bool waits)
    {
        // ext4's partial-block zeroing in a hole punch leaves folio 0 cached with only block 0 read
        // in; an unlocked read of it (ext4) must wait for the punch's invalidate_lock, or it reads
        // block 1 before the punch frees it (read-punch-ext4)
        var spec = ScenarioText.Parse("""
            id: t
            file: {fs: ext4, block_size: 2K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}
            threads:
              - name: punch
                ops: [{op: punch-hole, offset: 1K, length: 4K}]
              - name: reader
                ops: [{op: buffered-read, offset: 0, length: 4K}]
            actors: {device: irq}
            """);
        var s = MachineBuilder.Build(spec, Variant.Parse([variant]));
        s = Mechanism.RunUntil(s, 0, "ext4_ext_remove_space");
        Assert.True(s.Folios[0].Present && !s.Folios[0].Uptodate(s.Geo));
        s = Mechanism.Step(s, 1); // generic_file_read_iter
        var status = Semantics.Status(s, 1, out _, out var guard);
        Assert.Equal(waits ? ThreadStatus.Blocked : ThreadStatus.Enabled, status);
        if (waits) Assert.Equal(WaitKind.InvalidateLock, guard.Wait.Kind);
    }

    [Fact]
    public void AReadDropsACleanDontcacheFolioItReadButNotADirtyOne()
    {
        const string file = "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 4K}]}";
        foreach (bool dirty in new[] { false, true })
        {
            var s = MachineBuilder.Build(ScenarioText.OneThread("[{op: buffered-read, offset: 0, length: 4K}]", file), Variant.Default);
            s.FoliosW[0].Dropbehind = true;
            s.FoliosW[0].Dirty = dirty;
            var end = Mechanism.RunUntil(s, 0);
            Assert.Equal(dirty, end.Folios[0].Present);
            if (dirty) Assert.False(end.Folios[0].Locked);
        }
    }

    [Fact]
    public void AReadStopsAtEofInsideAFolio()
    {
        var events = new List<ModelEvent>();
        var s = MachineBuilder.Build(ScenarioText.OneThread("[{op: buffered-read, offset: 0, length: 8K}]",
            "{block_size: 1K, folio_size: 4K, max_size: 8K, size: 5K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 8K}]}"), Variant.Default);
        var end = Mechanism.RunUntil(s, 0, events: events);
        Assert.Equal([0, 1, 2, 3, 4], events.OfType<ReadReturned>().Select(r => r.Unit)); // up to i_size 5K
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(end, 0, out _, out _));
    }
}
