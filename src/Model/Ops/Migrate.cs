using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// Page migration of one folio in MIGRATE_SYNC mode (kernel-reference §2.11): migrate_folio_unmap locks
/// the folio; under writeback MIGRATE_SYNC waits (holding the lock), except that the FUSE temp-page series'
/// AS_WRITEBACK_INDETERMINATE makes it return -EBUSY; then the folio is moved.
/// </summary>
public static class Migrate
{
    public static void Emit(ProgramBuilder b, int i)
    {
        var end = b.NewLabel();
        b.Add("migrate_folio_unmap",
            (s, tid) => !s.Folios[i].Present ? Guard.Skip(end.Index) : PageCache.LockGuard(s, i, tid),
            (s, c) => s.FoliosW[i].LockOwner = (sbyte)c.Tid,
            (_, _) => $"F{i} MIGRATE_SYNC");
        bool waits = b.Fs.MigrationWaitsOnWriteback(b.Variant); // AS_WRITEBACK_INDETERMINATE: the program does not wait
        b.Add("folio_wait_writeback",
            (s, _) => waits && s.Folios[i].Writeback
                ? Guard.Block(WaitKind.FolioWriteback, i, static t => $"folio_wait_writeback(F{t}) [MIGRATE_SYNC]")
                : Guard.Run,
            (s, c) =>
            {
                if (s.Folios[i].Writeback) c.Note("AS_WRITEBACK_INDETERMINATE: -EBUSY");
                else c.Note($"F{i} migrated");
                s.FoliosW[i].LockOwner = -1;
            },
            (_, _) => $"F{i}");
        b.Mark(end);
    }
}
