using ModelCheck.Model.Ops;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Filesystems;

/// <summary>
/// XFS over iomap (fs/xfs/xfs_aops.c): iomap_writepages with xfs_map_blocks, and the ioend
/// routing of xfs_ioend_needs_wq_completion and the dropbehind series (kernel-reference §2.3, 2.4).
/// </summary>
public sealed class XfsOps : FilesystemOps
{
    public override string Name => "xfs";

    public override string Description => "XFS over iomap";

    public override void Writepage(KernelState s, int folio, StepContext c) => Writeback.IomapWritepage(s, folio, c);

    /// <summary>
    /// iomap_add_to_ioend's DONTCACHE flag (IoendDontcache), xfs_ioend_needs_wq_completion (append,
    /// unwritten, shared, and DONTCACHE unless the BIO_COMPLETE_IN_TASK series removed it), and
    /// BIO_COMPLETE_IN_TASK (set for DONTCACHE ioends, or per dropbehind folio; xfs_writeback_submit
    /// clears it on ioends it sends to its own workqueue).
    /// </summary>
    public override (bool NeedsWq, bool IoendDontcache, bool CompleteInTask) CompletionRouting(KernelState s, int folio, bool needsWq)
    {
        var p = s.Machine.Variant.Dropbehind;
        bool dropbehind = s.Folios[folio].Dropbehind;
        bool ioendDontcache = p.Ioend.IoendFlag && dropbehind;
        bool flagged = p.Irq.CompleteInTask && (ioendDontcache || (p.Ioend.PerFolio && dropbehind));
        bool wq = needsWq || (p.XfsWq.Present && ioendDontcache);
        return (wq, ioendDontcache || (p.Ioend.PerFolio && dropbehind), flagged && !wq);
    }
}
