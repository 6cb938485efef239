using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// mm/truncate.c::truncate_inode_pages_range(lstart, lend), the page-cache half of truncate and of
/// hole punch: pass 1 (find_lock_entries) removes the whole folios of the range that trylock and
/// are not under writeback, in one step; then the partial folios at either end are locked, waited
/// on and zeroed over the range (truncate_inode_partial_folio); pass 2 locks each remaining whole
/// folio, waits for its writeback and removes it, and restarts until a lookup of the range finds
/// nothing. Ranges are in units, lend exclusive.
/// </summary>
public static class TruncateRange
{
    public static void Emit(ProgramBuilder b, int lstart, int lend)
    {
        var g = b.Geo;
        int upf = g.UnitsPerFolio;
        int fullStart = (lstart + upf - 1) / upf, fullEnd = Math.Max(fullStart, lend / upf); // whole folios, end exclusive
        int partialStart = lstart % upf != 0 ? g.FolioOfUnit(lstart) : -1;
        int partialEnd = lend % upf != 0 && lend < g.Units && g.FolioOfUnit(lend) != partialStart ? g.FolioOfUnit(lend) : -1;
        b.Add("truncate_inode_pages_range",
            (s, _) => AnyPresent(s, fullStart, fullEnd) ? Guard.Run : Guard.Skip(),
            (s, c) =>
            {
                // pass 1 (find_lock_entries): only folios that trylock and are not under writeback
                for (int i = fullStart; i < fullEnd; i++)
                {
                    var f = s.Folios[i];
                    if (!f.Present || f.Locked || f.Writeback) continue;
                    PageCache.Delete(s, i, c, "truncate_inode_pages_range");
                    c.Note($"F{i} removed");
                }
            }, (_, _) => "pass 1");
        if (partialStart >= 0) EmitPartial(b, partialStart, lstart, lend);
        if (partialEnd >= 0) EmitPartial(b, partialEnd, lstart, lend);
        if (fullStart >= fullEnd) return;
        var pass2 = b.MarkHere();
        for (int fi = fullStart; fi < fullEnd; fi++)
        {
            int i = fi;
            var after = b.NewLabel();
            PageCache.EmitLock(b, i, after, "pass 2");
            b.Add("truncate_inode_folio",
                (s, _) => PageCache.WaitWriteback(s, i),
                (s, c) =>
                {
                    PageCache.Delete(s, i, c, "truncate_inode_folio");
                    c.Note($"F{i} removed");
                }, (_, _) => $"F{i}");
            b.Mark(after);
        }
        // pass 2 ends only when a lookup from the start of the range finds nothing (find_get_entries
        // restarts it otherwise): that lookup is a critical section of its own, after which a folio
        // added to the range (a fill path that does not take the invalidate_lock) stays
        b.Add("find_get_entries",
            (_, _) => Guard.Run,
            (s, c) =>
            {
                if (!AnyPresent(s, fullStart, fullEnd)) return;
                c.Note("a folio was added behind pass 2: restart from the start of the range");
                c.Goto(pass2);
            }, (_, _) => "pass 2: is the range empty?");
    }

    private static bool AnyPresent(KernelState s, int from, int to)
    {
        for (int i = from; i < to; i++)
            if (s.Folios[i].Present) return true;
        return false;
    }

    /// <summary>truncate_inode_partial_folio: lock, wait for writeback, zero the range's part, forget its whole blocks' dirtiness.</summary>
    private static void EmitPartial(ProgramBuilder b, int pf, int lstart, int lend)
    {
        var g = b.Geo;
        int z0 = Math.Max(lstart, g.FirstUnitOfFolio(pf)), z1 = Math.Min(lend, g.FirstUnitOfFolio(pf + 1));
        var after = b.NewLabel();
        PageCache.EmitLock(b, pf, after, "truncate_inode_partial_folio");
        b.Add("truncate_inode_partial_folio",
            (s, _) => PageCache.WaitWriteback(s, pf),
            (s, c) =>
            {
                ref var f = ref s.FoliosW[pf];
                for (int u = z0; u < z1; u++) s.CacheDataW[u] = DataTag.Zero;
                // a large folio that loses whole pages is split and those pages go, PTEs and all
                // (split_folio, then the caller's truncation); the model's folios do not split, so
                // their mapping goes: the next store faults into page_mkwrite again
                if (z1 - z0 >= g.UnitsPerPage && g.UnitsPerFolio > g.UnitsPerPage && f.PteMapped)
                {
                    if (f.PteDirty) PageCache.MarkDirty(s, pf); // zap_pte_range: folio_mark_dirty
                    f.PteMapped = f.PteWritable = f.PteDirty = false;
                }
                for (int k = 0; k < g.BlocksPerFolio; k++)
                {
                    int blk = g.FirstBlockOfFolio(pf) + k;
                    if (g.FirstUnitOfBlock(blk) >= z0 && g.FirstUnitOfBlock(blk + 1) <= z1) f.DirtyMask &= (byte)~(1 << k);
                }
                f.LockOwner = -1;
            }, (_, _) => $"F{pf}");
        b.Mark(after);
    }
}
