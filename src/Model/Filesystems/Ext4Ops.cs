using ModelCheck.Model.Ops;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Filesystems;

/// <summary>
/// ext4 with its default mount options (data=ordered, delalloc, dioread_nolock; fs/ext4), where it
/// differs from XFS in this model:
/// - buffered reads and fadvise take no inode lock (generic_file_read_iter, generic_fadvise): the
///   ReadLock and FadviseLock switches default to none;
/// - writeback allocates only the delalloc blocks it writes, as unwritten extents
///   (mpage_map_one_extent with EXT4_GET_BLOCKS_UNWRIT_EXT), raises i_disksize when it submits the
///   I/O (mpage_map_and_submit_extent), and completes in the bio's end_io (ext4_end_bio, softirq)
///   unless the io_end has unwritten extents to convert, which goes to a workqueue
///   (ext4_end_io_rsv_work); the live kernel shows both (live-kernel.md: DONTCACHE overwrites leak,
///   writes needing conversion are dropped);
/// - an extending buffered write zeroes only the rest of the old EOF block
///   (ext4_block_zero_eof), and an extending O_DIRECT write zeroes nothing (the finding in
///   findings.md);
/// - truncate, hole punch and zero range have their own step programs (<see cref="Ext4Setattr"/>,
///   <see cref="Ext4PunchHole"/>, <see cref="Ext4ZeroRange"/>) without XFS's writeback of the range.
/// - an aligned O_DIRECT write keeps the i_rwsem shared only for a pure overwrite of written blocks.
/// Not modelled (kept as XFS's steps): ext4's buffered write path through buffer heads
/// (ext4_da_write_begin, whose reservation the model's delalloc marking stands for), the journal.
/// </summary>
public sealed class Ext4Ops : FilesystemOps
{
    public override string Name => "ext4";

    public override string Description => "ext4 (data=ordered, delalloc, dioread_nolock) over buffer heads";

    public override IReadOnlyDictionary<string, string> ImpliedSwitches { get; } = new Dictionary<string, string>
    {
        ["ReadLock"] = "none",
        ["FadviseLock"] = "none",
        ["XfsDontcacheWq"] = "removed", // no XFS completion workqueue: its routing is CompletionRouting below
        ["DiskSizeUpdate"] = "submission", // mpage_map_and_submit_extent
    };

    public override string? RefusesSwitch(string name) => name switch
    {
        "TruncateUpFlush" => "TruncateUpFlush is xfs_setattr_size's flush; ext4_setattr grows i_disksize without one",
        _ => null,
    };

    public override string? Refuses(OpKind kind) => kind switch
    {
        OpKind.WriteThrough or OpKind.AioWriteThrough => "RWF_WRITETHROUGH (the posted series) is wired up for XFS only (iomap_file_writethrough_write from xfs_file_write_iter)",
        _ => base.Refuses(kind),
    };

    public override void Writepage(KernelState s, int folio, StepContext c) => Writeback.IomapWritepage(s, folio, c);

    /// <summary>
    /// mpage_map_one_extent with dioread_nolock: the block is allocated as an unwritten extent, the
    /// io_end flagged for conversion; its neighbours stay delalloc until their own writeback.
    /// </summary>
    public override void AllocateDelalloc(KernelState s, int blk, StepContext c)
    {
        var g = s.Geo;
        s.ExtentsW[blk] = ExtentType.Unwritten;
        for (int u = g.FirstUnitOfBlock(blk); u < g.FirstUnitOfBlock(blk + 1); u++) s.DiskW[u] = DataTag.Stale;
        c.Note($"blk {blk} delalloc -> unwritten");
    }

    /// <summary>
    /// ext4_dio_write_checks keeps the i_rwsem shared only for a pure overwrite: not extending, and
    /// every block allocated and written (ext4_overwrite_io); anything else takes it exclusive.
    /// </summary>
    public override bool DioWriteShared(KernelState s, int from, int to)
    {
        if (to > s.Inode.ISize) return false;
        for (int blk = s.Geo.BlockOfUnit(from); blk <= s.Geo.BlockOfUnit(to - 1); blk++)
            if (s.Extents[blk] != ExtentType.Written) return false;
        return true;
    }

    /// <summary>
    /// block_dirty_folio dirties every buffer, but writeback writes only mapped ones
    /// (ext4_bio_write_folio clears the dirty bit of an unmapped buffer). Buffers over written or
    /// delalloc blocks are mapped; one over a hole or an unwritten block is mapped only by a write
    /// or page_mkwrite that covered it, which sets the block's dirty bit itself. So
    /// folio_mark_dirty adds only the written and delalloc blocks. Found by conform (1K and 2K
    /// blocks): a store past EOF, a truncate up, a zero range and a flush leave the block that was a
    /// hole when the folio was dirtied unwritten.
    /// </summary>
    public override int FolioMarkDirtyMask(KernelState s, int folio)
    {
        var g = s.Geo;
        int mask = s.Folios[folio].DirtyMask;
        for (int k = 0; k < g.BlocksPerFolio; k++)
            if (s.Extents[g.FirstBlockOfFolio(folio) + k] is ExtentType.Written or ExtentType.Delalloc) mask |= 1 << k;
        return mask;
    }

    /// <summary>ext4_handle_inode_extension: the live kernel write-protects the old EOF page (conform, 1K blocks: the next store faults and reserves its blocks).</summary>
    public override bool DioExtensionWriteProtects => true;

    public override (string EndBio, string EndIoWork) CompletionFunctions => ("ext4_end_bio", "ext4_end_io_rsv_work");

    public override string InlineEndBioFunction => "ext4_end_bio";

    public override string WritepagesFunction => "ext4_writepages";

    private static readonly Dictionary<string, string> Names = new()
    {
        ["xfs_file_buffered_write"] = "ext4_buffered_write_iter",
        ["xfs_buffered_write_iomap_begin"] = "ext4_da_map_blocks",
        ["iomap_page_mkwrite"] = "ext4_page_mkwrite",
        ["iomap_write_begin"] = "ext4_da_write_begin",
        ["iomap_write_end"] = "ext4_da_write_end",
        ["xfs_file_buffered_read"] = "ext4_file_read_iter",
        ["xfs_file_dio_read"] = "ext4_dio_read_iter",
        ["xfs_file_dio_write"] = "ext4_dio_write_iter",
        ["xfs_file_dio_write_aligned"] = "ext4_dio_write_iter",
        ["xfs_file_dio_write_unaligned"] = "ext4_dio_write_iter",
        ["xfs_direct_write_iomap_begin"] = "ext4_iomap_begin",
        ["xfs_iunlock"] = "inode_unlock",
        ["xfs_file_fadvise"] = "generic_fadvise",
    };

    public override string FunctionName(string shared) => Names.GetValueOrDefault(shared, shared);

    /// <summary>
    /// ext4_end_bio: an io_end with unwritten extents goes to the conversion workqueue, every other
    /// one ends its folios in the bio's context. The dropbehind series' per-folio flag is taken as
    /// for buffer heads (<see cref="BlockdevOps"/>).
    /// </summary>
    public override (bool NeedsWq, bool IoendDontcache, bool CompleteInTask) CompletionRouting(KernelState s, int folio, bool needsWq)
    {
        bool dropbehind = s.Folios[folio].Dropbehind;
        return (needsWq, dropbehind, !needsWq && s.Machine.Variant.Dropbehind.Irq.CompleteInTask && dropbehind);
    }

    /// <summary>ext4_block_zero_eof for a buffered write past EOF; nothing for O_DIRECT (ext4_dio_write_checks).</summary>
    public override void EmitWriteZeroEof(ProgramBuilder b, int from, bool direct)
    {
        if (direct) return;
        var g = b.Geo;
        Ext4BlockZero.Emit(b, "ext4_block_zero_eof", (s, _) =>
        {
            int isize = s.Inode.ISize;
            if (from <= isize) return (0, 0);
            var (z0, z1) = Ext4BlockZero.BlockTail(g, isize);
            return (z0, Math.Min(z1, from));
        });
    }

    public override void EmitTruncate(ProgramBuilder b, int newSize) => Ext4Setattr.Emit(b, newSize);

    /// <summary>ext4_collapse_range / ext4_insert_range set i_size and i_disksize themselves (no setattr).</summary>
    public override void EmitShiftRange(ProgramBuilder b, int from, int to, bool insert) => ShiftRange.Emit(b, from, to, insert, viaSetattr: false);

    public override void EmitFallocate(ProgramBuilder b, int from, int to, bool zeroRange)
    {
        if (zeroRange) Ext4ZeroRange.Emit(b, from, to);
        else Ext4PunchHole.Emit(b, from, to);
    }
}
