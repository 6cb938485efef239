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
}
