using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// XFS truncate (kernel-reference §2.5, the correction in kernel-reference §2.5; the VFS-tree order): do_truncate takes the
/// i_rwsem, xfs_vn_setattr the MMAPLOCK; inode_dio_wait; zero the EOF block
/// (xfs_truncate_page) or the gap when growing; truncate_setsize: i_size_write first, then
/// truncate_pagecache (unmap, pass 1 skips locked and writeback folios, the partial folio and
/// pass 2 lock and wait for writeback); flush beyond the on-disk EOF when needed; the
/// transaction sets i_disk_size and frees the blocks past the new EOF.
/// </summary>
public static class Truncate
{
    /// <summary>xfs_setattr_size's oldsize: i_size when the truncate took the locks.</summary>
    private static readonly Local OldSize = Local.Scratch(0, "oldsize");

    /// <summary>xfs_setattr_size's did_zeroing: the EOF block or the grown gap was zeroed in the page cache.</summary>
    private static readonly Local DidZeroing = Local.Scratch(1, "did_zeroing");

    /// <summary>The truncate; locked: called with both locks already held (xfs_falloc_setsize inside fallocate), whose caller drops them.</summary>
    public static void Emit(ProgramBuilder b, int newSize, bool locked = false)
    {
        var g = b.Geo;
        int keepFolios = (newSize + g.UnitsPerFolio - 1) / g.UnitsPerFolio; // folios wholly past EOF start here
        b.Add(locked ? "xfs_falloc_setsize" : "do_truncate",
            locked ? (_, _) => Guard.Run : InodeLock.ExclusiveWithInvalidate,
            (s, c) =>
            {
                if (!locked)
                {
                    s.InodeW.IRwsem.Lock(c.Tid);
                    s.InodeW.InvalidateLock.Lock(c.Tid);
                }
                OpHistory.TruncateStarted(s, newSize);
                OldSize.Set(s, c.Tid, s.Inode.ISize);
            },
            (_, _) => g.Bytes(newSize));
        b.Add("inode_dio_wait", (s, _) => InodeLock.DioWait(s), (_, _) => { });
        // growing: xfs_zero_range(old, new - old); otherwise xfs_truncate_page (sets did_zeroing)
        ZeroRange.Emit(b, "xfs_truncate_page", (s, _) => ZeroSpan(s, newSize), null,
            (s, c) => DidZeroing.Set(s, c.Tid, 1));
        b.Add("truncate_setsize", (s, tid) => IsizeExtended.Check(s, s.Inode.ISize, newSize, tid) is { Kind: GuardKind.Block } w ? w : Guard.Run, (s, c) =>
        {
            int old = s.Inode.ISize;
            if (newSize > old) OpHistory.GrowSize(s, newSize, newSize, newSize);
            else s.InodeW.ISize = newSize;
            if (newSize > old) IsizeExtended.Apply(s, old, newSize, c);
            OpHistory.TruncateSetSize(s, newSize);
            UnmapPastEof(s, keepFolios);
        }, (_, _) => $"i_size_write({g.Bytes(newSize)})");
        TruncateRange.Emit(b, newSize, g.Units);
        // filemap_write_and_wait_range(i_disk_size, new - 1) when zeroing happened or the on-disk EOF
        // lags; an empty range (new size not above i_disk_size) writes nothing (lend < lstart returns 0)
        Writeback.FolioFilter needFlush = (s, tid, i) =>
            (DidZeroing.IsSet(s, tid) || (newSize > s.Inode.IDiskSize && OldSize.Get(s, tid) != s.Inode.IDiskSize))
            && newSize > s.Inode.IDiskSize
            && g.FirstUnitOfFolio(i + 1) > s.Inode.IDiskSize && g.FirstUnitOfFolio(i) < newSize;
        if (b.Variant.TruncateUpFlushes)
        {
            Writeback.EmitRange(b, SyncMode.All, needFlush);
            Writeback.EmitWaitRange(b, needFlush);
        }
        int firstFree = (newSize + g.UnitsPerBlock - 1) / g.UnitsPerBlock;
        b.Add("xfs_itruncate_extents", (_, _) => Guard.Run, (s, c) =>
        {
            s.InodeW.IDiskSize = newSize;
            // only a truncate down (or to the same size) frees blocks: growing keeps post-EOF preallocation
            if (newSize > OldSize.Get(s, c.Tid)) return;
            Bunmapi.Free(s, firstFree, g.Blocks, c);
        }, (_, _) => $"i_disk_size = {g.Bytes(newSize)}",
            (s, tid) => newSize <= OldSize.Get(s, tid) ? Bunmapi.Alternatives(s, firstFree, g.Blocks) : 1);
        Action<KernelState, StepContext> done = (s, c) =>
        {
            OldSize.Set(s, c.Tid, 0);
            DidZeroing.Set(s, c.Tid, 0);
            OpHistory.TruncateDone(s, newSize);
        };
        if (locked) b.Add("xfs_vn_setattr_size", (_, _) => Guard.Run, done, (_, _) => "done");
        else InodeLock.EmitUnlock(b, "inode_unlock", done);
    }

    /// <summary>truncate_pagecache's unmap_mapping_range: zap the PTEs of the folios from keepFolios on (past the new EOF).</summary>
    public static void UnmapPastEof(KernelState s, int keepFolios)
    {
        for (int i = keepFolios; i < s.Geo.Folios; i++)
        {
            ref var f = ref s.FoliosW[i];
            if (!f.Present || !f.PteMapped) continue;
            if (f.PteDirty) PageCache.MarkDirty(s, i);
            f.PteMapped = f.PteWritable = f.PteDirty = false;
        }
    }

    /// <summary>
    /// What truncate zeroes: growing, xfs_zero_range(old, new - old); otherwise (shrinking or the
    /// same size), xfs_truncate_page zeroes the rest of the block that holds the new EOF.
    /// </summary>
    private static (int From, int To) ZeroSpan(KernelState s, int newSize)
    {
        var g = s.Geo;
        int old = s.Inode.ISize;
        if (newSize > old) return (old, newSize);
        // xfs_setattr_size calls xfs_truncate_page for any size not above the old one, the same size included
        if (newSize % g.UnitsPerBlock == 0) return (0, 0);
        return (newSize, g.FirstUnitOfBlock(g.BlockOfUnit(newSize) + 1));
    }
}
