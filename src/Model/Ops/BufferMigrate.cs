using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Model.Ops;

/// <summary>
/// Migration of a block device folio with buffers (mm/migrate.c: buffer_migrate_folio_norefs,
/// __buffer_migrate_folio with check_refs): after <see cref="Migrate"/>'s lock and writeback wait,
/// lock the buffers (and, the kernel here, set BH_Migrate), check under i_private_lock that no
/// buffer has a reference (else -EAGAIN), filemap_migrate_folio (replace the folio in the mapping
/// and copy it), move the buffers to the new folio (folio_set_bh), then clear BH_Migrate, unlock
/// the buffers and the folio. Switch BufferMigration: what keeps a lookup from taking a reference
/// after the check.
/// </summary>
public static class BufferMigrate
{
    public static void Emit(ProgramBuilder b, int i)
    {
        var end = b.NewLabel();
        var mode = b.Variant.BufferMigration;
        Migrate.EmitUnmapAndWait(b, i, end, keepLockedIf: static f => f.Buffers);
        // reached only with the folio locked and its buffers attached (EmitUnmapAndWait jumps to end otherwise)
        b.Add("buffer_migrate_lock_buffers",
            (_, _) => Guard.Run,
            (s, c) =>
            {
                if (mode != BufferMigrationMode.BhMigrate) return;
                s.FoliosW[i].BhMigrate = true;
                c.Note("test_and_set_bit_lock(BH_Migrate)");
            },
            (_, _) => $"F{i}");
        b.Add("__buffer_migrate_folio",
            BufferHeads.PrivateLockGuard,
            (s, c) =>
            {
                ref var f = ref s.FoliosW[i];
                if (f.BhRefs > 0)
                {
                    // invalidate_bh_lrus and a second look find the reference still held
                    c.Note($"b_count {f.BhRefs}: busy, -EAGAIN");
                    f.BhMigrate = false;
                    f.LockOwner = -1;
                    c.Goto(end);
                    return;
                }
                if (mode == BufferMigrationMode.PrivateLock)
                {
                    s.InodeW.PrivateLock = (byte)(c.Tid + 1);
                    c.Note("no references; i_private_lock held on");
                }
                else c.Note("no references; spin_unlock(i_private_lock)");
            },
            (_, _) => $"F{i} (check b_count)");
        b.Add("filemap_migrate_folio",
            (_, _) => Guard.Run,
            (s, c) =>
            {
                s.FoliosW[i].BhOnOldFolio = true;
                c.Note($"F{i} replaced in the mapping and copied; its buffers still point into the old folio");
            },
            (_, _) => $"F{i}");
        b.Add("folio_set_bh",
            (_, _) => Guard.Run,
            (s, c) =>
            {
                ref var f = ref s.FoliosW[i];
                f.BhOnOldFolio = false;
                f.BhMigrate = false;
                f.LockOwner = -1;
                if (s.Inode.PrivateLock == c.Tid + 1) s.InodeW.PrivateLock = 0;
                c.Note($"buffers moved to the new F{i}; {(mode == BufferMigrationMode.BhMigrate ? "clear_bit_unlock(BH_Migrate), " : mode == BufferMigrationMode.PrivateLock ? "spin_unlock(i_private_lock), " : "")}folio_unlock");
            },
            (_, _) => $"F{i}");
        b.Mark(end);
    }
}
