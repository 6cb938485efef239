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

/// <summary>crash-size: the on-disk size never runs ahead of the data below it (the "NULL files" problem).</summary>
public sealed class CrashSize : Invariant
{
    public override string Id => "crash-size";
    public override string Title => "the size a crash would recover never covers written data that is not on disk";
    public override string Kind => "safety";
    public override string Rationale =>
        "A crash recovers the on-disk inode: its size (XFS i_disk_size, ext4 i_disksize) and its extents. " +
        "Where the size covers data a write put past the old on-disk size, the blocks must already hold that " +
        "data (or a later version): a hole, a delalloc reservation or an unwritten extent reads back as zeros, " +
        "the \"NULL files\" problem, and a written extent whose block was never written exposes stale data. " +
        "XFS therefore raises i_disk_size only when the I/O below it completes (xfs_end_ioend: unwritten " +
        "conversion, then xfs_setfilesize) and a truncate that logs a larger size first writes back " +
        "[i_disk_size, new size) (xfs_setattr_size: \"If we do not write the data out, we expose ourselves to " +
        "the null files problem\"). ext4 raises i_disksize when it submits the I/O " +
        "(mpage_map_and_submit_extent) over unwritten extents (dioread_nolock), so a crash before the " +
        "conversion reads zeros there: no stale data, but no data. The model takes the worst case, that the " +
        "log holds the newest size; data a write landed past the on-disk size is tracked per unit until a " +
        "truncate cuts it or an operation defines the unit as zeros (a punch, zero range or shift in progress " +
        "excuses its own range until it returns).";

    public override Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        var past = s.History.PastDiskEof;
        if (past.Length == 0) return null;
        var g = s.Geo;
        // a punch, zero range or shift in progress discards its range: its end defines the zeros there
        var (discardFrom, discardTo) = Model.Ops.PunchHole.InProgress(s);
        for (int u = 0; u < Math.Min(s.Inode.IDiskSize, past.Length); u++)
        {
            if (past[u] == 0 || (u >= discardFrom && u < discardTo)) continue;
            int blk = g.BlockOfUnit(u);
            var extent = s.Extents[blk];
            byte image = extent == ExtentType.Written ? s.Disk[u] : DataTag.Zero;
            if (image != DataTag.Zero && image != DataTag.Stale) continue;
            string what = image == DataTag.Stale ? $"blk {blk} is mapped written but holds stale data"
                : extent == ExtentType.Written ? $"blk {blk} holds zeros there on disk"
                : $"blk {blk} is {extent.ToString().ToLowerInvariant()} on disk, so it reads as zeros";
            return Fail($"a crash now recovers a size of {g.Bytes(s.Inode.IDiskSize)} over {g.Bytes(u)}-{g.Bytes(u + 1)}, " +
                        $"where a write put data past the on-disk size that is not on disk yet: {what}");
        }
        return null;
    }
}
