namespace ModelCheck.Model.Variants;

/// <summary>
/// A switch value's name, as written in variants, expect lines and profiles, and what the kernel does
/// with it. Each switch is one enum below; parsing, `modelcheck switches`, expect-line validation and
/// docs/variants.md all come from these declarations.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class ValueAttribute(string name, string meaning) : Attribute
{
    public string Name { get; } = name;

    public string Meaning { get; } = meaning;
}

/// <summary>The values of <see cref="Switches.WtAioDioCount"/>.</summary>
public enum WtAioDioCountMode
{
    [Value("off", "aio write-through takes no i_dio_count reference: patch 4/5 without its inode_dio_begin/end (an ablation; patch 2/5 rejects aio)")]
    Off,
    [Value("on", "aio write-through holds an i_dio_count reference from submission to its ->end_io (patch 4/5), so truncate's inode_dio_wait waits for it")]
    On,
}

/// <summary>The values of <see cref="Switches.WtWritebackEnd"/>.</summary>
public enum WtWritebackEndMode
{
    [Value("at-bio-end", "PG_writeback ends in the bio completion, before ->end_io converts unwritten extents and raises i_size (as posted)")]
    AtBioEnd,
    [Value("after-end-io", "PG_writeback ends only after ->end_io, as XFS's ordinary writeback does")]
    AfterEndIo,
}

/// <summary>The values of <see cref="Switches.WtCowConvert"/>.</summary>
public enum WtCowConvertMode
{
    [Value("at-iomap-begin", "a COW extent over a data-fork hole is converted to written when the write maps it (the earlier prototype)")]
    AtIomapBegin,
    [Value("at-submit", "the conversion happens at bio submission, after the data is in the folio (the write-through series patch 3/5)")]
    AtSubmit,
}

/// <summary>The values of <see cref="Switches.WtDirtyClear"/>.</summary>
public enum WtDirtyClearMode
{
    [Value("whole-folio", "a partial write-through clears PG_dirty unconditionally")]
    WholeFolio,
    [Value("per-block", "PG_dirty is cleared only when no block of the folio stays dirty (folio_clear_dirty_for_writethrough, patch 1/5)")]
    PerBlock,
}

/// <summary>The values of <see cref="Switches.WtMkclean"/>.</summary>
public enum WtMkcleanMode
{
    [Value("off", "write-through starts writeback with user PTEs still writable")]
    Off,
    [Value("on", "write-through write-protects user PTEs (folio_mkclean) before starting writeback")]
    On,
}

/// <summary>The values of <see cref="Switches.WtStableWrites"/>.</summary>
public enum WtStableWritesMode
{
    [Value("plain-bit", "AS_STABLE_WRITES is set at submission and cleared at completion as one mapping bit (as posted): the first completion clears it for every other I/O and for a device's preset bit")]
    PlainBit,
    [Value("counted", "stable writes are counted per in-flight write-through and a device's preset bit is preserved")]
    Counted,
}

/// <summary>The values of <see cref="Switches.WtWaitWriteback"/>.</summary>
public enum WtWaitWritebackMode
{
    [Value("off", "write-through calls folio_start_writeback on a folio that may already be under writeback (VM_BUG_ON_FOLIO in the kernel)")]
    Off,
    [Value("on", "write-through waits for writeback already in flight on the folio before starting its own")]
    On,
}

/// <summary>The values of <see cref="Switches.WtWqInitError"/>.</summary>
public enum WtWqInitErrorMode
{
    [Value("leak", "when the dio-done workqueue cannot be allocated, patch 4/5 returns without inode_dio_end: i_dio_count leaks")]
    Leak,
    [Value("fixed", "the error path releases the i_dio_count reference")]
    Fixed,
}

/// <summary>The values of <see cref="Switches.FuseWriteback"/>.</summary>
public enum FuseWritebackMode
{
    [Value("temp-page", "FUSE copies each dirty folio to a temporary page and ends writeback at once (up to 0c58a97f919c)")]
    TempPage,
    [Value("no-temp-page", "no temporary page: writeback lasts until the server answers the WRITE, and nothing skips the wait")]
    NoTempPage,
    [Value("no-temp-page+indeterminate", "no temporary page plus AS_WRITEBACK_INDETERMINATE as posted: reclaim, sync(2) and migration skip the wait")]
    NoTempPageIndeterminate,
    [Value("no-temp-page+merged-flag", "no temporary page plus the flag as merged: only reclaim skips the wait")]
    NoTempPageMergedFlag,
}

/// <summary>The values of <see cref="Switches.FuseSync"/>.</summary>
public enum FuseSyncMode
{
    [Value("wait", "sync(2)/syncfs waits for the inode's writeback (wait_sb_inodes)")]
    Wait,
    [Value("no-data-integrity", "the super block has SB_I_NO_DATA_INTEGRITY: sync_inodes_sb only wakes the flusher and does not wait (76f9377cd2ab, stable 6.18)")]
    NoDataIntegrity,
}

/// <summary>The values of <see cref="Switches.ReadLock"/>.</summary>
public enum ReadLockMode
{
    [Value("i-rwsem-shared", "a buffered read holds the i_rwsem shared (XFS: xfs_file_buffered_read)")]
    IRwsemShared,
    [Value("none", "a buffered read takes no inode lock (ext4 and most file systems: generic_file_read_iter)")]
    None,
}

/// <summary>The values of <see cref="Switches.DontcacheSync"/>.</summary>
public enum DontcacheSyncMode
{
    [Value("inline-flush", "generic_write_sync's DONTCACHE branch writes the range back in the writer (filemap_flush_range, 6.14 on)")]
    InlineFlush,
    [Value("kick-flusher", "it only wakes the flusher, which does the writeback (the flusher-kick series)")]
    KickFlusher,
}

/// <summary>The values of <see cref="Switches.DropbehindIrq"/>.</summary>
public enum DropbehindIrqMode
{
    [Value("skip", "folio_end_dropbehind outside task context skips the invalidation: the folio stays cached (6.14 on)")]
    Skip,
    [Value("global-batch", "it defers the folio to one global batch drained by a worker; a full batch skips (the dropbehind-deferral series v2)")]
    GlobalBatch,
    [Value("per-cpu-batch", "it defers to per-CPU batches (v3); a full batch skips")]
    PerCpuBatch,
    [Value("complete-in-task", "the bio completes in task context (BIO_COMPLETE_IN_TASK), so the invalidation runs, still with a trylock that may fail")]
    CompleteInTask,
}

/// <summary>The values of <see cref="Switches.IoendDontcache"/>.</summary>
public enum IoendDontcacheMode
{
    [Value("none", "iomap does not mark ioends that carry dropbehind folios: they complete in IRQ like any other (6.15-rc to 6.15.2)")]
    None,
    [Value("ioend-flag", "IOMAP_IOEND_DONTCACHE marks the ioend and such ioends are not merged with others (6.15.3 on)")]
    IoendFlag,
    [Value("per-folio-bio-flag", "each folio is checked and the bio flagged when any is dropbehind (suggested in review)")]
    PerFolioBioFlag,
}

/// <summary>The values of <see cref="Switches.XfsDontcacheWq"/>.</summary>
public enum XfsDontcacheWqMode
{
    [Value("present", "XFS routes DONTCACHE ioends to its completion workqueue (task context)")]
    Present,
    [Value("removed", "the routing is removed (the BIO_COMPLETE_IN_TASK series patch 2/3): the bio flag must move the completion instead")]
    Removed,
}

/// <summary>The values of <see cref="Switches.DropbehindRecheck"/>.</summary>
public enum DropbehindRecheckMode
{
    [Value("off", "the dropbehind invalidation removes the folio without re-checking dirty and writeback (before the 2025 fix)")]
    Off,
    [Value("on", "it re-checks dirty and writeback under the folio lock and keeps a folio that went back under I/O (6.15.3 on)")]
    On,
}

/// <summary>The values of <see cref="Switches.WtTowrite"/>.</summary>
public enum WtTowriteMode
{
    [Value("clear", "a write-through that leaves the folio dirty starts writeback with folio_start_writeback, clearing TOWRITE (as posted)")]
    Clear,
    [Value("keep", "it keeps TOWRITE (folio_start_writeback_keepwrite), so a running fsync still writes the folio")]
    Keep,
}

/// <summary>The values of <see cref="Switches.BenchFix"/>.</summary>
public enum BenchFixMode
{
    [Value("off", "the SPIN peer model without its fix")]
    Off,
    [Value("on", "the flusher skips folios beyond EOF and end-io extends i_size only if no truncate happened since")]
    On,
}

/// <summary>The values of <see cref="Switches.IsizeExtended"/>.</summary>
public enum IsizeExtendedMode
{
    [Value("none", "i_size grows without touching the old EOF folio (before 3.18): a page mapped writable before stays writable, so a store past the old EOF into a block page_mkwrite never reserved dirties nothing writeback will write (block size < page size)")]
    None,
    [Value("write-protect", "pagecache_isize_extended write-protects the old EOF folio, so the next store faults into page_mkwrite, which reserves the newly exposed blocks, and zeroes the exposed tail of a dirty folio (90a8020278c1, 3.18 on)")]
    WriteProtect,
}

/// <summary>The values of <see cref="Switches.ZeroRangeDirty"/>.</summary>
public enum ZeroRangeDirtyMode
{
    [Value("flush", "a range with dirty or writeback folios over a hole or unwritten mapping is written back and waited on first (iomap_zero_iter_flush_and_stale; 6.18), which write-protects its mapped pages")]
    Flush,
    [Value("folio-batch", "the range's dirty folios are gathered up front (iomap_fill_dirty_folios, the iomap folio-batch series) and zeroed in memory over holes and unwritten mappings, with no flush")]
    FolioBatch,
}

/// <summary>The values of <see cref="Switches.FillInvalidateLock"/>.</summary>
public enum FillInvalidateLockMode
{
    [Value("filemap", "the generic page cache takes the invalidate_lock shared wherever it adds folios to fill them from disk: readahead (page_cache_ra_unbounded), filemap_create_folio and filemap_fault (\"mm: Protect operations adding pages to page cache with invalidate_lock\", 5.15 on)")]
    Filemap,
    [Value("fs-only", "before 5.15: only the file system's own locks order a fill against hole punch; XFS's fault took XFS_MMAPLOCK_SHARED and its read the IOLOCK, but readahead(2), fadvise(WILLNEED) and madvise(WILLNEED) took nothing, nor did a read that holds no inode lock (ReadLock=none)")]
    FsOnly,
}

/// <summary>The values of <see cref="Switches.FadviseLock"/>.</summary>
public enum FadviseLockMode
{
    [Value("i-rwsem-shared", "POSIX_FADV_WILLNEED (and readahead(2), madvise(MADV_WILLNEED), which go through vfs_fadvise) holds the i_rwsem shared around generic_fadvise (XFS: xfs_file_fadvise, \"xfs: Fix stale data exposure when readahead races with hole punch\", 5.5 on)")]
    IRwsemShared,
    [Value("none", "generic_fadvise takes no inode lock (ext4 and most file systems; XFS before 5.5)")]
    None,
}

/// <summary>The values of <see cref="Switches.WbErrReporting"/>.</summary>
public enum WbErrReportingMode
{
    [Value("errseq", "mapping->wb_err is an errseq_t: every file description open when a writeback error happens sees it once at its next fsync (file_check_and_advance_wb_err), and a description opened later sees it if nobody has yet (errseq_sample, \"errseq: Always report a writeback error once\", 4.16 on)")]
    Errseq,
    [Value("errseq-sample-current", "4.13 to 4.15: errseq as above, but errseq_sample marks the error seen and returns it, so a description opened after an error nobody has seen never sees it")]
    ErrseqSampleCurrent,
    [Value("as-eio", "before 4.13: the error is the AS_EIO bit, which the first fsync on any description tests and clears (filemap_check_errors); every other description's fsync returns 0")]
    AsEio,
}

/// <summary>The values of <see cref="Switches.IomapValidity"/>.</summary>
public enum IomapValidityMode
{
    [Value("if-seq", "iomap_write_begin checks the mapping a write cached against the data fork's sequence number (xfs_iomap_valid, \"xfs: use iomap_valid method to detect stale cached iomaps\", 6.1 on); a stale mapping is dropped (IOMAP_F_STALE) and the rest of the write is mapped again")]
    IfSeq,
    [Value("none", "before 6.1: a write uses the mapping from its iomap_begin for every folio it covers, even after writeback converted the extent and reclaim dropped the folio, so it zeroes a partial block that now holds data")]
    None,
}

/// <summary>The values of <see cref="Switches.DioInvalidate"/>.</summary>
public enum DioInvalidateMode
{
    [Value("at-completion", "the page cache over an O_DIRECT write is invalidated when the write completes, after ->end_io (iomap_dio_complete: kiocb_invalidate_post_direct_write; for AIO since \"fs: Fix page cache inconsistency when mixing buffered and AIO DIO\", 4.14)")]
    AtCompletion,
    [Value("submitter", "before 4.14: generic_file_direct_write invalidated after ->direct_IO returned, which for an AIO write is right after submission, before the data is on disk; a buffered read in between caches the old data for good")]
    Submitter,
    [Value("before-end-io", "before c771c14baa33 (\"iomap: invalidate page caches should be after iomap_dio_complete() in direct write\", 2017; xfstests generic/418): the invalidation ran once the bios had completed but before ->end_io converted the unwritten extents, so a buffered read in between reads the still-unwritten blocks as zeros into the cache, where they stay")]
    BeforeEndIo,
}

/// <summary>The values of <see cref="Switches.DiskSizeUpdate"/>.</summary>
public enum DiskSizeUpdateMode
{
    [Value("io-completion", "writeback raises the on-disk size when the I/O below it completes, after converting its unwritten blocks (XFS: xfs_end_ioend, then xfs_setfilesize, clamped to i_size by xfs_new_eof; the fix of XFS's \"NULL files\" problem, c32676eea19c and ba87ea699ebd)")]
    IoCompletion,
    [Value("submission", "writeback raises the on-disk size when it submits the I/O (ext4: mpage_map_and_submit_extent updates i_disksize after submitting; with dioread_nolock the blocks are still unwritten until ext4_end_io_rsv_work converts them, so a crash in between recovers the size over zeros)")]
    Submission,
}

/// <summary>The values of <see cref="Switches.TruncateUpFlush"/>.</summary>
public enum TruncateUpFlushMode
{
    [Value("disk-eof", "xfs_setattr_size writes back and waits on [i_disk_size, new size) before logging the new size, when it zeroed anything or the on-disk size lags an earlier extension (did_zeroing || (newsize > i_disk_size && oldsize != i_disk_size))")]
    DiskEof,
    [Value("none", "the new size is logged without writing back the extension data below it, as before the flush was added for the \"NULL files\" problem: a crash recovers the size over blocks that were never written")]
    None,
}

/// <summary>The values of <see cref="Switches.MkwriteLock"/>.</summary>
public enum MkwriteLockMode
{
    [Value("locked", "->page_mkwrite returns with the folio locked (VM_FAULT_LOCKED) and the fault keeps it locked while it installs the writable PTE and dirties the folio (fault_dirty_shared_page: folio_mark_dirty, then folio_unlock), so folio_clear_dirty_for_io, which holds the folio lock from folio_mkclean to its test-and-clear, never runs in between (\"mm: close page_mkwrite races\", b827e496c893, 2.6.30 on)")]
    Locked,
    [Value("unlocked", "before 2.6.30: ->page_mkwrite returned with the page unlocked, and the fault installed the writable PTE and called set_page_dirty without the page lock; a writeback's clear_page_dirty_for_io between its page_mkclean and its test-and-clear cleans the page after the fault dirtied it, leaving a writable PTE on a clean page, so a store through it is not written by the next fsync")]
    Unlocked,
}

/// <summary>The values of <see cref="Switches.BufferMigration"/>.</summary>
public enum BufferMigrationMode
{
    [Value("bh-migrate", "a norefs migration of a block device folio sets BH_Migrate on the head buffer before it checks the buffers' b_count under i_private_lock and drops the lock; __find_get_block's atomic lookup bails when it sees the bit, and the sleeping lookup (__getblk_slow) takes the folio lock, which migration holds (\"fs/buffer: ... BH_Migrate\", Davidlohr Bueso, 2025; the kernel here)")]
    BhMigrate,
    [Value("private-lock", "i_private_lock stays held from the b_count check until the buffers have moved to the new folio, so no lookup can take a reference in between (ebdf4de5642f \"mm: migrate: fix reference check race between __find_get_block() and migration\", 5.11 to 2025)")]
    PrivateLock,
    [Value("refs-only", "before 5.11: the lock is dropped right after the b_count check; a lookup can then take a reference and write through the buffer while the folio is copied, into the old folio, and the update is lost")]
    RefsOnly,
}
