using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) on ext4 (ext4_fallocate -> ext4_punch_hole,
/// fs/ext4/inode.c), inside <see cref="Ext4Fallocate"/>'s locks: a range starting at or past EOF returns at once; a range past EOF is cut at the end
/// of the EOF page (i_size rounded up to PAGE_SIZE); ext4_update_disksize_before_punch raises i_disksize to the
/// range's end below EOF; ext4_truncate_page_cache_block_range write-protects a partial folio
/// that loses a whole block (ext4_truncate_folio, block size below the page size) and truncates
/// the range from the page cache, partial folios zeroed in place (truncate_pagecache_range);
/// ext4_zero_partial_blocks zeroes the partial blocks at either end through the page cache
/// (<see cref="Ext4BlockZero"/>); the whole blocks are removed (ext4_ext_remove_space).
/// Unlike XFS there is no writeback first (data=ordered: only data=journal writes the range
/// back), so dirty folios outside the punched blocks stay dirty. The range's end depends on
/// i_size when the punch runs, so the program has one branch per end it can take.
/// </summary>
public static class Ext4PunchHole
{
    /// <summary>The end the punch uses (1 + units; 0 before it is computed).</summary>
    private static readonly Local End = Local.Scratch(0, "end");

    public static void Emit(ProgramBuilder b, int from, int to)
    {
        var g = b.Geo;
        int page = g.UnitsPerPage;
        var unlock = b.NewLabel();
        // the ends the range can be cut to: `to` itself below EOF, or the end of the EOF page
        var ends = new SortedSet<int> { to };
        for (int e = (from / page + 1) * page; e < to + page && e <= g.Units; e += page) ends.Add(e);
        var branches = ends.ToDictionary(e => e, _ => b.NewLabel());
        Ext4Fallocate.EmitLock(b, "PUNCH_HOLE", from, to);
        b.Add("ext4_punch_hole", (_, _) => Guard.Run, (s, c) =>
        {
            int isize = s.Inode.ISize;
            if (from >= isize)
            {
                c.Note("no need to punch hole beyond i_size");
                c.Goto(unlock);
                return;
            }
            // past EOF the hole ends at the end of the EOF page (i_size rounded up to a page)
            int end = to > isize ? Math.Min(g.Units, (isize + page - 1) / page * page) : to;
            End.Set(s, c.Tid, end + 1);
            // ext4_update_disksize_before_punch
            int size = Math.Min(isize, end);
            if (s.Inode.IDiskSize < size)
            {
                s.InodeW.IDiskSize = size;
                c.Note($"i_disksize = {g.Bytes(size)}");
            }
            c.Goto(branches[end]);
        }, (s, tid) => End.Get(s, tid) > 0 ? $"{g.Bytes(from)}..{g.Bytes(End.Get(s, tid) - 1)}" : "");
        foreach (var (end, label) in branches)
        {
            b.Mark(label);
            EmitRange(b, from, end, unlock);
        }
        b.Mark(unlock);
        Ext4Fallocate.EmitUnlock(b, from, to, End);
    }

    /// <summary>The punch of [from, end) once the end is known: page cache, partial blocks, extents.</summary>
    private static void EmitRange(ProgramBuilder b, int from, int end, Label unlock)
    {
        var g = b.Geo;
        int bs = g.UnitsPerBlock;
        Ext4Fallocate.EmitTruncatePageCache(b, from, end);
        Ext4Fallocate.EmitZeroPartialBlocks(b, from, end);
        int firstWhole = (from + bs - 1) / bs, endWhole = end / bs;
        b.Add("ext4_ext_remove_space", (_, _) => Guard.Run, (s, c) =>
            {
                Bunmapi.Free(s, firstWhole, endWhole, c);
                c.Goto(unlock);
            },
            (_, _) => "whole blocks", (s, _) => Bunmapi.Alternatives(s, firstWhole, endWhole));
    }
}
