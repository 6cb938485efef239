using ModelCheck.Model.State;

namespace ModelCheck.Model.Variants;

/// <summary>
/// WtAioDioCount: whether an aio RWF_WRITETHROUGH call holds an i_dio_count reference from
/// setup until its completion (the write-through series patch 4/5), so that truncate's inode_dio_wait waits
/// for ->end_io.
/// </summary>
public abstract class WriteThroughDioAccounting
{
    public abstract bool Counted { get; }

    public static WriteThroughDioAccounting For(WtAioDioCountMode value) => value == WtAioDioCountMode.On ? new On() : new Off();

    /// <summary>Called in iomap_file_writethrough_write for an aio call; returns whether a ref was taken.</summary>
    public bool Begin(ref Inode inode)
    {
        if (!Counted) return false;
        inode.DioCount++;
        return true;
    }

    private sealed class On : WriteThroughDioAccounting
    {
        public override bool Counted => true;
    }

    private sealed class Off : WriteThroughDioAccounting
    {
        public override bool Counted => false;
    }
}
