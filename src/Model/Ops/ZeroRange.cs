using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// iomap_zero_range as XFS uses it for EOF zeroing (xfs_file_write_zero_eof, xfs_zero_range on a
/// growing truncate or a hole punch, xfs_truncate_page). It walks the mappings of the range in
/// order: written and delalloc blocks are zeroed through the page cache (iomap_zero_iter dirties
/// the folio even where it already reads as zeros); hole and unwritten blocks already read as
/// zeros and are skipped, with two exceptions. A call that starts inside a block whose cache is
/// dirty zeroes that partial block in memory, whatever its mapping (it spares the EOF-extending
/// write a flush). And if the range had dirty or writeback folios when the call started
/// (filemap_range_needs_writeback), the first hole or unwritten mapping flushes the rest of the
/// range (iomap_zero_iter_flush_and_stale: filemap_write_and_wait_range), because its writeback
/// may convert those blocks, and the walk goes on over the mappings as the flush left them.
/// The live kernel shows the flush (XFS, 2 KiB blocks: a write past EOF writes the dirty EOF
/// folio back; the write-protect its writeback brings makes a later mmap store fault).
/// </summary>
public static class ZeroRange
{
    /// <summary>1 + the unit iomap_zero_range's flush starts at, while the flush runs (0: no flush).</summary>
    private static readonly Local FlushFrom = Local.Scratch(OpHistory.ZeroFlush, "iomap_zero_range: flush from");

    public delegate (int From, int To) Span(KernelState s, int tid);

    public static Guard Guard(KernelState s, int from, int to, int tid)
    {
        var g = s.Geo;
        for (int i = 0; i < g.Folios && from < to; i++)
        {
            if (g.FirstUnitOfFolio(i + 1) <= from || g.FirstUnitOfFolio(i) >= to) continue;
            if (PageCache.LockGuard(s, i, tid) is { Kind: GuardKind.Block } b) return b;
        }
        return Steps.Guard.Run;
    }

    /// <summary>xfs_file_write_zero_eof: a write starting past EOF drains aio (inode_dio_wait), then zeroes the gap.</summary>
    public static void EmitWriteZeroEof(ProgramBuilder b, int from) =>
        Emit(b, "xfs_file_write_zero_eof", (s, _) => (s.Inode.ISize, from), (s, _) => InodeLock.DioWait(s), null);

    /// <summary>
    /// The zeroing as steps: the walk up to the first hole or unwritten mapping that needs the
    /// flush (under function's name), the flush (writeback and wait of the folios from there to
    /// the end of the range), then the rest of the walk. onZeroed runs when anything was zeroed.
    /// </summary>
    public static void Emit(ProgramBuilder b, string function, Span span, Func<KernelState, int, Guard>? before, Action<KernelState, StepContext>? onZeroed)
    {
        var g = b.Geo;
        b.Add(function,
            (s, tid) =>
            {
                var (from, to) = span(s, tid);
                if (from >= to) return Steps.Guard.Skip();
                if (before?.Invoke(s, tid) is { Kind: GuardKind.Block } w) return w;
                return Guard(s, from, to, tid);
            },
            (s, c) =>
            {
                var (from, to) = span(s, c.Tid);
                bool zeroed = false;
                // partial EOF zeroing: the unaligned start of the first block is zeroed in memory,
                // whatever its mapping, when that part of the cache is dirty or under writeback
                int blockEnd = Math.Min(to, g.FirstUnitOfBlock(g.BlockOfUnit(from) + 1));
                if (from % g.UnitsPerBlock != 0 && RangeNeedsWriteback(s, from, blockEnd))
                {
                    zeroed = ZeroMapped(s, from, blockEnd, c.Tid, c, anyMapping: true);
                    from = blockEnd;
                }
                // ZeroRangeDirty=folio-batch: the dirty folios are zeroed in memory whatever the mapping, no flush
                bool batch = s.Machine.Variant.ZeroRangeDirty == Variants.ZeroRangeDirtyMode.FolioBatch;
                int flushAt = !batch && from < to && RangeNeedsWriteback(s, from, to) ? FirstUnmapped(s, from, to) : -1;
                zeroed |= ZeroMapped(s, from, flushAt >= 0 ? flushAt : to, c.Tid, c, dirtyFolios: batch);
                if (zeroed) onZeroed?.Invoke(s, c);
                if (flushAt >= 0)
                {
                    FlushFrom.Set(s, c.Tid, flushAt + 1);
                    c.Note($"range dirty over a hole or unwritten block: flush from {g.Bytes(flushAt)}");
                }
            },
            (s, tid) =>
            {
                var (from, to) = span(s, tid);
                return $"iomap_zero_range {g.Bytes(from)}..{g.Bytes(to)}";
            });
        Writeback.FolioFilter flushed = (s, tid, i) =>
        {
            int at = FlushFrom.Get(s, tid) - 1;
            if (at < 0) return false;
            int to = span(s, tid).To;
            return g.FirstUnitOfFolio(i + 1) > at && g.FirstUnitOfFolio(i) < to;
        };
        Writeback.EmitRange(b, SyncMode.All, flushed);
        Writeback.EmitWaitRange(b, flushed);
        b.Add("iomap_zero_range",
            (s, tid) =>
            {
                int at = FlushFrom.Get(s, tid) - 1;
                return at < 0 ? Steps.Guard.Skip() : Guard(s, at, span(s, tid).To, tid);
            },
            (s, c) =>
            {
                ref int at = ref FlushFrom.Ref(s, c.Tid);
                if (ZeroMapped(s, at - 1, span(s, c.Tid).To, c.Tid, c)) onZeroed?.Invoke(s, c);
                at = 0;
            },
            (s, tid) => $"after the flush, from {g.Bytes(FlushFrom.Get(s, tid) - 1)}");
    }

    /// <summary>filemap_range_needs_writeback: a folio of the range is dirty or under writeback.</summary>
    private static bool RangeNeedsWriteback(KernelState s, int from, int to)
    {
        var g = s.Geo;
        for (int i = g.FolioOfUnit(from); i <= g.FolioOfUnit(to - 1); i++)
            if (s.Folios[i].Present && (s.Folios[i].TagDirty || s.Folios[i].TagWriteback)) return true;
        return false;
    }

    /// <summary>The first unit of [from, to) on a hole or unwritten block, or -1.</summary>
    private static int FirstUnmapped(KernelState s, int from, int to)
    {
        var g = s.Geo;
        for (int u = from; u < to; u = g.FirstUnitOfBlock(g.BlockOfUnit(u) + 1))
            if (s.Extents[g.BlockOfUnit(u)] is ExtentType.Hole or ExtentType.Unwritten) return u;
        return -1;
    }

    /// <summary>
    /// Zeroes [from, to) through the cache where the blocks are written or delalloc (anyMapping:
    /// whatever the blocks are; dirtyFolios: also where a dirty folio caches them, the folio
    /// batch); returns whether anything was.
    /// </summary>
    public static bool ZeroMapped(KernelState s, int from, int to, int tid, StepContext c, bool anyMapping = false, bool dirtyFolios = false)
    {
        var g = s.Geo;
        bool any = false;
        int u = from;
        while (u < to)
        {
            int blk = g.BlockOfUnit(u);
            int end = Math.Min(to, g.FirstUnitOfBlock(blk + 1));
            var cached = s.Folios[g.FolioOfUnit(u)];
            if (anyMapping || s.Extents[blk] is ExtentType.Written or ExtentType.Delalloc || (dirtyFolios && cached.Present && cached.Dirty))
            {
                // contiguous with the folio: zero up to the end of this block (the next block decides for itself)
                int i = g.FolioOfUnit(u);
                ref var f = ref s.FoliosW[i];
                bool created = !f.Present;
                if (created) PageCache.AddFolio(s, i, tid, dropbehind: false);
                else PageCache.NonDontcacheLookup(s, i);
                BufferedWrite.CopyIntoFolio(s, i, u, end, DataTag.Zero, c);
                if (created) s.FoliosW[i].LockOwner = -1;
                c.Note($"iomap_zero_range {g.Bytes(u)}..{g.Bytes(end)} in F{i}");
                any = true;
            }
            u = end;
        }
        return any;
    }
}
