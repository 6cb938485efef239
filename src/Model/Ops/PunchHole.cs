using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) on XFS (xfs_file_fallocate ->
/// xfs_free_file_space): the i_rwsem and the invalidate lock exclusive, inode_dio_wait;
/// xfs_flush_unmap_range writes back and waits for the range rounded out to pages and then
/// truncates it from the page cache (truncate_pagecache_range: unmap_mapping_range, then the
/// truncate_inode_pages_range step program truncate uses); the whole blocks inside the range
/// are freed (holes); the partial blocks at either end are zeroed through iomap_zero_range, up to
/// EOF only; if that zeroing reached EOF inside a page, the EOF page is written back.
/// fallocate(FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE) (xfs_falloc_zero_range) is the same
/// xfs_free_file_space followed by xfs_alloc_file_space, which allocates unwritten extents over
/// the holes of the range rounded out to blocks.
/// </summary>
public static class PunchHole
{
    /// <summary>
    /// The punched range's data is being discarded: nothing in it is owed, and reads may see zeros.
    /// While the operation holds its locks, a write that completes inside the range (a store whose
    /// fault was past page_mkwrite when the punch took the invalidate_lock) is concurrent with it and
    /// may be discarded too: either order is legal (<see cref="InProgress(KernelState)"/>).
    /// </summary>
    public static void DiscardHistory(KernelState s, int from, int to)
    {
        var h = s.H;
        for (int u = from; u < to; u++)
        {
            h.Floor[u] = 0;
            h.MustSurvive[u] = DataTag.None;
        }
    }

    /// <summary>
    /// The units [From, To) a punch, zero range, collapse or insert in progress may discard, while its
    /// thread holds the invalidate_lock (both file systems hold it from before the page-cache
    /// truncation to the return); empty when none is.
    /// </summary>
    public static (int From, int To) InProgress(KernelState s)
    {
        int t = s.Inode.InvalidateLock.Writer;
        if (t < 0 || t >= s.Threads.Length) return (0, 0);
        var op = s.Machine.Threads[t].OpAt(s.Threads[t].Pc);
        return op is null ? (0, 0) : (op.DiscardFrom, op.DiscardTo);
    }

    public static void Emit(ProgramBuilder b, int from, int to, bool zeroRange = false)
    {
        var g = b.Geo;
        int page = g.UnitsPerPage;
        // xfs_flush_unmap_range rounds the range out to max(block size, page size)
        int round = Math.Max(page, g.UnitsPerBlock);
        int rFrom = from / round * round, rTo = (to + round - 1) / round * round; // rTo exclusive
        InodeLock.EmitFallocateLock(b, "xfs_file_fallocate", (_, _) => $"{(zeroRange ? "ZERO_RANGE" : "PUNCH_HOLE")}|KEEP_SIZE {BufferedWrite.Range(g, from, to)}");
        Writeback.FolioFilter inRange = (_, _, i) => g.FirstUnitOfFolio(i + 1) > rFrom && g.FirstUnitOfFolio(i) < rTo;
        Writeback.EmitRange(b, SyncMode.All, inRange);
        Writeback.EmitWaitRange(b, inRange);
        // truncate_pagecache_range: unmap_mapping_range, then the page-cache truncation truncate shares
        b.Add("unmap_mapping_range", (_, _) => Guard.Run, (s, c) =>
        {
            for (int i = 0; i < g.Folios; i++)
            {
                if (!s.Folios[i].Present || !s.Folios[i].PteMapped || !inRange(s, c.Tid, i)) continue;
                ref var f = ref s.FoliosW[i];
                f.PteMapped = f.PteWritable = f.PteDirty = false; // the punched data goes
            }
            DiscardHistory(s, from, to);
        }, (_, _) => $"{g.Bytes(rFrom)}..{g.Bytes(rTo)}");
        TruncateRange.Emit(b, rFrom, rTo);
        int firstWhole = (from + g.UnitsPerBlock - 1) / g.UnitsPerBlock, endWhole = to / g.UnitsPerBlock; // whole blocks only
        b.Add("xfs_free_file_space", (_, _) => Guard.Run, (s, c) => Bunmapi.Free(s, firstWhole, endWhole, c),
            (_, _) => "xfs_unmap_extent (whole blocks)", (s, _) => Bunmapi.Alternatives(s, firstWhole, endWhole));
        // xfs_zero_range over the partial blocks, clipped to EOF (it must not enlarge i_size)
        ZeroRange.Emit(b, "xfs_zero_range", (s, _) => (from, Math.Min(to, s.Inode.ISize)), null, null);
        // zeroing that reached EOF inside a page: write the EOF page back (filemap_write_and_wait_range)
        Writeback.FolioFilter eofPage = (s, _, i) =>
            to >= s.Inode.ISize && from < s.Inode.ISize && s.Inode.ISize % page != 0 && g.FirstUnitOfFolio(i + 1) > s.Inode.ISize / page * page;
        Writeback.EmitRange(b, SyncMode.All, eofPage);
        Writeback.EmitWaitRange(b, eofPage);
        if (zeroRange)
            b.Add("xfs_alloc_file_space", (_, _) => Guard.Run, (s, c) =>
            {
                // XFS_BMAPI_PREALLOC over the range rounded out to blocks: holes become unwritten, the rest stays
                for (int blk = from / g.UnitsPerBlock; blk < (to + g.UnitsPerBlock - 1) / g.UnitsPerBlock; blk++)
                    if (s.Extents[blk] == ExtentType.Hole)
                    {
                        s.ExtentsW[blk] = ExtentType.Unwritten;
                        c.Note($"blk {blk} unwritten");
                    }
            }, (_, _) => "XFS_BMAPI_PREALLOC");
        // the punch returns: below EOF the range now reads as zeros until something writes it
        InodeLock.EmitUnlock(b, "xfs_iunlock", (s, _) => OpHistory.Zeroed(s, from, to));
    }
}
