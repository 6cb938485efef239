using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// pagecache_isize_extended(from, to) (kernel-reference §2.5.1): when i_size grows past a block
/// boundary inside the old EOF folio (block size smaller than the folio), write-protect that
/// folio so the next mmap store faults into page_mkwrite and gets blocks allocated, and zero the
/// newly exposed range of a dirty folio. Its folio lookup is a plain one (clears PG_dropbehind).
/// Switch IsizeExtended=none is the kernel before it existed (90a8020278c1, 3.18).
/// </summary>
public static class IsizeExtended
{
    private static int Folio(KernelState s, int from, int to)
    {
        var g = s.Geo;
        if (from >= to || g.BlockBytes >= 4096) return -1; // bsize >= PAGE_SIZE: nothing to do
        if (s.Machine.Variant.IsizeExtended == Variants.IsizeExtendedMode.None) return -1; // before 3.18
        int roundedFrom = (from + g.UnitsPerBlock - 1) / g.UnitsPerBlock * g.UnitsPerBlock;
        if (to <= roundedFrom || from % g.UnitsPerFolio == 0) return -1;
        int i = g.FolioOfUnit(from);
        return s.Folios[i].Present ? i : -1;
    }

    public static Guard Check(KernelState s, int from, int to, int tid)
    {
        int i = Folio(s, from, to);
        return i < 0 ? Guard.Skip() : PageCache.LockGuard(s, i, tid);
    }

    public static void Apply(KernelState s, int from, int to, StepContext c)
    {
        int i = Folio(s, from, to);
        if (i < 0) return;
        var g = s.Geo;
        // filemap_lock_folio is a plain lookup: it takes PG_dropbehind off a DONTCACHE folio, so
        // that folio stays cached after its writeback (the live kernel keeps it)
        PageCache.NonDontcacheLookup(s, i);
        if (PageCache.Mkclean(s, i)) PageCache.MarkDirty(s, i);
        ref var f = ref s.FoliosW[i];
        if (f.Dirty)
            for (int u = from; u < Math.Min(to, g.FirstUnitOfFolio(i + 1)); u++) s.CacheDataW[u] = DataTag.Zero;
        c.Note($"pagecache_isize_extended: F{i} write-protected");
    }
}
