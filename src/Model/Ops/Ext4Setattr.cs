using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// ext4 truncate (ext4_setattr with ATTR_SIZE, fs/ext4/inode.c): do_truncate takes the i_rwsem;
/// a shrink waits for direct I/O (inode_dio_wait); the invalidate_lock is taken; growing from an
/// unaligned size zeroes the rest of the old EOF block (ext4_block_zero_eof); i_disksize and
/// i_size are set together (under i_data_sem, against writeback's disksize update), and growing
/// write-protects the old EOF folio (pagecache_isize_extended); truncate_pagecache; a shrink (or
/// the same size) then runs ext4_truncate: the rest of the new EOF block is zeroed through the
/// page cache (creating its folio) and the blocks past it freed (ext4_ext_truncate).
/// Unlike xfs_setattr_size there is no writeback of the zeroed EOF block: ext4 orders it through
/// the journal (data=ordered) instead. Not modelled: ext4_begin_ordered_truncate, which writes
/// the truncated range only when the inode belongs to the committing transaction, and the orphan
/// list (crash recovery).
/// </summary>
public static class Ext4Setattr
{
    /// <summary>ext4_setattr's oldsize: i_size when the truncate took the i_rwsem.</summary>
    private static readonly Local OldSize = Local.Scratch(0, "oldsize");

    public static void Emit(ProgramBuilder b, int newSize)
    {
        var g = b.Geo;
        int keepFolios = (newSize + g.UnitsPerFolio - 1) / g.UnitsPerFolio;
        int firstFree = (newSize + g.UnitsPerBlock - 1) / g.UnitsPerBlock;
        b.Add("do_truncate", InodeLock.Exclusive, (s, c) =>
        {
            s.InodeW.IRwsem.Lock(c.Tid);
            OpHistory.TruncateStarted(s, newSize);
            OldSize.Set(s, c.Tid, s.Inode.ISize);
        }, (_, _) => g.Bytes(newSize));
        // a shrink waits for direct I/O in flight: blocks are about to be removed
        b.Add("inode_dio_wait", (s, tid) => newSize < OldSize.Get(s, tid) ? InodeLock.DioWait(s) : Guard.Skip(), (_, _) => { });
        b.Add("filemap_invalidate_lock",
            (s, _) => s.Inode.InvalidateLock.CanWrite ? Guard.Run : Guard.Block(WaitKind.InvalidateLock, "filemap_invalidate_lock"),
            (s, c) => s.InodeW.InvalidateLock.Lock(c.Tid));
        // truncate up from inside a block: the rest of the old EOF block reads as zeros from now on
        Ext4BlockZero.Emit(b, "ext4_block_zero_eof", (s, tid) =>
        {
            int old = OldSize.Get(s, tid);
            return newSize > old ? Ext4BlockZero.BlockTail(g, old) : (0, 0);
        });
        b.Add("ext4_setattr",
            (s, tid) => newSize > OldSize.Get(s, tid) && IsizeExtended.Check(s, OldSize.Get(s, tid), newSize, tid) is { Kind: GuardKind.Block } w ? w : Guard.Run,
            (s, c) =>
            {
                int old = s.Inode.ISize;
                s.InodeW.IDiskSize = newSize;
                if (newSize > old) OpHistory.GrowSize(s, newSize, newSize, newSize);
                else s.InodeW.ISize = newSize;
                if (newSize > old) IsizeExtended.Apply(s, old, newSize, c);
                OpHistory.TruncateSetSize(s, newSize);
            }, (_, _) => $"i_disksize = i_size = {g.Bytes(newSize)}");
        // truncate_pagecache: unmap past the new EOF, then the page-cache truncation
        b.Add("truncate_pagecache", (_, _) => Guard.Run, (s, _) => Truncate.UnmapPastEof(s, keepFolios), (_, _) => "unmap_mapping_range");
        TruncateRange.Emit(b, newSize, g.Units);
        // ext4_truncate (shrink or the same size): zero the rest of the new EOF block, then free past it
        Ext4BlockZero.Emit(b, "ext4_truncate", (s, tid) => newSize <= OldSize.Get(s, tid) ? Ext4BlockZero.BlockTail(g, newSize) : (0, 0));
        b.Add("ext4_ext_truncate",
            (s, tid) => newSize <= OldSize.Get(s, tid) ? Guard.Run : Guard.Skip(),
            (s, c) => Bunmapi.Free(s, firstFree, g.Blocks, c),
            (_, _) => $"free blocks from {firstFree}",
            (s, tid) => newSize <= OldSize.Get(s, tid) ? Bunmapi.Alternatives(s, firstFree, g.Blocks) : 1);
        InodeLock.EmitUnlock(b, "inode_unlock", (s, c) =>
        {
            OldSize.Clear(s, c.Tid);
            OpHistory.TruncateDone(s, newSize);
        });
    }
}
