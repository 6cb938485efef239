using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>Why a dropbehind invalidation did not happen (the leak message names it).</summary>
public enum LeakCause : byte { None, IrqSkip, TrylockFailed, Busy, BatchFull, IoendFlagMissing }

/// <summary>
/// RWF_DONTCACHE's drop-behind at writeback completion (kernel-reference §2.3 step 11d, 3.3; corrections
/// items 5, 9). folio_end_writeback clears PG_writeback, then folio_end_dropbehind, in the same
/// context but as a separate step (other CPUs may run in between): in task context it trylocks and
/// calls filemap_end_dropbehind, which re-checks dirty and writeback under the lock; in IRQ it
/// skips, or (the dropbehind-deferral series) defers to a batch that a work item drains. DropbehindRecheck=off is the
/// 2025 pre-fix code: the flag is test-cleared before __folio_end_writeback and the invalidation
/// re-checks nothing but PG_dirty under the xa_lock.
/// </summary>
public static class Dropbehind
{
    /// <summary>Part of folio_end_writeback before __folio_end_writeback; returns the pre-fix local flag.</summary>
    public static bool BeforeEndWriteback(KernelState s, int i)
    {
        ref var f = ref s.FoliosW[i];
        if (s.Machine.Variant.Dropbehind.Recheck.On || f.Dirty || !f.Dropbehind) return false;
        f.Dropbehind = false; // folio_test_clear_dropbehind, unlocked
        return true;
    }

    /// <summary>Part of folio_end_writeback after __folio_end_writeback.</summary>
    public static void AfterEndWriteback(KernelState s, int i, bool preFixFlag, bool ioendMarked, StepContext c)
    {
        ref var f = ref s.FoliosW[i];
        bool preFix = !s.Machine.Variant.Dropbehind.Recheck.On;
        if (preFix ? !preFixFlag : !f.Dropbehind) return;
        if (c.InTask)
        {
            s.PendingDropbehindW.Add(new PendingDropbehind(i, c.Tid, preFix));
            return;
        }
        var irq = s.Machine.Variant.Dropbehind.Irq;
        if (!preFix && irq.Batches)
        {
            // folio_end_dropbehind_irq: global dropbehind_lock (or the CPU's list), a batch of fixed size
            if (s.DropbehindBatch.Count >= s.Machine.DropbehindBatchCapacity)
            {
                f.LeakCause = (byte)LeakCause.BatchFull;
                c.Note($"F{i} dropbehind batch full: skipped");
                return;
            }
            s.DropbehindBatchW.Add(i);
            if (!s.Work.Any(w => w.Kind == WorkKind.DropbehindWork)) s.WorkW.Add(new WorkItem(WorkKind.DropbehindWork, Bio.NoOwner, null));
            c.Note($"F{i} added to the dropbehind batch; schedule_work");
            return;
        }
        f.LeakCause = (byte)(ioendMarked ? LeakCause.IrqSkip : LeakCause.IoendFlagMissing);
        c.Note($"F{i} dropbehind skipped: !in_task()");
    }

    /// <summary>The continuation step: folio_end_dropbehind in the task that ended writeback.</summary>
    public static readonly Step Continuation = new()
    {
        Function = "folio_end_dropbehind",
        Check = (_, _) => Guard.Run,
        Apply = (s, c) =>
        {
            int k = s.PendingDropbehindW.FindIndex(p => p.Tid == c.Tid);
            var p = s.PendingDropbehind[k];
            s.PendingDropbehindW.RemoveAt(k);
            int i = p.Folio;
            if (!Trylock(s, i, c, ", invalidation skipped")) return;
            if (p.PreFix) UnmapInvalidatePreFix(s, i, c);
            else FilemapEndDropbehind(s, i, c);
        },
        Args = (s, tid) => $"F{s.PendingDropbehind.First(p => p.Tid == tid).Folio}",
    };

    /// <summary>The 2025 pre-fix folio_end_dropbehind_write: folio_unmap_invalidate with no writeback re-check.</summary>
    private static void UnmapInvalidatePreFix(KernelState s, int i, StepContext c)
    {
        ref var f = ref s.FoliosW[i];
        if (f.PteDirty)
        {
            f.PteMapped = f.PteWritable = f.PteDirty = false;
            PageCache.MarkDirty(s, i);
        }
        if (f.Dirty || PageCache.BuffersBusy(f))
        {
            f.LeakCause = (byte)LeakCause.Busy;
            c.Note($"F{i} {(f.Dirty ? "dirty under the xa_lock" : "buffers in use")}: -EBUSY");
            return;
        }
        PageCache.Delete(s, i, c, "folio_unmap_invalidate (pre-fix dropbehind)");
        c.Note($"F{i} dropped (dropbehind, no re-check)");
    }

    /// <summary>filemap_end_dropbehind (caller holds or just took the folio lock).</summary>
    public static void FilemapEndDropbehind(KernelState s, int i, StepContext c)
    {
        ref var f = ref s.FoliosW[i];
        if (f.Writeback || f.Dirty) return;
        if (!f.Dropbehind) return;
        f.Dropbehind = false;
        // folio_unmap_invalidate: unmapping moves PTE dirtiness into the folio; dirty -> -EBUSY
        if (f.PteDirty)
        {
            f.PteMapped = f.PteWritable = f.PteDirty = false;
            PageCache.MarkDirty(s, i);
            f.LeakCause = (byte)LeakCause.Busy;
            return;
        }
        if (PageCache.BuffersBusy(f))
        {
            f.LeakCause = (byte)LeakCause.Busy;
            c.Note($"F{i} buffers in use: -EBUSY");
            return;
        }
        PageCache.Delete(s, i, c, "filemap_end_dropbehind");
        c.Note($"F{i} dropped (dropbehind)");
    }

    /// <summary>The dropbehind-deferral series' dropbehind_work_fn: swap the batch, trylock each folio, invalidate, put.</summary>
    public static void WorkFn(KernelState s, StepContext c)
    {
        var batch = s.DropbehindBatch.ToList();
        s.DropbehindBatchW.Clear();
        foreach (int i in batch)
            if (Trylock(s, i, c, " in the worker, skipped")) FilemapEndDropbehind(s, i, c);
    }

    /// <summary>
    /// The folio_trylock before invalidating a dropbehind folio: false when the folio is gone, or
    /// when someone holds its lock (the folio then stays cached: the leak's cause is recorded).
    /// </summary>
    private static bool Trylock(KernelState s, int i, StepContext c, string skipped)
    {
        ref var f = ref s.FoliosW[i];
        if (!f.Present) return false;
        if (!f.Locked) return true;
        f.LeakCause = (byte)LeakCause.TrylockFailed;
        c.Note($"F{i}: folio_trylock failed{skipped}");
        return false;
    }
}
