using ModelCheck.Model.Ops;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Model.Filesystems;

/// <summary>
/// The file system under the page cache: the few address_space_operations and superblock facts
/// where the modelled file systems differ, as a table like xfs_address_space_operations. The
/// generic page-cache code (mm/filemap.c, mm/page-writeback.c, mm/truncate.c) calls them
/// unconditionally; a new file system is one subclass added to <see cref="Filesystems.All"/>.
/// </summary>
public abstract class FilesystemOps
{
    /// <summary>The scenario's <c>file.fs</c> value.</summary>
    public abstract string Name { get; }

    /// <summary>One line for the scenario format's documentation.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// ->writepages for one folio the writeback loop holds locked, after folio_clear_dirty_for_io:
    /// start its I/O (or find nothing to write) and unlock it.
    /// </summary>
    public abstract void Writepage(KernelState s, int folio, StepContext c);

    /// <summary>
    /// Where a writeback bio of this folio completes: in the file system's completion workqueue,
    /// whether its ioend carries the DONTCACHE flag, whether the bio is marked to complete in task
    /// context. <paramref name="needsWq"/> is what the extent asks (unwritten, COW, past i_disk_size).
    /// </summary>
    public virtual (bool NeedsWq, bool IoendDontcache, bool CompleteInTask) CompletionRouting(KernelState s, int folio, bool needsWq) =>
        (needsWq, false, false);

    /// <summary>The file system's own part of ->fsync, after the generic flush and wait of the range.</summary>
    public virtual void EmitFsync(ProgramBuilder b) { }

    /// <summary>wait_sb_inodes waits on this inode's writeback (false: the mapping opted out).</summary>
    public virtual bool SyncWaitsOnWriteback(Variant v) => true;

    /// <summary>sync(2) writes and waits at all (false: SB_I_NO_DATA_INTEGRITY, sync only kicks the flusher).</summary>
    public virtual bool SyncHasDataIntegrity(Variant v) => true;

    /// <summary>MIGRATE_SYNC waits on a folio under writeback (false: it gives up with -EBUSY).</summary>
    public virtual bool MigrationWaitsOnWriteback(Variant v) => true;

    /// <summary>Whether bios go to a block device: the device and completion-workqueue actors exist.</summary>
    public virtual bool HasBlockDevice => true;

    /// <summary>Why this file system cannot run the operation (the peer model takes only its own), or null.</summary>
    /// <summary>->migrate_folio for the migrate operation: filemap_migrate_folio (no buffers modelled) unless the file system says otherwise.</summary>
    public virtual void EmitMigrate(ProgramBuilder b, int folio) => Ops.Migrate.Emit(b, folio);

    /// <summary>Why this file system cannot honour a switch a variant sets (it models another file system's code), or null.</summary>
    public virtual string? RefusesSwitch(string name) => null;

    public virtual string? Refuses(OpKind kind) =>
        OpNames.IsBench(kind) ? "bench-* operations belong to file.fs: bench scenarios, and only there"
        : kind == OpKind.BhWrite ? "bh-write goes through the block device's buffer cache: it needs file.fs: blockdev"
        : null;

    /// <summary>Per-thread locals: the operation scratch slots and the read history.</summary>
    public virtual int LocalsPerThread(Geometry g) => Ops.OpHistory.LocalsPerThread(g, bench: false);

    /// <summary>Actors the file system brings besides the flusher and the device (the FUSE server).</summary>
    public virtual IEnumerable<ThreadInfo> Actors(Geometry g, ActorsSpec actors) => [];

    /// <summary>Inode and mapping setup (mapping flags set when the inode is created).</summary>
    public virtual void InitInode(KernelState s) { }

    /// <summary>
    /// Switch values this file system implies where a variant leaves them unset (ext4 takes no
    /// inode lock around buffered reads or fadvise); an explicit value in the variant wins.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string> ImpliedSwitches { get; } = new Dictionary<string, string>();

    /// <summary>The variant a scenario on this file system runs: the implied values under the explicit ones.</summary>
    public Variant Apply(Variant v)
    {
        if (ImpliedSwitches.Count == 0 || ImpliedSwitches.All(kv => v.Explicit.ContainsKey(kv.Key))) return v;
        var d = new Dictionary<string, string>(ImpliedSwitches);
        foreach (var (k, val) in v.Explicit) d[k] = val;
        return new Variant(d);
    }

    /// <summary>
    /// What a write that starts past EOF zeroes first, with the i_rwsem held: XFS zeroes the gap
    /// from the old EOF through iomap_zero_range for buffered and direct writes alike
    /// (xfs_file_write_zero_eof).
    /// </summary>
    public virtual void EmitWriteZeroEof(ProgramBuilder b, int from, bool direct) => ZeroRange.EmitWriteZeroEof(b, from);

    /// <summary>ftruncate: ->setattr with ATTR_SIZE (xfs_setattr_size).</summary>
    public virtual void EmitTruncate(ProgramBuilder b, int newSize) => Truncate.Emit(b, newSize);

    /// <summary>fallocate COLLAPSE_RANGE or INSERT_RANGE (xfs_falloc_collapse_range, xfs_falloc_insert_range).</summary>
    public virtual void EmitShiftRange(ProgramBuilder b, int from, int to, bool insert) => ShiftRange.Emit(b, from, to, insert, viaSetattr: true);

    /// <summary>fallocate PUNCH_HOLE or ZERO_RANGE with KEEP_SIZE (xfs_file_fallocate).</summary>
    public virtual void EmitFallocate(ProgramBuilder b, int from, int to, bool zeroRange) => PunchHole.Emit(b, from, to, zeroRange);

    /// <summary>
    /// Writeback's allocation of a delalloc block it is about to write (xfs_bmapi_convert_delalloc:
    /// the whole delalloc extent, as unwritten).
    /// </summary>
    public virtual void AllocateDelalloc(KernelState s, int blk, StepContext c) => Writeback.ConvertDelallocExtent(s, blk, c);

    /// <summary>The bio end_io that queues completion work, and the work function.</summary>
    public virtual (string EndBio, string EndIoWork) CompletionFunctions => ("xfs_end_bio", "xfs_end_io");

    /// <summary>The bio end_io that ends the folios' writeback in the bio's own context.</summary>
    public virtual string InlineEndBioFunction => "ioend_writeback_end_bio";

    /// <summary>
    /// The name this file system's kernel gives a step the model's shared step programs name after
    /// XFS or iomap (ext4: xfs_iunlock is inode_unlock); the trace shows the file system's own.
    /// </summary>
    public virtual string FunctionName(string shared) => shared;

    /// <summary>
    /// An O_DIRECT write that extends the file write-protects the old EOF folio
    /// (pagecache_isize_extended) when it raises i_size (ext4; XFS does not, its EOF zeroing's
    /// flush write-protects instead).
    /// </summary>
    public virtual bool DioExtensionWriteProtects => false;

    /// <summary>
    /// The blocks folio_mark_dirty leaves for writeback to write: iomap_dirty_folio sets every
    /// block's dirty bit, and writeback maps each (xfs_map_blocks).
    /// </summary>
    public virtual int FolioMarkDirtyMask(KernelState s, int folio) => s.Geo.AllBlocksMask;

    /// <summary>
    /// An aligned O_DIRECT write of [from, to) keeps the i_rwsem shared: on XFS when it does not
    /// start past EOF (no EOF zeroing; xfs_file_dio_write_aligned).
    /// </summary>
    public virtual bool DioWriteShared(KernelState s, int from, int to) => from <= s.Inode.ISize;

    /// <summary>->writepages, as the trace names the step that writes one folio.</summary>
    public virtual string WritepagesFunction => "iomap_writepages";
}

/// <summary>The file systems a scenario can name.</summary>
public static class Filesystems
{
    public static readonly FilesystemOps Xfs = new XfsOps();

    public static readonly FilesystemOps Ext4 = new Ext4Ops();

    public static readonly IReadOnlyList<FilesystemOps> All = [Xfs, Ext4, new FuseOps(), new BlockdevOps(), new Peer.PeerModelOps()];

    public static FilesystemOps? Find(string name) => All.FirstOrDefault(f => f.Name == name);
}
