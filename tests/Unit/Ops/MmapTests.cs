namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Mmap.cs, run to quiescence in one thread.</summary>
public class MmapTests
{
    [Fact]
    public void MmapStoreFaultsDirtiesAndIsWrittenByFsync()
    {
        var spec = ScenarioText.OneThread("[{op: mmap-store, offset: 0, length: 4K}, {op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        Assert.Equal(DataTag.Write(1), o.Final.Disk[0]);
        Assert.Contains("iomap_page_mkwrite", o.Functions);
        Assert.False(o.Final.Folios[0].PteWritable); // writeback's folio_mkclean write-protected it again
    }

    private static (KernelState S, List<ModelEvent> Events) Run(string ops, string file, Variant? v = null)
    {
        var events = new List<ModelEvent>();
        var s = Mechanism.RunUntil(MachineBuilder.Build(ScenarioText.OneThread(ops, file), v ?? Variant.Default), 0, null, events);
        return (s, events);
    }

    private const string Small = "{block_size: 1K, folio_size: 4K, max_size: 8K, size: 1K, extents: [{offset: 0, length: 1K, type: written}]}";

    [Fact]
    public void AFaultPastEofTakesSigbusAndTouchesNothing()
    {
        var (load, loadEvents) = Run("[{op: mmap-read, offset: 4K, length: 1K}]", Small);
        Assert.Empty(loadEvents.OfType<ReadReturned>());
        Assert.False(load.Folios[1].Present);
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(load, 0, out _, out _));
        var (store, _) = Run("[{op: mmap-store, offset: 4K, length: 1K}]", Small);
        Assert.False(store.Folios[1].Present);
        Assert.Equal(DataTag.None, store.History.MustSurvive[4]);
    }

    [Fact]
    public void ALoadReadsTheFolioInAndReturnsOnlyWhatLiesBelowEof()
    {
        var (s, events) = Run("[{op: mmap-read, offset: 0, length: 4K}]", Small);
        Assert.True(s.Folios[0].Present);
        Assert.False(s.Folios[0].Dropbehind);
        Assert.False(s.Folios[0].Locked);
        Assert.Equal([0], events.OfType<ReadReturned>().Select(r => r.Unit)); // i_size is 1K
    }

    [Fact]
    public void AStoreReservesAndDirtiesOnlyTheBlocksBelowEof()
    {
        // 1K blocks in a 4K page, i_size 1K: page_mkwrite reserves block 0 only (block 1..3 stay holes)
        var (s, _) = Run("[{op: mmap-store, offset: 0, length: 1K}]", "{block_size: 1K, folio_size: 4K, max_size: 8K, size: 1K}");
        Assert.Equal(0b0001, s.Folios[0].DirtyMask);
        Assert.Equal(ExtentType.Delalloc, s.Extents[0]);
        Assert.Equal(ExtentType.Hole, s.Extents[1]);
        Assert.False(s.Folios[0].Dropbehind);
        Assert.True(s.Folios[0].PteMapped);
        Assert.Equal(1, s.Folios[0].PteWritablePages & 1);
    }

    [Fact]
    public void AStoreIntoAFolioUnderStableWriteIoIsReported()
    {
        var spec = ScenarioText.OneThread("[{op: mmap-store, offset: 0, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, mapped: true}]}");
        var s = MachineBuilder.Build(spec, Variant.Default);
        ref var f = ref s.FoliosW[0];
        f.Writeback = true;
        f.StableIo = true; // the PTE stayed writable: the store does not fault
        var events = new List<ModelEvent>();
        Mechanism.RunUntil(s, 0, null, events);
        Assert.Single(events.OfType<StablePagesBroken>());
    }

    [Fact]
    public void BeforeTheFixTheFaultWaitsForStablePagesUnlockedAndRetriesWhenTheFolioLeft()
    {
        var spec = ScenarioText.OneThread("[{op: mmap-store, offset: 0, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, stable_writes: true, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K}]}");
        var unlocked = Variant.Parse(["MkwriteLock=unlocked"]);
        var s = Mechanism.Step(MachineBuilder.Build(spec, unlocked), 0); // page_mkwrite, unlocked
        Assert.False(s.Folios[0].Locked);
        s.FoliosW[0].Writeback = true;
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(s, 0, out _, out var wait));
        Assert.Equal(WaitKind.FolioStable, wait.Wait.Kind);
        s.FoliosW[0].Writeback = false;
        // the folio leaves the cache before the PTE is installed: the fault starts again
        s.FoliosW[0] = default;
        s = Mechanism.Step(s, 0);
        Assert.Equal("iomap_page_mkwrite", s.Machine.Threads[0].Program[s.Threads[0].Pc].Function);
        s = Mechanism.RunUntil(s, 0);
        Assert.True(s.Folios[0].PteMapped);
        Assert.Equal(1, s.Folios[0].PteWritablePages & 1);
        Assert.True(s.Folios[0].Dirty);
    }

    private static KernelState Build(string ops, string file, Variant? v = null) =>
        MachineBuilder.Build(ScenarioText.OneThread(ops, file), v ?? Variant.Default);

    /// <summary>One step of thread 0 with its notes.</summary>
    private static (KernelState S, IReadOnlyList<string> Notes) StepWithNotes(KernelState s) => Mechanism.StepNoting(s, 0);

    private const string FourK = "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}";

    [Fact]
    public void AFaultOnThePageThatStartsAtEofIsBeyondIt()
    {
        // i_size 4K: the page at 4K starts exactly at EOF, so a load or store there takes SIGBUS
        var (load, notes) = StepWithNotes(Build("[{op: mmap-read, offset: 4K, length: 1K}]", FourK));
        Assert.Equal(["fault beyond EOF: SIGBUS"], notes);
        Assert.False(load.Folios[1].Present);
        for (int u = 0; u < load.Geo.Units; u++) Assert.Equal(0, load.Local(0, OpHistory.ScratchSlots + u)); // the read's window is closed
        var (store, storeNotes) = StepWithNotes(Build("[{op: mmap-store, offset: 4K, length: 1K}]", FourK));
        Assert.Equal(["fault beyond EOF: SIGBUS"], storeNotes);
        Assert.False(store.Folios[1].Present);
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(Mechanism.RunUntil(store, 0), 0, out _, out _));
    }

    [Fact]
    public void ALoadOfAnUncachedFolioTakesTheInvalidateLockButACachedOneDoesNot()
    {
        var s = Build("[{op: mmap-read, offset: 0, length: 1K}]", FourK);
        s.InodeW.InvalidateLock.Writer = 5; // a hole punch holds it
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(s, 0, out _, out var wait));
        Assert.Equal(WaitKind.InvalidateLock, wait.Wait.Kind);
        var cached = Build("[{op: mmap-read, offset: 0, length: 1K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K}]}");
        cached.InodeW.InvalidateLock.Writer = 5;
        Assert.Equal(ThreadStatus.Enabled, Semantics.Status(cached, 0, out _, out _));
        var (after, notes) = StepWithNotes(cached);
        Assert.Empty(notes); // already cached: nothing read in
        Assert.True(after.Folios[0].PteMapped);
    }

    [Fact]
    public void AFaultReadsTheFolioInAndSaysSo()
    {
        var (load, notes) = StepWithNotes(Build("[{op: mmap-read, offset: 0, length: 1K}]", FourK));
        Assert.Equal(["F0 read in"], notes);
        Assert.True(load.Folios[0].Uptodate(load.Geo));
        var (store, storeNotes) = StepWithNotes(Build("[{op: mmap-store, offset: 0, length: 1K}]", FourK));
        Assert.Equal(["filemap_fault: F0 read in"], storeNotes);
        Assert.True(store.Folios[0].Uptodate(store.Geo));
        Assert.Equal(0, store.Folios[0].LockOwner); // page_mkwrite returns with the folio locked
    }

    [Fact]
    public void AStoreFaultReadsACachedFolioThatIsNotUptodate()
    {
        var s = Build("[{op: mmap-store, offset: 0, length: 1K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K}]}");
        s.FoliosW[0].UptodateMask = 0; // a failed read left it cached but not uptodate
        var (after, notes) = StepWithNotes(s);
        Assert.Equal(["filemap_fault: F0 not uptodate, read"], notes);
        Assert.True(after.Folios[0].Uptodate(after.Geo));
        Assert.Equal(DataTag.Write(0), after.CacheData[1]); // the disk's bytes, not the store's
    }

    [Fact]
    public void AFaultOnADontcacheFolioMakesItAnOrdinaryOne()
    {
        const string cachedFile = "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K}]}";
        foreach (var op in new[] { "mmap-read", "mmap-store" })
        {
            var s = Build($"[{{op: {op}, offset: 0, length: 1K}}]", cachedFile);
            s.FoliosW[0].Dropbehind = true;
            s.FoliosW[0].DontcacheOrigin = true;
            var (after, _) = StepWithNotes(s);
            Assert.False(after.Folios[0].Dropbehind);
            Assert.False(after.Folios[0].DontcacheOrigin);
        }
    }

    [Fact]
    public void PageMkwriteReservesOnlyTheFaultingFoliosBlocks()
    {
        // 1K blocks in 4K folios, i_size 8K: the fault on F0 reserves blocks 0-3, not F1's block 4
        var (s, _) = StepWithNotes(Build("[{op: mmap-store, offset: 0, length: 1K}]", "{block_size: 1K, folio_size: 4K, max_size: 8K, size: 8K}"));
        Assert.All(Enumerable.Range(0, 4), b => Assert.Equal(ExtentType.Delalloc, s.Extents[b]));
        Assert.Equal(ExtentType.Hole, s.Extents[4]);
        Assert.Equal(0b1111, s.Folios[0].DirtyMask);
    }

    [Fact]
    public void BeforeTheFixPageMkwriteReturnsUnlockedAndADepartedFolioIsFaultedAgain()
    {
        var s = Build("[{op: mmap-store, offset: 0, length: 1K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K}]}",
            Variant.Parse(["MkwriteLock=unlocked"]));
        var (unlocked, notes) = StepWithNotes(s);
        Assert.Equal(["page_mkwrite returns unlocked (before 2.6.30)"], notes);
        unlocked = Mechanism.RunUntil(unlocked, 0, "do_wp_page");
        unlocked.FoliosW[0] = default; // reclaimed before the PTE is installed
        var (again, againNotes) = StepWithNotes(unlocked);
        Assert.Equal(["F0 left the cache: fault again"], againNotes);
        Assert.False(again.Folios[0].PteMapped);
        Assert.Equal(0, again.Folios[0].PteWritablePages);
    }
}
