using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Variants;

/// <summary>
/// An environment fault a scenario may let the search inject (its <c>faults:</c> field), declared
/// like a switch: its name, the kernel site that can fail, what failing means. At that site the step
/// gets one more alternative, the failure, which the trace names.
/// </summary>
public sealed record FaultDef(string Name, string Site, string Meaning)
{
    /// <summary>The site's alternatives: success, and the failure when the scenario declares the fault and the site can fail here.</summary>
    public int Alternatives(KernelState s, bool canFail) => canFail && s.Machine.Faults.Contains(this) ? 2 : 1;

    /// <summary>Whether this execution of the site takes the failure (alternative 1); says so in the trace.</summary>
    public bool Fails(StepContext c)
    {
        if (c.Alt != 1) return false;
        c.Note($"fault {Name} injected");
        return true;
    }
}

/// <summary>The faults the model can inject.</summary>
public static class Faults
{
    public static readonly FaultDef DioDoneWqAlloc = new("dio-done-wq-alloc", "fs/super.c::sb_init_dio_done_wq",
        "the dio-done workqueue allocation (sb_init_dio_done_wq) may fail");

    public static readonly FaultDef WritebackIoError = new("writeback-io-error", "block/blk-core.c::bio_endio (bi_status BLK_STS_IOERR)",
        "the device may fail a writeback bio (flusher, fsync, sync writeback; fault_limit of them per run, default one; not O_DIRECT or write-through bios, whose errors go to their caller), or a FUSE server answer one WRITE with -EIO: the data does not reach the disk and the completion records the error in the mapping");

    public static readonly FaultDef FreedBlockReuse = new("freed-block-reuse", "fs/xfs/xfs_bmap_util.c::xfs_free_file_space, fs/xfs/xfs_inode.c::xfs_itruncate_extents",
        "the blocks a hole punch or truncate frees may go to another file at once and be written there: their disk bytes become that owner's (Stale), which a read bio that mapped them before the free then returns");

    public static readonly FaultDef ReadIoError = new("read-io-error", "block/blk-core.c::bio_endio (a read bio, bi_status BLK_STS_IOERR)",
        "the device may fail a read bio (readahead(2), fadvise WILLNEED, a buffered read's sync readahead; fault_limit of them per run, default one): iomap_read_end_io ends its folios' reads without PG_uptodate (folio_end_read(folio, false)), so they stay cached but not uptodate, and the next read of them reads them again (filemap_update_page)");

    public static readonly IReadOnlyList<FaultDef> All = [DioDoneWqAlloc, WritebackIoError, FreedBlockReuse, ReadIoError];


    public static FaultDef? Find(string name) => All.FirstOrDefault(f => f.Name == name);
}
