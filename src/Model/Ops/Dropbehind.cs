using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>Why a dropbehind invalidation did not happen (the leak message names it).</summary>
public enum LeakCause : byte { None, IrqSkip, TrylockFailed, Busy }

/// <summary>
/// RWF_DONTCACHE's drop-behind: folio_end_dropbehind runs the invalidation only in task context
/// and only if folio_trylock succeeds; filemap_end_dropbehind re-checks dirty and writeback
/// under the lock (reference 2.3 step 11d, corrections item 5).
/// </summary>
public static class Dropbehind
{
    public static void FolioEndDropbehind(KernelState s, int i, StepContext c)
    {
        ref var f = ref s.Folios[i];
        if (!f.Dropbehind) return;
        if (!c.InTask)
        {
            f.LeakCause = (byte)LeakCause.IrqSkip;
            c.Note($"F{i} dropbehind skipped: !in_task()");
            return;
        }
        if (f.Locked)
        {
            f.LeakCause = (byte)LeakCause.TrylockFailed;
            c.Note($"F{i} dropbehind skipped: folio_trylock failed");
            return;
        }
        FilemapEndDropbehind(s, i, c);
    }

    /// <summary>filemap_end_dropbehind (caller holds or just took the folio lock).</summary>
    public static void FilemapEndDropbehind(KernelState s, int i, StepContext c)
    {
        ref var f = ref s.Folios[i];
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
        PageCache.Delete(s, i, c, "filemap_end_dropbehind");
        c.Note($"F{i} dropped (dropbehind)");
    }
}
