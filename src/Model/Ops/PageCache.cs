using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// Page-cache primitives shared by the operations: folio creation and deletion, dirtying,
/// reading blocks from disk, the writeback bit (mm/filemap.c, mm/page-writeback.c).
/// </summary>
public static class PageCache
{
    /// <summary>What a read of one unit from the data fork returns (hole and unwritten read as zeros).</summary>
    public static byte DiskRead(KernelState s, int unit)
    {
        int b = s.Geo.BlockOfUnit(unit);
        return s.Extents[b] == ExtentType.Written ? s.Disk[unit] : DataTag.Zero;
    }

    /// <summary>filemap_add_folio: a new locked, not uptodate folio.</summary>
    public static void AddFolio(KernelState s, int index, int tid, bool dropbehind)
    {
        ref var f = ref s.FoliosW[index];
        f = Folio.New(tid);
        f.Dropbehind = dropbehind;
        f.DontcacheOrigin = dropbehind;
        int u0 = s.Geo.FirstUnitOfFolio(index);
        for (int u = u0; u < u0 + s.Geo.UnitsPerFolio; u++) s.CacheDataW[u] = DataTag.None;
    }

    /// <summary>Reads the not-uptodate blocks of a folio from disk (iomap_read_folio / end_read).</summary>
    public static void ReadIn(KernelState s, int index)
    {
        ref var f = ref s.FoliosW[index];
        var g = s.Geo;
        for (int k = 0; k < g.BlocksPerFolio; k++)
        {
            if ((f.UptodateMask & (1 << k)) != 0) continue;
            int b = g.FirstBlockOfFolio(index) + k;
            for (int u = g.FirstUnitOfBlock(b); u < g.FirstUnitOfBlock(b + 1); u++) s.CacheDataW[u] = DiskRead(s, u);
            f.UptodateMask |= (byte)(1 << k);
        }
    }

    /// <summary>__filemap_get_folio without FGP_DONTCACHE: clear PG_dropbehind, the folio is now shared.</summary>
    public static void NonDontcacheLookup(KernelState s, int index)
    {
        ref var f = ref s.FoliosW[index];
        f.Dropbehind = false;
        f.DontcacheOrigin = false;
    }

    /// <summary>folio_mark_dirty (iomap_dirty_folio, block_dirty_folio): the blocks ->dirty_folio dirties (<see cref="Filesystems.FilesystemOps.FolioMarkDirtyMask"/>), PG_dirty, DIRTY mark.</summary>
    public static void MarkDirty(KernelState s, int index)
    {
        ref var f = ref s.FoliosW[index];
        f.DirtyMask = (byte)s.Machine.Fs.FolioMarkDirtyMask(s, index);
        MarkFolioDirty(ref f);
    }

    /// <summary>filemap_dirty_folio: PG_dirty and the DIRTY mark (the ifs bits are the caller's).</summary>
    public static void MarkFolioDirty(ref Folio f)
    {
        f.Dirty = true;
        f.TagDirty = true;
        f.Reclaim = false;
    }

    /// <summary>folio_mkclean: write-protect and clean shared PTEs; returns whether any was dirty or writable.</summary>
    public static bool Mkclean(KernelState s, int index)
    {
        ref var f = ref s.FoliosW[index];
        bool touched = f.PteMapped && (f.PteWritable || f.PteDirty);
        f.PteWritable = false;
        f.PteDirty = false;
        return touched;
    }

    /// <summary>__folio_start_writeback. The kernel VM_BUG_ONs unless the folio is locked and not under writeback.</summary>
    public static void StartWriteback(KernelState s, int index, int blockMask, bool stableIo, StepContext c, bool keepWrite = false)
    {
        ref var f = ref s.FoliosW[index];
        if (f.Writeback)
            c.Emit(new FolioFlagsBroken(index, $"folio_start_writeback on F{index} already under writeback (VM_BUG_ON_FOLIO(folio_test_writeback))"));
        if (!f.Locked)
            c.Emit(new FolioFlagsBroken(index, $"folio_start_writeback on unlocked F{index}"));
        f.Writeback = true;
        f.TagWriteback = true;
        if (!f.Dirty) f.TagDirty = false;
        if (!keepWrite) f.TagToWrite = false;
        f.WritebackMask = (byte)blockMask;
        f.StableIo = stableIo;
    }

    /// <summary>
    /// Zeroes units [from, to) in cached folios. With dirty, through the write path (iomap_zero_range:
    /// partial blocks filled first, only the zeroed blocks dirtied); otherwise folio_zero_segment.
    /// </summary>
    public static bool ZeroCached(KernelState s, int from, int to, bool dirty, StepContext c)
    {
        bool any = false;
        var g = s.Geo;
        for (int i = 0; i < g.Folios && from < to; i++)
        {
            int u0 = Math.Max(from, g.FirstUnitOfFolio(i)), u1 = Math.Min(to, g.FirstUnitOfFolio(i + 1));
            if (u0 >= u1 || !s.Folios[i].Present) continue;
            bool needed = false;
            for (int u = u0; u < u1; u++) needed |= s.CacheData[u] != DataTag.Zero;
            if (!needed) continue;
            if (dirty) BufferedWrite.CopyIntoFolio(s, i, u0, u1, DataTag.Zero, c);
            else
                for (int u = u0; u < u1; u++) s.CacheDataW[u] = DataTag.Zero;
            any = true;
        }
        return any;
    }

    /// <summary>
    /// filemap_release_folio fails: try_to_free_buffers keeps a folio whose buffers someone holds
    /// (b_count), so invalidation and reclaim leave it cached (-EBUSY).
    /// </summary>
    public static bool BuffersBusy(Folio f) => f.Buffers && f.BhRefs > 0;

    /// <summary>page_cache_delete: remove a folio from the mapping (caller holds its lock).</summary>
    public static void Delete(KernelState s, int index, StepContext c, string who)
    {
        ref var f = ref s.FoliosW[index];
        if (f.Writeback)
            c.Emit(new FolioFlagsBroken(index, $"{who} removed F{index} from the page cache while under writeback (freed page with PG_writeback)"));
        f = default;
        int u0 = s.Geo.FirstUnitOfFolio(index);
        for (int u = u0; u < u0 + s.Geo.UnitsPerFolio; u++) s.CacheDataW[u] = DataTag.None;
    }

    public static bool AnyFolio(KernelState s, Func<Folio, bool> pred)
    {
        foreach (var f in s.Folios) if (f.Present && pred(f)) return true;
        return false;
    }

    /// <summary>folio_wait_writeback(F): blocks while the folio is under writeback.</summary>
    public static Guard WaitWriteback(KernelState s, int index) =>
        s.Folios[index].Writeback ? Guard.Block(WaitKind.FolioWriteback, index, static t => $"folio_wait_writeback(F{t})") : Guard.Run;

    /// <summary>
    /// folio_lock(F) as a step of its own, when the folio is still cached; a folio that is gone skips
    /// to <paramref name="gone"/>. The "why" says which caller's lock it is.
    /// </summary>
    public static void EmitLock(ProgramBuilder b, int index, Label gone, string why) =>
        b.Add("folio_lock", (s, tid) => !s.Folios[index].Present ? Guard.Skip(gone) : LockGuard(s, index, tid),
            (s, c) => s.FoliosW[index].LockOwner = (sbyte)c.Tid, (_, _) => $"F{index} ({why})");

    public static Guard LockGuard(KernelState s, int index, int tid)
    {
        var f = s.Folios[index];
        if (f.Present && f.Locked && f.LockOwner != tid)
            return Guard.Block(WaitKind.FolioLock, index, static t => $"folio_lock(F{t})");
        return Guard.Run;
    }
}
