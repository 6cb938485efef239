using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// Page migration of one folio in MIGRATE_SYNC mode (kernel-reference §2.11): migrate_folio_unmap locks
/// the folio and unmaps it (try_to_migrate); under writeback MIGRATE_SYNC waits (holding the lock),
/// except that the FUSE temp-page series' AS_WRITEBACK_INDETERMINATE makes it return -EBUSY; then the
/// folio is moved (a block device folio with buffers: <see cref="BufferMigrate"/>).
/// </summary>
public static class Migrate
{
    public static void Emit(ProgramBuilder b, int i)
    {
        var end = b.NewLabel();
        EmitUnmapAndWait(b, i, end, keepLockedIf: null);
        b.Mark(end);
    }

    /// <summary>
    /// migrate_folio_unmap (lock) and the MIGRATE_SYNC writeback wait; a folio keepLockedIf admits
    /// stays locked for the caller's own steps (a block device folio with buffers), any other is
    /// moved here.
    /// </summary>
    public static void EmitUnmapAndWait(ProgramBuilder b, int i, Label end, Func<Folio, bool>? keepLockedIf)
    {
        b.Add("migrate_folio_unmap",
            (s, tid) => !s.Folios[i].Present ? Guard.Skip(end.Index) : PageCache.LockGuard(s, i, tid),
            (s, c) =>
            {
                ref var f = ref s.FoliosW[i];
                f.LockOwner = (sbyte)c.Tid;
                // try_to_migrate replaces the PTEs with migration entries: a dirty PTE dirties the folio
                // (remove_migration_ptes maps the new folio with the same permissions afterwards)
                if (f.PteMapped && f.PteDirty)
                {
                    f.PteDirty = false;
                    PageCache.MarkDirty(s, i);
                    c.Note("try_to_migrate: the dirty PTE dirties the folio");
                }
            },
            (_, _) => $"F{i} MIGRATE_SYNC");
        bool waits = b.Fs.MigrationWaitsOnWriteback(b.Variant); // AS_WRITEBACK_INDETERMINATE: the program does not wait
        b.Add("folio_wait_writeback",
            (s, _) => waits && s.Folios[i].Writeback
                ? Guard.Block(WaitKind.FolioWriteback, i, static t => $"folio_wait_writeback(F{t}) [MIGRATE_SYNC]")
                : Guard.Run,
            (s, c) =>
            {
                if (s.Folios[i].Writeback) c.Note("AS_WRITEBACK_INDETERMINATE: -EBUSY");
                else if (keepLockedIf is not null && keepLockedIf(s.Folios[i])) return; // the caller moves it
                else c.Note($"F{i} migrated");
                s.FoliosW[i].LockOwner = -1;
                c.Goto(end);
            },
            (_, _) => $"F{i}");
    }
}
