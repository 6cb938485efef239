namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Dropbehind.cs, run to quiescence in one thread.</summary>
public class DropbehindTests
{
    [Fact]
    public void DontcacheWriteCompletedInIrqLeavesTheFolioCachedWithItsCause()
    {
        var spec = ScenarioText.OneThread("[{op: dontcache-write, offset: 0, length: 4K}, {op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var s = Mechanism.Run(spec, Variant.Parse(["DropbehindIrq=skip", "XfsDontcacheWq=removed"]));
        Assert.True(s.Folios[0].Present && s.Folios[0].DontcacheOrigin);
        Assert.Equal((byte)LeakCause.IrqSkip, s.Folios[0].LeakCause);
        var unmarked = Mechanism.Run(spec, Variant.Parse(["DropbehindIrq=skip", "IoendDontcache=none"]));
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

    private const string Cached = "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 4K, mapped: true}]}";

    /// <summary>A cached DONTCACHE folio F0 under writeback, in a one-thread scenario of variant v.</summary>
    private static KernelState UnderWriteback(params string[] variant)
    {
        var s = MachineBuilder.Build(ScenarioText.OneThread("[{op: fsync}]", Cached), Variant.Parse(variant));
        ref var f = ref s.FoliosW[0];
        f.Dropbehind = f.DontcacheOrigin = true;
        f.Writeback = f.TagWriteback = true;
        f.WritebackMask = 1;
        return s;
    }

    /// <summary>folio_end_writeback on F0 in the context given, then the thread's folio_end_dropbehind continuation when one is owed.</summary>
    private static (KernelState S, List<string> Notes) End(KernelState s, ExecContext context)
    {
        var c = new StepContext { Tid = 0, Context = context };
        Completion.EndWriteback(s, 0, c);
        var (after, notes) = Continue(s);
        return (after, [.. c.Notes, .. notes]);
    }

    /// <summary>The thread's folio_end_dropbehind continuation, when one is owed.</summary>
    private static (KernelState S, List<string> Notes) Continue(KernelState s)
    {
        var notes = new List<string>();
        if (s.PendingDropbehind.Count > 0)
        {
            s = Semantics.Execute(s, 0, 0, out var ctx, out var step);
            Assert.Equal("folio_end_dropbehind", step.Function);
            notes.AddRange(ctx.Notes);
        }
        return (s, notes);
    }

    [Fact]
    public void InTaskContextACleanDropbehindFolioIsDroppedAndADirtyOrPteDirtyOneKept()
    {
        var (dropped, notes) = End(UnderWriteback().Clone(), ExecContext.Task);
        Assert.False(dropped.Folios[0].Present);
        Assert.Contains("F0 dropped (dropbehind)", notes);

        var redirtied = UnderWriteback().Clone();
        redirtied.FoliosW[0].Dirty = true; // a write dirtied it again under writeback
        var (kept, _) = End(redirtied, ExecContext.Task);
        Assert.True(kept.Folios[0].Present && kept.Folios[0].Dropbehind); // filemap_end_dropbehind leaves it alone

        var stored = UnderWriteback().Clone();
        stored.FoliosW[0].PteDirty = true;
        var (busy, _) = End(stored, ExecContext.Task);
        var f = busy.Folios[0];
        Assert.True(f.Present && f.Dirty && !f.PteMapped && !f.Dropbehind);
        Assert.Equal((byte)LeakCause.Busy, f.LeakCause);
    }

    [Fact]
    public void BeforeTheRecheckFixTheFlagIsClearedBeforeWritebackEndsAndAPteDirtyFolioIsBusy()
    {
        var (dropped, notes) = End(UnderWriteback("DropbehindRecheck=off").Clone(), ExecContext.Task);
        Assert.False(dropped.Folios[0].Present);
        Assert.Contains("F0 dropped (dropbehind, no re-check)", notes);

        var stored = UnderWriteback("DropbehindRecheck=off").Clone();
        stored.FoliosW[0].PteDirty = true;
        var c = new StepContext { Tid = 0, Context = ExecContext.Task };
        Completion.EndWriteback(stored, 0, c);
        Assert.False(stored.Folios[0].Dropbehind); // folio_test_clear_dropbehind ran before __folio_end_writeback
        var (busy, busyNotes) = Continue(stored);
        Assert.True(busy.Folios[0].Present && busy.Folios[0].Dirty && !busy.Folios[0].PteMapped);
        Assert.Equal(["F0 dirty under the xa_lock: -EBUSY"], busyNotes);
    }

    [Fact]
    public void InIrqContextTheBatchTakesTheFolioUntilItIsFull()
    {
        var s = UnderWriteback("DropbehindIrq=global-batch").Clone();
        var (queued, notes) = End(s, ExecContext.Irq);
        Assert.Equal([0], queued.DropbehindBatch.ToArray());
        Assert.Equal(WorkKind.DropbehindWork, Assert.Single(queued.Work.ToArray()).Kind);
        Assert.Equal((byte)LeakCause.None, queued.Folios[0].LeakCause);
        Assert.Equal(["F0 added to the dropbehind batch; schedule_work"], notes);

        var full = UnderWriteback("DropbehindIrq=global-batch").Clone();
        full.DropbehindBatchW.AddRange([1, 1]); // capacity 2
        var (skipped, skippedNotes) = End(full, ExecContext.Irq);
        Assert.Equal((byte)LeakCause.BatchFull, skipped.Folios[0].LeakCause);
        Assert.Equal(["F0 dropbehind batch full: skipped"], skippedNotes);
    }

    [Fact]
    public void ALockedFolioFailsTheTrylockAndStays()
    {
        var s = UnderWriteback().Clone();
        var c = new StepContext { Tid = 0, Context = ExecContext.Task };
        Completion.EndWriteback(s, 0, c);
        s.FoliosW[0].LockOwner = 1;
        s = Semantics.Execute(s, 0, 0, out var ctx, out _);
        Assert.True(s.Folios[0].Present);
        Assert.Equal((byte)LeakCause.TrylockFailed, s.Folios[0].LeakCause);
        Assert.Equal(["F0: folio_trylock failed, invalidation skipped"], ctx.Notes);
    }
}
