namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/DirectIo.cs, run to quiescence in one thread.</summary>
public class DirectIoTests
{
    [Fact]
    public void DioReadOfUnwrittenExtentReturnsZeros()
    {
        var spec = ScenarioText.OneThread("[{op: dio-read, offset: 0, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: unwritten}]}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        var r = Assert.Single(o.Events.OfType<ReadReturned>());
        Assert.Equal(DataTag.Zero, r.Tag);
    }

    [Fact]
    public void AnAioWriteReturnsAfterSubmissionAndCompletesOnTheDioWorkqueue()
    {
        var spec = ScenarioText.OneThread("[{op: aio-dio-write, offset: 0, length: 4K}, {op: aio-wait}]",
            "{block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}");
        var s = MachineBuilder.Build(spec, Variant.Default);
        int app = 0, device = s.Machine.DeviceTid, wq = s.Machine.ThreadIndex("wq");
        s = Mechanism.RunUntil(s, app);
        // returned -EIOCBQUEUED: the IOLOCK is free, the bio in flight, io_getevents waits
        Assert.False(s.Inode.IRwsem.HeldBy(app));
        Assert.Equal(1, s.Inode.DioCount);
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(s, app, out _, out _));
        Assert.Equal(DataTag.None, s.History.MustSurvive[0]); // not complete, nothing owed yet
        s = Semantics.Execute(s, device, 0, out _, out _);
        Assert.Single(s.Work.ToArray());
        s = Semantics.Execute(s, wq, 0, out var ctx, out _);
        Assert.Equal("iomap_dio_complete_work", ctx.Function);
        Assert.Equal(0, s.Inode.DioCount);
        Assert.Equal(DataTag.Write(1), s.History.MustSurvive[0]); // ki_complete: the write returned
        Assert.Equal(ThreadStatus.Enabled, Semantics.Status(s, app, out _, out _));
    }

    [Fact]
    public void BeforeEndIoTheSyncWriteInvalidatesBeforeConvertingAndAtCompletionAfter()
    {
        var spec = ScenarioText.OneThread("[{op: dio-write, offset: 0, length: 4K}]",
            "{block_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: unwritten}]}");
        static List<string> Order(KernelState s) =>
            [.. s.Machine.Threads[0].Program.Select(p => p.Function).Where(f => f is "iomap_dio_complete" or "invalidate_inode_pages2_range" or "kiocb_invalidate_post_direct_write")];
        // the first invalidation is the one before submission (kiocb_invalidate_pages), in both
        Assert.Equal(["invalidate_inode_pages2_range", "invalidate_inode_pages2_range", "iomap_dio_complete"],
            Order(MachineBuilder.Build(spec, Variant.Parse(["DioInvalidate=before-end-io"]))));
        Assert.Equal(["invalidate_inode_pages2_range", "iomap_dio_complete", "kiocb_invalidate_post_direct_write"],
            Order(MachineBuilder.Build(spec, Variant.Default)));
        // and the write still ends converted, with its data on disk
        var s = Mechanism.Run(spec, Variant.Parse(["DioInvalidate=before-end-io"]));
        Assert.Equal(ExtentType.Written, s.Extents[0]);
        Assert.Equal(DataTag.Write(1), s.Disk[0]);
    }

    [Fact]
    public void AFolioRedirtiedBeforeTheInvalidationMakesTheWriteFallBackToABufferedOne()
    {
        // a store dirtied the cached folio between the flush and invalidate_inode_pages2_range:
        // -EBUSY, then -ENOTBLK from iomap_dio_rw, and XFS writes through the page cache instead
        var spec = ScenarioText.OneThread("[{op: dio-write, offset: 0, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 4K, type: written}, {offset: 4K, length: 4K, type: hole}], cached: [{offset: 0, length: 4K, mapped: true}]}");
        var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0, "invalidate_inode_pages2_range");
        s.FoliosW[0].PteDirty = true;
        s = Semantics.Execute(s, 0, 0, out var inval, out _);
        Assert.Equal(["F0 dirty: -EBUSY, left cached"], inval.Notes);
        Assert.True(s.Folios[0].Present && s.Folios[0].Dirty && !s.Folios[0].PteMapped); // the unmap moved the PTE's dirt
        s = Semantics.Execute(s, 0, 0, out var dio, out _);
        Assert.Equal("xfs_file_buffered_write", dio.Function);
        Assert.Equal(["-ENOTBLK: a cached folio could not be invalidated, buffered fallback"], dio.Notes.Take(1));
        Assert.Empty(s.Bios.ToArray());
        Assert.Equal(0, s.Inode.DioCount);
        Assert.All(Enumerable.Range(0, s.Geo.UnitsPerFolio), u => Assert.Equal(DataTag.Write(1), s.CacheData[u]));
        Assert.True(s.Folios[0].Dirty && !s.Folios[0].Locked);
        Assert.Equal(DataTag.Write(0), s.Disk[0]); // not written yet: writeback will
        var end = DeterministicRun.ToQuiescence(s).Final;
        Assert.Equal(DataTag.Write(1), end.History.MustSurvive[0]);
    }

    [Theory]
    [InlineData("written", 0)]
    [InlineData("unwritten", 1)]
    [InlineData("hole", 1)]
    public void AnUnalignedWritesBioCarriesTheBlocksOldBytesOrZerosForANewBlock(string extent, int zeros)
    {
        // 4K blocks, 1K units: the O_DIRECT write of [1K, 2K) sends the whole block 0
        var spec = ScenarioText.OneThread("[{op: dio-write, offset: 1K, length: 1K}]",
            $"{{block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{{offset: 0, length: 4K, type: {extent}}}]}}");
        var s0 = MachineBuilder.Build(spec, Variant.Default);
        for (int u = 0; u < 4; u++) s0.H.MustSurvive[u] = DataTag.Write(0);
        var s = Mechanism.RunUntil(s0, 0);
        var bio = Assert.Single(s.Bios.ToArray());
        byte around = zeros == 1 ? DataTag.Zero : DataTag.Write(0);
        Assert.Equal([around, DataTag.Write(1), around, around], bio.Data);
        Assert.Equal([DataTag.Write(0), DataTag.None, DataTag.Write(0), DataTag.Write(0)], s.History.MustSurvive.ToArray());
        Assert.Equal(extent == "written" ? ExtentType.Written : ExtentType.Unwritten, s.Extents[0]);
        if (extent == "hole") Assert.Equal(DataTag.Stale, s.Disk[0]); // allocated unwritten: the old owner's bytes
    }

    [Fact]
    public void AnExtendingAioWriteConvertsGrowsTheSizeAndIsOwedWhenItCompletes()
    {
        var spec = ScenarioText.OneThread("[{op: aio-dio-write, offset: 0, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 0}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        var s = o.Final;
        Assert.Contains("iomap_dio_complete_work", o.Functions);
        Assert.Equal(s.Geo.UnitsPerFolio, s.Inode.ISize);
        Assert.Equal(s.Inode.ISize, s.Inode.IDiskSize);
        Assert.Equal(ExtentType.Written, s.Extents[0]);
        Assert.Equal(ExtentType.Hole, s.Extents[1]);
        Assert.Equal(DataTag.Write(1), s.History.MustSurvive[0]);
        Assert.Equal(0, s.Inode.DioCount);
        Assert.Equal(0, s.Local(0, OpHistory.AioInFlightSlot(s.Geo)));
    }
}
