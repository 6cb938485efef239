using ModelCheck.Explore.Runs;
using ModelCheck.Model.Ops;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

public class MechanismTests
{
    private static KernelState Run(ScenarioSpec spec, Variant? v = null) =>
        DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, v ?? Variant.Default)).Final;

    [Fact]
    public void BufferedWriteDirtiesFolioReservesDelallocAndExtendsISize()
    {
        var s = Run(ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}]"));
        Assert.Equal(1, s.Inode.ISize);
        Assert.Equal(0, s.Inode.IDiskSize);
        Assert.True(s.Folios[0].Dirty && s.Folios[0].TagDirty && !s.Folios[0].Locked);
        Assert.Equal(ExtentType.Delalloc, s.Extents[0]);
        Assert.Equal(DataTag.Write(1), s.CacheData[0]);
        Assert.False(s.Folios[1].Present);
    }

    [Fact]
    public void FsyncAllocatesWritesAndRaisesDiskSizeThroughXfsEndIo()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}, {op: fsync}]");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        var s = o.Final;
        Assert.Equal(ExtentType.Written, s.Extents[0]);
        Assert.Equal(DataTag.Write(1), s.Disk[0]);
        Assert.Equal(1, s.Inode.IDiskSize);
        Assert.False(s.Folios[0].Dirty || s.Folios[0].Writeback || s.Folios[0].TagDirty || s.Folios[0].TagWriteback);
        Assert.Contains("xfs_end_bio", o.Functions); // an append ioend completes through the XFS workqueue
        Assert.Contains("xfs_end_io", o.Functions);
        Assert.Contains(o.Events, e => e is DurabilityPoint);
    }

    [Fact]
    public void TruncateRemovesFoliosFreesBlocksAndSetsSizes()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: fsync}, {op: truncate, size: 0}]");
        var s = Run(spec);
        Assert.Equal(0, s.Inode.ISize);
        Assert.Equal(0, s.Inode.IDiskSize);
        Assert.All(s.Folios, f => Assert.False(f.Present));
        Assert.All(s.Extents, e => Assert.Equal(ExtentType.Hole, e));
        Assert.Equal(0, s.History.TruncSize);
    }

    [Fact]
    public void TruncateToMidFolioZeroesTheTailOfThePartialFolio()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: truncate, size: 2K}]",
            "{block_size: 2K, folio_size: 4K, max_size: 8K, size: 0}");
        var s = Run(spec);
        Assert.Equal(1, s.Inode.ISize); // one 2K unit
        Assert.True(s.Folios[0].Present);
        Assert.False(s.Folios[1].Present);
        Assert.Equal(DataTag.Write(1), s.CacheData[0]);
        Assert.Equal(DataTag.Zero, s.CacheData[1]);
    }

    [Fact]
    public void SyncWriteThroughConvertsUnwrittenAndRaisesSizeBeforeReturning()
    {
        var spec = ScenarioText.OneThread("[{op: writethrough, offset: 4K, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        var s = o.Final;
        Assert.Equal(2, s.Inode.ISize);
        Assert.Equal(2, s.Inode.IDiskSize);
        Assert.Equal(ExtentType.Written, s.Extents[1]);
        Assert.Equal(DataTag.Write(1), s.Disk[1]);
        Assert.False(s.Inode.StableWrites);
        Assert.False(s.Folios[1].Dirty || s.Folios[1].Writeback);
        Assert.False(s.Wt[0].Active);
        var fns = o.Functions.ToList();
        Assert.True(fns.IndexOf("iomap_writethrough_bio_end_io") < fns.LastIndexOf("iomap_writethrough_complete"));
    }

    [Theory]
    [InlineData("on", 0)]
    [InlineData("off", 0)]
    public void AioWriteThroughDropsItsDioReferenceAtCompletion(string dioCount, int expected)
    {
        var spec = ScenarioText.OneThread("[{op: aio-writethrough, offset: 0, length: 4K}]");
        var s = Run(spec, Variant.Parse([$"WtAioDioCount={dioCount}"]));
        Assert.Equal(expected, s.Inode.DioCount);
        Assert.Equal(1, s.Inode.ISize);
    }

    [Fact]
    public void AioWriteThroughHoldsTheDioCountWhileInFlight()
    {
        var spec = ScenarioText.OneThread("[{op: aio-writethrough, offset: 0, length: 4K}]");
        var s = MachineBuilder.Build(spec, Variant.Parse(["WtAioDioCount=on"]));
        // run only the user thread: the bio stays in flight
        while (Semantics.Alternatives(s, 0) > 0) s = Semantics.Execute(s, 0, 0, out _, out _);
        Assert.Equal(1, s.Inode.DioCount);
        Assert.Single(s.Bios);
        Assert.True(s.Folios[0].Writeback);
        Assert.True(s.Inode.StableWrites);
    }

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
    public void MmapStoreFaultsDirtiesAndIsWrittenByFsync()
    {
        var spec = ScenarioText.OneThread("[{op: mmap-store, offset: 0, length: 4K}, {op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        Assert.Equal(DataTag.Write(1), o.Final.Disk[0]);
        Assert.Contains("iomap_page_mkwrite", o.Functions);
        Assert.False(o.Final.Folios[0].PteWritable); // writeback's folio_mkclean write-protected it again
    }

    [Fact]
    public void ReclaimEvictsCleanFoliosAndKeepsDirtyOnes()
    {
        var spec = ScenarioText.OneThread("[{op: memory-pressure}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 4K}, {offset: 4K, length: 4K, dirty: true}]}");
        var s = Run(spec);
        Assert.False(s.Folios[0].Present);
        Assert.True(s.Folios[1].Present && s.Folios[1].Reclaim);
    }

    [Fact]
    public void DontcacheWriteCompletedInIrqLeavesTheFolioCachedWithItsCause()
    {
        var spec = ScenarioText.OneThread("[{op: dontcache-write, offset: 0, length: 4K}, {op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var s = Run(spec, Variant.Parse(["DropbehindIrq=skip", "XfsDontcacheWq=removed"]));
        Assert.True(s.Folios[0].Present && s.Folios[0].DontcacheOrigin);
        Assert.Equal((byte)LeakCause.IrqSkip, s.Folios[0].LeakCause);
        var unmarked = Run(spec, Variant.Parse(["DropbehindIrq=skip", "IoendDontcache=none"]));
        Assert.Equal((byte)LeakCause.IoendFlagMissing, unmarked.Folios[0].LeakCause);
    }

    [Fact]
    public void DontcacheWriteIsDroppedWhenItsBioCompletesInTask()
    {
        var spec = ScenarioText.OneThread("[{op: dontcache-write, offset: 0, length: 4K}, {op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        Assert.False(o.Final.Folios[0].Present);
        Assert.Contains("bio_complete_work_fn", o.Functions);
        Assert.Contains("folio_end_dropbehind", o.Functions);
        Assert.Equal(DataTag.Write(1), o.Final.Disk[0]);
    }

    [Fact]
    public void DoubleStartWritebackIsReportedAsAFolioFlagsEvent()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}]");
        var s = Run(spec);
        s.FoliosW[0].Writeback = true;
        s.FoliosW[0].LockOwner = 0;
        var ctx = new StepContext { Context = ExecContext.Task };
        PageCache.StartWriteback(s, 0, 1, false, ctx);
        Assert.Contains(ctx.Events, e => e is FolioFlagsBroken);
    }

    [Theory]
    [InlineData("temp-page", 1, false)]
    [InlineData("no-temp-page", 0, true)]
    public void FuseWritebackCopiesIntoATempFolioOrKeepsWritebackUntilTheServerAnswers(string mode, int copies, bool writebackWhilePending)
    {
        var spec = ScenarioText.Parse("""
            id: f
            file: {fs: fuse, block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, dirty: true}]}
            threads:
              - name: user
                ops: [{op: fsync}]
            actors: {fuse_server: {threads: 1, behaviour: answers}}
            """);
        var s = MachineBuilder.Build(spec, Variant.Parse([$"FuseWriteback={mode}"]));
        // the user thread writes back; the server has not answered yet
        var events = new List<ModelEvent>();
        while (s.FuseRequests.Count == 0)
        {
            s = Semantics.Execute(s, 0, 0, out var ctx, out _);
            events.AddRange(ctx.Events);
        }
        Assert.Single(s.FuseRequests);
        Assert.Equal(copies, events.OfType<CopyMade>().Count());
        Assert.Equal(writebackWhilePending, s.Folios[0].Writeback);
        var done = DeterministicRun.ToQuiescence(s).Final;
        Assert.Empty(done.FuseRequests);
        Assert.False(done.Folios[0].Writeback);
        Assert.Equal(DataTag.Write(0), done.Disk[0]);
    }

    [Fact]
    public void IntegrityWritebackSkipsACleanFolioUnderWritebackWithoutWaiting()
    {
        // folio_prepare_writeback returns "not dirty" before its WB_SYNC_ALL folio_wait_writeback
        var spec = ScenarioText.OneThread("[{op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, dirty: false}]}");
        var s = MachineBuilder.Build(spec, Variant.Default).Clone();
        ref var f = ref s.FoliosW[0];
        f.Writeback = f.TagWriteback = f.TagToWrite = true; // written back by someone else, still in flight
        var program = s.Machine.Threads[0].Program;
        int pc = Array.FindIndex(program, st => st.Function == "iomap_writepages");
        Assert.Equal(GuardKind.Run, program[pc].Check(s, 0).Kind);
        f.Dirty = true; // dirty again: now the integrity pass waits for the writeback in flight
        Assert.Equal(GuardKind.Block, program[pc].Check(s, 0).Kind);
    }

    [Fact]
    public void PunchHoleFreesWholeBlocksZeroesThePartOnesAndDropsTheFolios()
    {
        // the same sequence agrees with the kernel (XFS, 2K blocks): extents w h h w, folio 0 dirty with zeros at 1K..2K
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: fsync}, {op: punch-hole, offset: 1K, length: 5K}]",
            "{block_size: 2K, folio_size: 4K, max_size: 8K, size: 0}");
        var s = Run(spec);
        Assert.Equal([ExtentType.Written, ExtentType.Hole, ExtentType.Hole, ExtentType.Written], s.Extents);
        Assert.True(s.Folios[0].Present && s.Folios[0].Dirty);
        Assert.False(s.Folios[1].Present);
        Assert.Equal([DataTag.Write(1), DataTag.Zero], s.CacheData.AsSpan(0, 2).ToArray());
        Assert.Equal(8, s.Inode.ISize);
    }
}
