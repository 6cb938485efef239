using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// iomap_zero_range as XFS uses it for EOF zeroing (xfs_file_write_zero_eof, xfs_zero_range on a
/// growing truncate, xfs_truncate_page): zeroes through the page cache wherever the mapping is
/// written or delalloc, or a folio is already cached; holes and unwritten extents with nothing
/// cached already read as zeros and are skipped.
/// </summary>
public static class ZeroRange
{
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
        b.Add("xfs_file_write_zero_eof",
            (s, tid) => from <= s.Inode.ISize ? Steps.Guard.Skip()
                : InodeLock.DioWait(s) is { Kind: GuardKind.Block } w ? w
                : Guard(s, s.Inode.ISize, from, tid),
            (s, c) => Apply(s, s.Inode.ISize, from, c.Tid, c));

    /// <summary>Returns whether anything was zeroed (and so dirtied).</summary>
    public static bool Apply(KernelState s, int from, int to, int tid, StepContext c)
    {
        var g = s.Geo;
        bool any = false;
        for (int i = 0; i < g.Folios && from < to; i++)
        {
            int u0 = Math.Max(from, g.FirstUnitOfFolio(i)), u1 = Math.Min(to, g.FirstUnitOfFolio(i + 1));
            if (u0 >= u1) continue;
            bool mapped = false;
            for (int blk = g.BlockOfUnit(u0); blk <= g.BlockOfUnit(u1 - 1); blk++)
                mapped |= s.Extents[blk] is ExtentType.Written or ExtentType.Delalloc;
            ref var f = ref s.FoliosW[i];
            if (!f.Present && !mapped) continue;
            if (f.Present && !mapped)
            {
                // a cached folio over a hole or unwritten blocks: only data that is not zero yet needs it
                bool needed = false;
                for (int u = u0; u < u1; u++) needed |= s.CacheData[u] != DataTag.Zero;
                if (!needed) continue;
            }
            // over written or delalloc blocks iomap_zero_iter always zeroes through the cache and
            // dirties the folio, even where it already reads as zeros (the live kernel shows it)
            bool created = !f.Present;
            if (created) PageCache.AddFolio(s, i, tid, dropbehind: false);
            else PageCache.NonDontcacheLookup(s, i);
            BufferedWrite.CopyIntoFolio(s, i, u0, u1, DataTag.Zero, c);
            if (created) s.FoliosW[i].LockOwner = -1;
            c.Note($"iomap_zero_range {g.Bytes(u0)}..{g.Bytes(u1)} in F{i}");
            any = true;
        }
        return any;
    }
}
