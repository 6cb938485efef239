using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// A user store through a MAP_SHARED mapping (kernel-reference §2.13). Through a writable PTE the
/// store is invisible to the kernel; otherwise it faults (__xfs_write_fault holds the invalidate
/// lock, XFS_MMAPLOCK_SHARED, around it): filemap_fault finds or reads the
/// folio (a non-DONTCACHE lookup), iomap_page_mkwrite locks it, checks truncation, reserves
/// blocks and marks it dirty, folio_wait_stable waits for writeback when the mapping needs
/// stable pages, then the PTE becomes writable and the store is retried.
/// </summary>
public static class Mmap
{
    /// <summary>
    /// A load through a MAP_SHARED mapping: filemap_fault finds the folio (a non-DONTCACHE lookup),
    /// reads it in under the invalidate_lock if it is not cached, locks it and maps it; the load
    /// returns the folio's contents. No i_rwsem is taken.
    /// </summary>
    public static void EmitLoad(ProgramBuilder b, int from, int to)
    {
        var g = b.Geo;
        int i = g.FolioOfUnit(from);
        b.Add("filemap_fault",
            (s, tid) => !s.Folios[i].Present && !s.Inode.InvalidateLock.CanRead
                ? Guard.Block(WaitKind.InvalidateLock, "filemap_invalidate_lock_shared")
                : PageCache.LockGuard(s, i, tid),
            (s, c) =>
            {
                OpHistory.ReadStarted(s, c.Tid);
                if (PageStart(g, from) >= s.Inode.ISize)
                {
                    c.Note("fault beyond EOF: SIGBUS");
                    OpHistory.ReadDone(s, c.Tid);
                    return;
                }
                ref var f = ref s.FoliosW[i];
                if (!f.Present)
                {
                    PageCache.AddFolio(s, i, c.Tid, dropbehind: false);
                    c.Note($"F{i} read in");
                }
                if (!f.Uptodate(g)) PageCache.ReadIn(s, i);
                PageCache.NonDontcacheLookup(s, i);
                f.LockOwner = -1;
                f.PteMapped = true;
                for (int u = from; u < Math.Min(to, s.Inode.ISize); u++)
                    OpHistory.ReadUnit(s, c.Tid, "mmap-read", u, s.CacheData[u], c);
                OpHistory.ReadDone(s, c.Tid);
            },
            (_, _) => $"F{i} {BufferedWrite.Range(g, from, to)}");
    }

    public static void EmitStore(ProgramBuilder b, int from, int to, int writeId)
    {
        var g = b.Geo;
        int i = g.FolioOfUnit(from);
        bool locked = b.Variant.MkwriteLocked;
        if (PageStart(g, to - 1) != PageStart(g, from)) throw new ArgumentException("an mmap store must stay inside one page");
        var fault = b.MarkHere();
        var end = b.NewLabel();
        var store = b.NewLabel();
        b.Add("iomap_page_mkwrite",
            (s, tid) =>
            {
                var f = s.Folios[i];
                if (f.Present && (f.PteWritablePages & g.PageBit(from)) != 0) return Guard.Skip(store.Index);
                // __xfs_write_fault takes XFS_MMAPLOCK_SHARED around page_mkwrite, cached folio or not
                if (!s.Inode.InvalidateLock.CanRead)
                    return Guard.Block(WaitKind.InvalidateLock, "xfs_ilock(XFS_MMAPLOCK_SHARED)");
                return PageCache.LockGuard(s, i, tid);
            },
            (s, c) =>
            {
                if (PageStart(g, from) >= s.Inode.ISize)
                {
                    c.Note("fault beyond EOF: SIGBUS");
                    c.Goto(end);
                    return;
                }
                ref var f = ref s.FoliosW[i];
                if (!f.Present)
                {
                    PageCache.AddFolio(s, i, c.Tid, dropbehind: false);
                    PageCache.ReadIn(s, i);
                    c.Note($"filemap_fault: F{i} read in");
                }
                else if (!f.Uptodate(g))
                {
                    PageCache.ReadIn(s, i); // filemap_fault reads a folio that is not uptodate
                    c.Note($"filemap_fault: F{i} not uptodate, read");
                }
                PageCache.NonDontcacheLookup(s, i);
                f.LockOwner = (sbyte)c.Tid;
                // folio_mkwrite_check_truncate: blocks are reserved, and dirtied, only up to EOF
                // (iomap_page_mkwrite's ifs_set_range_dirty, block_page_mkwrite's block_commit_write)
                int mask = 0;
                for (int blk = g.FirstBlockOfFolio(i); blk < g.FirstBlockOfFolio(i + 1) && g.FirstUnitOfBlock(blk) < s.Inode.ISize; blk++)
                {
                    if (s.Extents[blk] == ExtentType.Hole && s.Cow[blk] == CowType.None) s.ExtentsW[blk] = ExtentType.Delalloc;
                    mask |= g.BlockBit(blk);
                }
                f.DirtyMask |= (byte)mask;
                PageCache.MarkFolioDirty(ref f);
                if (!locked)
                {
                    f.LockOwner = -1;
                    c.Note("page_mkwrite returns unlocked (before 2.6.30)");
                }
            },
            (_, _) => $"F{i}");
        if (!locked)
        {
            // before 2.6.30 the page was not locked here: the stable wait happened in the file
            // system's page_mkwrite, the PTE install and set_page_dirty follow as steps of their own
            b.Add("wait_for_stable_page",
                (s, _) => s.Inode.StableWrites && s.Folios[i].Writeback
                    ? Guard.Block(WaitKind.FolioStable, i, static t => $"folio_wait_stable(F{t})")
                    : Guard.Skip(),
                (_, _) => { });
        }
        else b.Add("folio_wait_stable",
            (s, _) => s.Inode.StableWrites && s.Folios[i].Writeback
                ? Guard.Block(WaitKind.FolioStable, i, static t => $"folio_wait_stable(F{t})")
                : Guard.Run,
            (s, c) =>
            {
                ref var f = ref s.FoliosW[i];
                f.PteMapped = true;
                f.PteWritablePages |= (byte)g.PageBit(from);
                f.LockOwner = -1;
            },
            (_, _) => $"F{i}; PTE writable; folio_unlock");
        if (!locked) EmitUnlockedFaultEnd(b, i, from, fault);
        b.Mark(store);
        b.Add("mmap_store",
            (s, _) => s.Folios[i].Present && (s.Folios[i].PteWritablePages & g.PageBit(from)) != 0 ? Guard.Run : Guard.Skip(fault.Index),
            (s, c) =>
            {
                ref var f = ref s.FoliosW[i];
                if (f.Writeback && f.StableIo)
                    c.Emit(new StablePagesBroken(i, $"store changed F{i} while its stable-write I/O was in flight"));
                OpHistory.WriteStarted(s, writeId, from, to);
                for (int u = from; u < to; u++) s.CacheDataW[u] = DataTag.Write(writeId);
                OpHistory.WriteApplied(s, DataTag.Write(writeId), from, to);
                f.PteDirty = true;
                OpHistory.WriteDone(s, writeId, from, to);
            },
            (_, _) => $"F{i} {BufferedWrite.Range(g, from, to)}");
        b.Mark(end);
    }

    /// <summary>
    /// The end of a write fault before 2.6.30 (MkwriteLock=unlocked), with the page unlocked: do_wp_page
    /// installs the writable, dirty PTE under the PTE lock, then set_page_dirty_balance dirties the page.
    /// A page that left the cache meanwhile is faulted again (the model does not map orphaned pages).
    /// </summary>
    private static void EmitUnlockedFaultEnd(ProgramBuilder b, int i, int from, Label fault)
    {
        var g = b.Geo;
        b.Add("do_wp_page",
            (_, _) => Guard.Run,
            (s, c) =>
            {
                ref var f = ref s.FoliosW[i];
                if (!f.Present)
                {
                    c.Note($"F{i} left the cache: fault again");
                    c.Goto(fault);
                    return;
                }
                f.PteMapped = true;
                f.PteWritablePages |= (byte)g.PageBit(from);
            },
            (_, _) => $"F{i}; PTE writable (page unlocked)");
        b.Add("set_page_dirty_balance",
            (_, _) => Guard.Run,
            (s, c) => PageCache.MarkDirty(s, i),
            (_, _) => $"F{i}");
    }

    /// <summary>The first unit of the page holding unit u (filemap_fault's SIGBUS test is per page).</summary>
    private static int PageStart(Geometry g, int u) => u / g.UnitsPerPage * g.UnitsPerPage;
}
