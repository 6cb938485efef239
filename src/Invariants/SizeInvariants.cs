using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Invariants;

/// <summary>isize-regression (kernel-reference §6.4, race §4.1).</summary>
public sealed class ISizeRegression : Invariant
{
    public override string Id => "isize-regression";
    public override string Title => "i_size never moves away from what a completed truncate set";
    public override string Kind => "history";
    public override string Rationale =>
        "After truncate(n) returns, i_size stays n until a later size-changing operation starts. " +
        "Truncate (xfs_vn_setattr_size) holds the i_rwsem and MMAPLOCK, calls inode_dio_wait so that " +
        "direct and aio I/O that could still move EOF have finished, and only then i_size_write(n) " +
        "(fs/xfs/xfs_iops.c, mm/truncate.c::truncate_setsize). Any context that can change i_size or " +
        "extents after dropping the i_rwsem must hold an i_dio_count reference (kernel-reference §4.1). " +
        "The model keeps the size the last completed truncate set and whether a write, write-through " +
        "or truncate started since.";

    public override Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        var h = s.History;
        if (h.TruncSize >= 0 && !h.SizeOpSince && s.Inode.ISize != h.TruncSize)
            return Fail($"truncate({s.Geo.Bytes(h.TruncSize)}) returned, no size-changing operation started since, " +
                        $"but i_size is now {s.Geo.Bytes(s.Inode.ISize)}");
        return null;
    }
}
