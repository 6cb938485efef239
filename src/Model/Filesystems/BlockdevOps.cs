using ModelCheck.Model.Scenario;
using ModelCheck.Model.Ops;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Filesystems;

/// <summary>
/// A buffer_head file system or a block device (fs/buffer.c, block_write_full_folio): the same
/// folio-level writeback as iomap in this model, but no completion workqueue, so every bio ends in
/// bio end_io. "buffer: set BIO_COMPLETE_IN_TASK for dropbehind writeback" is modelled as flagging
/// the bios of dropbehind folios (its contents are unconfirmed).
/// </summary>
public sealed class BlockdevOps : FilesystemOps
{
    public override string Name => "blockdev";

    public override string Description => "a buffer_head file system whose writeback completes in IRQ context";

    public override void Writepage(KernelState s, int folio, StepContext c) => Writeback.IomapWritepage(s, folio, c);

    /// <summary>def_blk_aops: buffer_migrate_folio_norefs (a folio without buffers migrates as any other).</summary>
    public override void EmitMigrate(ProgramBuilder b, int folio) => BufferMigrate.Emit(b, folio);

    public override string? Refuses(OpKind kind) => kind == OpKind.BhWrite ? null : base.Refuses(kind);

    public override (bool NeedsWq, bool IoendDontcache, bool CompleteInTask) CompletionRouting(KernelState s, int folio, bool needsWq)
    {
        bool dropbehind = s.Folios[folio].Dropbehind;
        return (false, dropbehind, s.Machine.Variant.Dropbehind.Irq.CompleteInTask && dropbehind);
    }
}
