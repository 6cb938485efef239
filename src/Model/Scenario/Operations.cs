using ModelCheck.Model.Ops;
using ModelCheck.Model.Peer;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Scenario;

/// <summary>What an operation takes besides its name: a byte range, a size, or nothing.</summary>
public enum OpShape { Range, Size, Plain }

/// <summary>Where one operation of a thread acts, in units of the scenario's geometry.</summary>
public readonly record struct OpSite(OpSpec Op, int From, int To, int WriteId, Geometry Geo)
{
    public ScenarioException Bad(string field, string message) => new(field, Op.Line, message);
}

/// <summary>
/// One operation a user thread can run, declared once: its name in scenario files and --ops, the
/// kernel path it models (for docs/scenario-format.md), its shape, whether it writes data (and so
/// gets a write id W&lt;n&gt;), whether it is one of the SPIN peer model's processes, and how its
/// steps are emitted.
/// </summary>
public sealed record OperationDef(OpKind Kind, string Name, string KernelPath, OpShape Shape, bool Writes, Action<ProgramBuilder, OpSite> Emit, bool Peer = false);

/// <summary>The operations, in the order the docs list them.</summary>
public static class Operations
{
    public static readonly IReadOnlyList<OperationDef> All =
    [
        new(OpKind.BufferedWrite, "buffered-write",
            "pwrite(2): xfs_file_buffered_write takes the i_rwsem exclusive, iomap_file_buffered_write maps (delalloc over holes) and copies per folio (iomap_write_begin/iomap_write_end), marks the folio dirty and raises i_size",
            OpShape.Range, Writes: true, static (b, a) => BufferedWrite.Emit(b, a.From, a.To, a.WriteId, dontcache: false)),
        new(OpKind.DontcacheWrite, "dontcache-write",
            "pwritev2(RWF_DONTCACHE): the buffered write with its folios marked dropbehind, then generic_write_sync's DONTCACHE branch (switch DontcacheSync); the folios are dropped at writeback completion (folio_end_dropbehind, switch DropbehindIrq)",
            OpShape.Range, Writes: true, static (b, a) => BufferedWrite.Emit(b, a.From, a.To, a.WriteId, dontcache: true)),
        new(OpKind.WriteThrough, "writethrough",
            "pwritev2(RWF_WRITETHROUGH), synchronous (the write-through series): copy, folio_clear_dirty_for_writethrough, folio_start_writeback, bio submission and wait under the i_rwsem, ->end_io",
            OpShape.Range, Writes: true, static (b, a) => WriteThrough.Emit(b, a.From, a.To, a.WriteId, aio: false)),
        new(OpKind.AioWriteThrough, "aio-writethrough",
            "io_submit of an RWF_WRITETHROUGH write: as writethrough, but it returns -EIOCBQUEUED after submission and drops the i_rwsem; ->end_io runs from the dio-done workqueue",
            OpShape.Range, Writes: true, static (b, a) => WriteThrough.Emit(b, a.From, a.To, a.WriteId, aio: true)),
        new(OpKind.BufferedRead, "buffered-read",
            "pread(2): xfs_file_buffered_read (i_rwsem shared, switch ReadLock) then filemap_read: per folio find or create and read it, copy, drop a clean dropbehind folio",
            OpShape.Range, Writes: false, static (b, a) => BufferedRead.Emit(b, a.From, a.To)),
        new(OpKind.DioRead, "dio-read",
            "pread(2) with O_DIRECT: xfs_file_dio_read takes the i_rwsem shared, iomap_dio_rw flushes the range, maps it and samples the disk when the bio completes",
            OpShape.Range, Writes: false, static (b, a) => DirectIo.EmitRead(b, a.From, a.To)),
        new(OpKind.DioWrite, "dio-write",
            "pwrite(2) with O_DIRECT: xfs_file_dio_write (i_rwsem shared for an aligned overwrite, exclusive otherwise), flush and invalidate, block mapping, submission, completion, ->end_io (unwritten conversion, i_size) and the post-write invalidation",
            OpShape.Range, Writes: true, static (b, a) => DirectIo.EmitWrite(b, a.From, a.To, a.WriteId)),
        new(OpKind.Truncate, "truncate",
            "ftruncate(2): do_truncate, xfs_vn_setattr_size: inode_dio_wait, i_size_write, truncate_inode_pages_range (wait on writeback per folio), xfs_itruncate_extents",
            OpShape.Size, Writes: false, static (b, a) =>
            {
                if (a.Op.Size < 0 || a.Op.Size / a.Geo.UnitBytes > a.Geo.Units)
                    throw a.Bad("size", $"truncate size {a.Op.Size} must be within 0..max_size");
                b.Fs.EmitTruncate(b, (int)(a.Op.Size / a.Geo.UnitBytes));
            }),
        new(OpKind.Fsync, "fsync",
            "fsync(2): xfs_file_fsync, file_write_and_wait_range: write back every dirty folio (WB_SYNC_ALL, TOWRITE tags) and wait for writeback",
            OpShape.Plain, Writes: false, static (b, _) => Fsync.EmitFsync(b)),
        new(OpKind.MmapStore, "mmap-store",
            "a store through a shared writable mapping: a write fault (->page_mkwrite: iomap_page_mkwrite, folio_wait_stable) makes the PTE writable and the folio dirty; a later store through a still-writable PTE dirties nothing. Inside one 4K page",
            OpShape.Range, Writes: true, static (b, a) =>
            {
                if (a.From / a.Geo.UnitsPerPage != (a.To - 1) / a.Geo.UnitsPerPage)
                    throw a.Bad("length", "an mmap-store must stay inside one page (4K)");
                Mmap.EmitStore(b, a.From, a.To, a.WriteId);
            }),
        new(OpKind.MmapRead, "mmap-read",
            "a read fault through a mapping: filemap_fault finds or reads the folio; no i_rwsem. Inside one folio",
            OpShape.Range, Writes: false, static (b, a) =>
            {
                if (a.Geo.FolioOfUnit(a.From) != a.Geo.FolioOfUnit(a.To - 1))
                    throw a.Bad("length", "an mmap-read must stay inside one folio");
                Mmap.EmitLoad(b, a.From, a.To);
            }),
        new(OpKind.Sync, "sync",
            "sync(2): sync_inodes_sb starts writeback of the super block and wait_sb_inodes waits for every inode's writeback (switches FuseWriteback, FuseSync)",
            OpShape.Plain, Writes: false, static (b, _) => Fsync.EmitSync(b)),
        new(OpKind.MemoryPressure, "memory-pressure",
            "direct reclaim over the file's folios: shrink_folio_list (writeback folios: the three cases of the kernel reference, memcg kind from actors.memcg), then __remove_mapping of clean unmapped folios",
            OpShape.Plain, Writes: false, static (b, _) => Reclaim.Emit(b)),
        new(OpKind.Migrate, "migrate",
            "page migration of the range's first folio in MIGRATE_SYNC mode: migrate_pages, migrate_folio_unmap waits for writeback (switch FuseWriteback); on a block device folio with buffers, buffer_migrate_folio_norefs (switch BufferMigration)",
            OpShape.Range, Writes: false, static (b, a) => b.Fs.EmitMigrate(b, a.Geo.FolioOfUnit(a.From))),
        new(OpKind.BhWrite, "bh-write",
            "a metadata update through the block device's buffer cache (file.fs: blockdev): __find_get_block takes a buffer reference under i_private_lock without the folio lock (__getblk_slow creates the folio and its buffers under the folio lock on a miss), the data is written through bh->b_data, mark_buffer_dirty, brelse (switch BufferMigration); the range lies in one folio",
            OpShape.Range, Writes: true, static (b, a) =>
            {
                if (a.Geo.FolioOfUnit(a.From) != a.Geo.FolioOfUnit(a.To - 1)) throw a.Bad("length", "a bh-write stays inside one folio (one buffer_head lookup)");
                BufferHeads.EmitWrite(b, a.From, a.To, a.WriteId);
            }),
        new(OpKind.PunchHole, "punch-hole",
            "fallocate(FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE): xfs_file_fallocate takes the i_rwsem and the invalidate lock exclusive, flushes and waits on the range, truncates its page cache (truncate_inode_pages_range, shared with truncate), zeroes partial blocks and frees the whole blocks' extents",
            OpShape.Range, Writes: false, static (b, a) => b.Fs.EmitFallocate(b, a.From, a.To, zeroRange: false)),
        new(OpKind.AioDioWrite, "aio-dio-write",
            "io_submit of an O_DIRECT write: as dio-write up to the bio's submission, then iomap_dio_rw returns -EIOCBQUEUED and the IOLOCK is dropped; the device completes the bio and iomap_dio_complete_work runs ->end_io, the post-write invalidation (switch DioInvalidate) and inode_dio_end on the dio-done workqueue",
            OpShape.Range, Writes: true, static (b, a) => DirectIo.EmitWrite(b, a.From, a.To, a.WriteId, aio: true)),
        new(OpKind.AioWait, "aio-wait",
            "io_getevents: waits until the thread's AIO O_DIRECT writes have completed",
            OpShape.Plain, Writes: false, static (b, _) => DirectIo.EmitAioWait(b)),
        new(OpKind.ZeroRange, "zero-range",
            "fallocate(FALLOC_FL_ZERO_RANGE|FALLOC_FL_KEEP_SIZE): xfs_falloc_zero_range runs the hole punch's xfs_free_file_space (locks, flush, page-cache truncation, partial-block zeroing, extent freeing), then xfs_alloc_file_space allocates unwritten extents over the range rounded out to blocks",
            OpShape.Range, Writes: false, static (b, a) => b.Fs.EmitFallocate(b, a.From, a.To, zeroRange: true)),
        new(OpKind.CollapseRange, "collapse-range",
            "fallocate(FALLOC_FL_COLLAPSE_RANGE): EINVAL unless block-aligned and ending before EOF; writes back and drops the page cache from the range to EOF, frees the range's blocks, shifts the blocks after it down, and shrinks i_size by its length (XFS: xfs_collapse_file_space, then xfs_vn_setattr_size; ext4: ext4_collapse_range)",
            OpShape.Range, Writes: false, static (b, a) => b.Fs.EmitShiftRange(b, a.From, a.To, insert: false)),
        new(OpKind.InsertRange, "insert-range",
            "fallocate(FALLOC_FL_INSERT_RANGE): EINVAL unless block-aligned, starting below EOF and fitting max_size; grows i_size by its length, writes back and drops the page cache from the offset to EOF, and shifts the blocks from the offset up, leaving a hole (XFS: xfs_vn_setattr_size, then xfs_insert_file_space; ext4: ext4_insert_range)",
            OpShape.Range, Writes: false, static (b, a) => b.Fs.EmitShiftRange(b, a.From, a.To, insert: true)),
        new(OpKind.Readahead, "readahead",
            "readahead(2) or posix_fadvise(POSIX_FADV_WILLNEED): xfs_file_fadvise holds the i_rwsem shared (switch FadviseLock); page_cache_ra_unbounded takes the invalidate_lock shared (switch FillInvalidateLock), adds locked, not uptodate folios up to EOF, and iomap_readahead maps the blocks and submits read bios that the device completes later (folio_end_read)",
            OpShape.Range, Writes: false, static (b, a) => Readahead.Emit(b, a.From, a.To)),
        new(OpKind.Open, "open",
            "close(2) the thread's file and open(2) it again: the new file description samples mapping->wb_err (errseq_sample). Every user thread starts with the file open",
            OpShape.Plain, Writes: false, static (b, _) => WritebackError.EmitOpen(b)),
        new(OpKind.BenchWriter, "bench-writer", "the SPIN peer model's writer process (file.fs: bench only)",
            OpShape.Range, Writes: true, static (b, a) => SpinBench.EmitWriter(b, a.Geo.FolioOfUnit(a.To - 1), a.WriteId), Peer: true),
        new(OpKind.BenchTruncate, "bench-truncate", "the SPIN peer model's truncate process (file.fs: bench only)",
            OpShape.Plain, Writes: false, static (b, a) => SpinBench.EmitTruncate(b, a.Geo.Folios), Peer: true),
        new(OpKind.BenchFlusher, "bench-flusher", "the SPIN peer model's flusher process (file.fs: bench only)",
            OpShape.Plain, Writes: false, static (b, a) => SpinBench.EmitFlusher(b, a.Geo.Folios), Peer: true),
        new(OpKind.BenchEndio, "bench-endio", "the SPIN peer model's end-io process (file.fs: bench only)",
            OpShape.Plain, Writes: false, static (b, _) => SpinBench.EmitEndio(b), Peer: true),
    ];

    private static readonly Dictionary<OpKind, OperationDef> ByKind = All.ToDictionary(o => o.Kind);

    public static OperationDef Of(OpKind kind) => ByKind[kind];
}
