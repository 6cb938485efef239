using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// ext4's partial-block zeroing, __ext4_block_zero_page_range (fs/ext4/inode.c), behind
/// ext4_block_truncate_page / ext4_block_zero_eof (truncate, an extending buffered write) and
/// ext4_zero_partial_blocks (hole punch). Unlike iomap_zero_range it looks the folio up with
/// FGP_LOCK | FGP_CREAT: a folio that was not cached is created, and stays in the cache (not
/// uptodate) even when there is nothing to zero. The block's buffer is mapped with
/// ext4_get_block(create=0); a hole, or an unwritten block no buffered write has mapped, is left
/// alone ("unmapped? It's a hole - nothing to do"); a mapped block (written, delalloc, or
/// unwritten with dirty data over it) is read in if the folio is not uptodate, zeroed over the
/// range and its buffer dirtied (mark_buffer_dirty, so the folio is dirty). The live
/// kernel shows the created folio: `truncate(8K), truncate(7K)` on a new file leaves page 1 cached
/// (conform --fs ext4). One step: the folio lock is held throughout.
/// </summary>
public static class Ext4BlockZero
{
    /// <summary>The zeroing as one step under the folio lock; the span lies inside one block (empty: skipped).</summary>
    public static void Emit(ProgramBuilder b, string function, ZeroRange.Span span)
    {
        var g = b.Geo;
        b.Add(function,
            (s, tid) =>
            {
                var (from, to) = span(s, tid);
                if (from >= to) return Guard.Skip();
                int i = g.FolioOfUnit(from);
                return s.Folios[i].Present ? PageCache.LockGuard(s, i, tid) : Guard.Run;
            },
            (s, c) =>
            {
                var (from, to) = span(s, c.Tid);
                Zero(s, from, to, c.Tid, c);
            },
            (s, tid) =>
            {
                var (from, to) = span(s, tid);
                return BufferedWrite.Range(g, from, to);
            });
    }

    /// <summary>Zeroes [from, to), inside one block, through the page cache as __ext4_block_zero_page_range does.</summary>
    public static void Zero(KernelState s, int from, int to, int tid, StepContext c)
    {
        var g = s.Geo;
        int i = g.FolioOfUnit(from), blk = g.BlockOfUnit(from);
        bool created = !s.Folios[i].Present;
        if (created) PageCache.AddFolio(s, i, tid, dropbehind: false);
        else PageCache.NonDontcacheLookup(s, i); // FGP_CREAT without FGP_DONTCACHE
        // ext4_get_block(create=0) leaves an unwritten block unmapped (ext4_update_bh_state drops
        // BH_Mapped), so it counts as a hole unless a buffered write already mapped its buffer
        // (its data is dirty in the cache)
        bool unmapped = s.Extents[blk] == ExtentType.Hole
            || (s.Extents[blk] == ExtentType.Unwritten && (s.Folios[i].DirtyMask & g.BlockBit(blk)) == 0);
        if (unmapped)
            c.Note(created ? $"blk {blk} unmapped: F{i} created, nothing zeroed" : $"blk {blk} unmapped: nothing zeroed");
        else
        {
            BufferedWrite.CopyIntoFolio(s, i, from, to, DataTag.Zero, c);
            c.Note($"zeroed {BufferedWrite.Range(g, from, to)} in F{i}");
        }
        if (created) s.FoliosW[i].LockOwner = -1;
    }

    /// <summary>The rest of the block that holds unit at (empty when at is block-aligned).</summary>
    public static (int From, int To) BlockTail(Geometry g, int at) =>
        at % g.UnitsPerBlock == 0 ? (at, at) : (at, g.FirstUnitOfBlock(g.BlockOfUnit(at) + 1));
}
