using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// Direct reclaim over the file's folios (shrink_folio_list, kernel-reference §2.9, the correction in kernel-reference §2.9):
/// trylock or skip; under writeback: case 3 (legacy memcg, PG_reclaim already set, mapping not
/// flagged) unlocks and waits, otherwise case 2 sets PG_reclaim and moves on; dirty: set
/// PG_reclaim and keep; clean: unmap (moving PTE dirt into the folio), release and remove.
/// </summary>
public static class Reclaim
{
    public static void Emit(ProgramBuilder b)
    {
        for (int fi = 0; fi < b.Geo.Folios; fi++)
        {
            int i = fi;
            b.Add("shrink_folio_list",
                (s, _) =>
                {
                    var f = s.Folios[i];
                    if (!f.Present || f.Locked) return Guard.Skip();
                    if (f.Writeback && s.Machine.LegacyMemcg && f.Reclaim && !s.Inode.WritebackMayDeadlock)
                        return Guard.Block(WaitKind.FolioWriteback, i, static t => $"folio_wait_writeback(F{t}) [reclaim case 3]");
                    return Guard.Run;
                },
                (s, c) => ShrinkFolio(s, i, c),
                (_, _) => $"F{i}");
        }
    }

    private static void ShrinkFolio(KernelState s, int i, StepContext c)
    {
        ref var f = ref s.FoliosW[i];
        if (f.Writeback)
        {
            f.Reclaim = true;
            c.Note($"F{i} writeback: PG_reclaim, keep");
            return;
        }
        if (f.PteMapped)
        {
            // try_to_unmap moves the PTE dirty bit into the folio
            if (f.PteDirty) PageCache.MarkDirty(s, i);
            f.PteMapped = f.PteWritable = f.PteDirty = false;
        }
        if (f.Dirty)
        {
            f.Reclaim = true;
            c.Note($"F{i} dirty: PG_reclaim, keep");
            return;
        }
        if (PageCache.BuffersBusy(f))
        {
            c.Note($"F{i} buffers in use: filemap_release_folio fails, keep");
            return;
        }
        PageCache.Delete(s, i, c, "shrink_folio_list");
        c.Note($"F{i} evicted");
    }
}
