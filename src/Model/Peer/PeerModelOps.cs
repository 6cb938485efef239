using ModelCheck.Model.Filesystems;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Peer;

/// <summary>
/// <c>file.fs: bench</c>, the SPIN peer model (<see cref="SpinBench"/>): not a file system but a
/// yardstick registered like one. Its processes are its bench-* operations only; it has no block
/// device, no generic writeback and no read history, and its folios' locked[] exists without a folio.
/// </summary>
public sealed class PeerModelOps : FilesystemOps
{
    public override string Name => "bench";

    public override string Description => "the SPIN peer model (bench-* operations only)";

    public override void Writepage(KernelState s, int folio, StepContext c) =>
        throw new ModelError("the SPIN peer model writes back through its own bench-flusher, never the generic writeback loop");

    public override bool HasBlockDevice => false;

    public override string? Refuses(OpKind kind) =>
        OpNames.IsBench(kind) ? null : "bench-* operations belong to file.fs: bench scenarios, and only there";

    public override int LocalsPerThread(Geometry g) => Ops.OpHistory.LocalsPerThread(g, bench: true);

    public override void InitInode(KernelState s)
    {
        for (int i = 0; i < s.Geo.Folios; i++) s.FoliosW[i].LockOwner = -1;
    }
}
