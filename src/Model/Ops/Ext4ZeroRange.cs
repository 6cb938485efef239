using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// fallocate(FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE) on ext4 (ext4_zero_range,
/// fs/ext4/extents.c), inside <see cref="Ext4Fallocate"/>'s locks: when the range has unaligned
/// ends, ext4_alloc_file_blocks preallocates its blocks, edges included, as unwritten extents
/// (holes get blocks; allocated blocks keep theirs) and ext4_zero_partial_blocks zeroes the partial
/// blocks that hold data; ext4_update_disksize_before_punch; ext4_truncate_page_cache_block_range
/// over the whole range (not cut at EOF, unlike a punch); then the block-aligned interior is
/// converted to unwritten extents (EXT4_GET_BLOCKS_CONVERT_UNWRITTEN: written blocks read as zeros,
/// holes preallocated). Nothing is written back (data=ordered), the size is kept.
/// </summary>
public static class Ext4ZeroRange
{
    public static void Emit(ProgramBuilder b, int from, int to)
    {
        var g = b.Geo;
        int bs = g.UnitsPerBlock;
        int alignStart = (from + bs - 1) / bs, alignEnd = to / bs; // whole blocks, end exclusive
        Ext4Fallocate.EmitLock(b, "ZERO_RANGE", from, to, discard: true);
        if (from % bs != 0 || to % bs != 0)
        {
            b.Add("ext4_alloc_file_blocks", (_, _) => Guard.Run,
                (s, c) => Preallocate(s, from / bs, (to + bs - 1) / bs, convert: false, c),
                (_, _) => "EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT, edges included");
            Ext4Fallocate.EmitZeroPartialBlocks(b, from, to);
        }
        b.Add("ext4_update_disksize_before_punch", (_, _) => Guard.Run, (s, c) =>
        {
            int size = Math.Min(s.Inode.ISize, to);
            if (from > s.Inode.ISize || s.Inode.IDiskSize >= size) return;
            s.InodeW.IDiskSize = size;
            c.Note($"i_disksize = {g.Bytes(size)}");
        });
        Ext4Fallocate.EmitTruncatePageCache(b, from, to);
        if (alignEnd > alignStart)
            b.Add("ext4_alloc_file_blocks", (_, _) => Guard.Run,
                (s, c) => Preallocate(s, alignStart, alignEnd, convert: true, c),
                (_, _) => "EXT4_GET_BLOCKS_CONVERT_UNWRITTEN");
        Ext4Fallocate.EmitUnlock(b, from, to);
    }

    /// <summary>
    /// Blocks [first, end) become unwritten extents: holes and delalloc blocks are allocated (their
    /// disk blocks hold a previous owner's bytes); with convert, written blocks are converted too.
    /// </summary>
    private static void Preallocate(KernelState s, int first, int end, bool convert, StepContext c)
    {
        var g = s.Geo;
        for (int blk = first; blk < end; blk++)
        {
            var e = s.Extents[blk];
            if (e == ExtentType.Unwritten || (e == ExtentType.Written && !convert)) continue;
            if (e != ExtentType.Written)
                for (int u = g.FirstUnitOfBlock(blk); u < g.FirstUnitOfBlock(blk + 1); u++) s.DiskW[u] = DataTag.Stale;
            s.ExtentsW[blk] = ExtentType.Unwritten;
            c.Note($"blk {blk} {e.ToString().ToLowerInvariant()} -> unwritten");
        }
    }
}
