using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// ext4_fallocate (fs/ext4/extents.c) around hole punch and zero range: the i_rwsem, inode_dio_wait
/// and the invalidate_lock (taken here for every mode that drops page cache), and the two page-cache
/// steps both modes share: ext4_truncate_page_cache_block_range and ext4_zero_partial_blocks.
/// </summary>
public static class Ext4Fallocate
{
    /// <summary>The locks; discard: the range's data is given up from here on (zero range zeroes partial blocks before it truncates the page cache).</summary>
    public static void EmitLock(ProgramBuilder b, string mode, int from, int to, bool discard = false)
    {
        var g = b.Geo;
        InodeLock.EmitFallocateLock(b, "ext4_fallocate", (_, _) => $"{mode}|KEEP_SIZE {BufferedWrite.Range(g, from, to)}",
            discard ? s => PunchHole.DiscardHistory(s, from, to) : null);
    }

    /// <summary>Drops both locks; below EOF the range now reads as zeros until something writes it.</summary>
    public static void EmitUnlock(ProgramBuilder b, int from, int to, Local? scratch = null) =>
        InodeLock.EmitUnlock(b, "inode_unlock", (s, c) =>
        {
            scratch?.Clear(s, c.Tid);
            OpHistory.Zeroed(s, from, to);
        });

    /// <summary>
    /// ext4_truncate_page_cache_block_range(from, end): a partial folio that loses a whole block is
    /// write-protected (ext4_truncate_folio, block size below the page size), so the next store
    /// faults into ext4_page_mkwrite and maps its blocks again (the folio lock it takes for this is
    /// not modelled); then truncate_pagecache_range: the whole pages unmapped, the range truncated
    /// (partial folios zeroed in place).
    /// </summary>
    public static void EmitTruncatePageCache(ProgramBuilder b, int from, int end)
    {
        var g = b.Geo;
        int bs = g.UnitsPerBlock, page = g.UnitsPerPage;
        b.Add("ext4_truncate_page_cache_block_range", (_, _) => Guard.Run, (s, c) =>
        {
            if (bs < page && (from % page != 0 || end % page != 0) && from < s.Inode.ISize)
            {
                int boundary = (from + page - 1) / page * page;
                WriteProtectPartial(s, from, Math.Min(boundary, end), c);
                if (end > boundary) WriteProtectPartial(s, end / page * page, end, c);
            }
            // the PTEs of the whole pages in the range (a folio's mapping is one bit here)
            int holeBegin = (from + page - 1) / page * page, holeEnd = end / page * page;
            for (int i = 0; i < g.Folios && holeBegin < holeEnd; i++)
            {
                if (g.FirstUnitOfFolio(i + 1) <= holeBegin || g.FirstUnitOfFolio(i) >= holeEnd) continue;
                if (!s.Folios[i].Present || !s.Folios[i].PteMapped) continue;
                ref var f = ref s.FoliosW[i];
                f.PteMapped = f.PteWritable = f.PteDirty = false;
            }
            PunchHole.DiscardHistory(s, from, end);
        }, (_, _) => BufferedWrite.Range(g, from, end));
        TruncateRange.Emit(b, from, end);
    }

    /// <summary>ext4_zero_partial_blocks(from, end - from): one block when the range starts and ends in it, else each partial end.</summary>
    public static void EmitZeroPartialBlocks(ProgramBuilder b, int from, int end)
    {
        var g = b.Geo;
        int bs = g.UnitsPerBlock;
        int startBlock = from / bs, endBlock = (end - 1) / bs;
        if (startBlock == endBlock)
        {
            if (from % bs != 0 || end % bs != 0) Ext4BlockZero.Emit(b, "ext4_zero_partial_blocks", (_, _) => (from, end));
            return;
        }
        if (from % bs != 0) Ext4BlockZero.Emit(b, "ext4_zero_partial_blocks", (_, _) => (from, g.FirstUnitOfBlock(startBlock + 1)));
        if (end % bs != 0) Ext4BlockZero.Emit(b, "ext4_zero_partial_blocks", (_, _) => (g.FirstUnitOfBlock(endBlock), end));
    }

    /// <summary>ext4_truncate_folio over [start, end) of one folio: folio_mkclean when a whole block lies inside.</summary>
    private static void WriteProtectPartial(KernelState s, int start, int end, StepContext c)
    {
        var g = s.Geo;
        int bs = g.UnitsPerBlock;
        if ((start + bs - 1) / bs * bs >= end / bs * bs) return; // no complete block
        int i = g.FolioOfUnit(start);
        if (!s.Folios[i].Present) return;
        if (PageCache.Mkclean(s, i))
        {
            PageCache.MarkDirty(s, i);
            c.Note($"F{i} write-protected");
        }
    }
}
