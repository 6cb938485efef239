using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Model.Ops;

/// <summary>
/// A metadata update through the block device's buffer cache (fs/buffer.c), as ext4 and jbd2 do
/// it: __find_get_block looks the buffer up and takes a reference (b_count) under
/// mapping->i_private_lock, without the folio lock; on a miss __getblk_slow creates the folio and
/// its buffers (grow_buffers) under the folio lock and takes the reference there. The update is
/// written through bh->b_data, then mark_buffer_dirty dirties the buffer and its folio, and brelse
/// drops the reference. The writer takes no buffer lock (a plain metadata update). What the
/// reference protects against is migration (<see cref="BufferMigrate"/>), which must not move a
/// folio whose buffers someone holds.
/// </summary>
public static class BufferHeads
{
    /// <summary>The thread holds a buffer reference it took in this operation.</summary>
    private static readonly Local Held = Local.Scratch(0, "bh reference");

    public static void EmitWrite(ProgramBuilder b, int from, int to, int writeId)
    {
        var g = b.Geo;
        int i = g.FolioOfUnit(from);
        var write = b.NewLabel();
        bool bhMigrate = b.Variant.BufferMigration == BufferMigrationMode.BhMigrate;
        b.Add("__find_get_block",
            (s, tid) => PrivateLockGuard(s, tid),
            (s, c) =>
            {
                ref var f = ref s.FoliosW[i];
                if (!f.Present || !f.Buffers)
                {
                    c.Note("not in the buffer cache");
                    return;
                }
                if (bhMigrate && f.BhMigrate)
                {
                    c.Note("BH_Migrate: the atomic lookup bails");
                    return;
                }
                f.BhRefs++;
                Held.Set(s, c.Tid, 1);
                c.Note($"get_bh on a buffer of F{i} (b_count {f.BhRefs})");
                c.Goto(write);
            },
            (_, _) => $"blk {g.BlockOfUnit(from)}");
        b.Add("__getblk_slow",
            (s, tid) => PageCache.LockGuard(s, i, tid),
            (s, c) =>
            {
                ref var f = ref s.FoliosW[i];
                if (!f.Present)
                {
                    PageCache.AddFolio(s, i, c.Tid, dropbehind: false);
                    PageCache.ReadIn(s, i);
                    c.Note($"F{i} created and read");
                }
                else if (!f.Uptodate(g)) PageCache.ReadIn(s, i);
                if (!f.Buffers) c.Note($"grow_buffers: F{i} gets its buffers");
                f.Buffers = true;
                f.BhRefs++;
                Held.Set(s, c.Tid, 1);
                f.LockOwner = -1;
            },
            (_, _) => $"F{i} (folio_lock, lookup, folio_unlock)");
        b.Mark(write);
        b.Add("memcpy(bh->b_data)",
            (_, _) => Guard.Run,
            (s, c) =>
            {
                OpHistory.WriteStarted(s, writeId, from, to);
                byte tag = DataTag.Write(writeId);
                if (s.Folios[i].BhOnOldFolio)
                {
                    // migration copied the folio already and has not moved the buffers yet: b_data
                    // still points into the old folio, which leaves the page cache
                    c.Note($"b_data points into the old F{i}, which migration has already copied");
                    return;
                }
                for (int u = from; u < to; u++) s.CacheDataW[u] = tag;
                OpHistory.WriteApplied(s, tag, from, to);
            },
            (_, _) => BufferedWrite.Range(g, from, to));
        b.Add("mark_buffer_dirty",
            (_, _) => Guard.Run,
            (s, c) =>
            {
                ref var f = ref s.FoliosW[i];
                if (f.BhOnOldFolio) c.Note($"dirties the old F{i}, which has left the page cache");
                else
                {
                    for (int blk = g.BlockOfUnit(from); blk <= g.BlockOfUnit(to - 1); blk++) f.DirtyMask |= (byte)g.BlockBit(blk);
                    PageCache.MarkFolioDirty(ref f);
                }
                f.BhRefs--;
                Held.Set(s, c.Tid, 0);
                OpHistory.WriteDone(s, writeId, from, to);
            },
            (_, _) => $"F{i}; brelse");
    }

    /// <summary>spin_lock(&amp;mapping->i_private_lock): blocks while another thread holds it.</summary>
    public static Guard PrivateLockGuard(KernelState s, int tid) =>
        s.Inode.PrivateLock == 0 || s.Inode.PrivateLock == tid + 1
            ? Guard.Run
            : Guard.Block(WaitKind.PrivateLock, s.Inode.PrivateLock - 1, "spin_lock(i_private_lock)");
}
