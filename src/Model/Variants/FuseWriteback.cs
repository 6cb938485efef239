namespace ModelCheck.Model.Variants;

/// <summary>
/// FuseWriteback (the FUSE temp-page series, kernel-reference §3.4, the correction in kernel-reference §2.9): temp pages (writeback ends at
/// submission); none (writeback lasts until the server answers); none plus the FUSE temp-page series'
/// AS_WRITEBACK_INDETERMINATE (reclaim, sync(2) and MIGRATE_SYNC skip waiting); none plus the flag
/// as merged (AS_WRITEBACK_MAY_DEADLOCK_ON_RECLAIM: only reclaim skips).
/// </summary>
public sealed class FuseWriteback(FuseWritebackMode value, FuseSyncMode sync = FuseSyncMode.Wait)
{
    public bool TempPage { get; } = value == FuseWritebackMode.TempPage;

    /// <summary>The mapping flag is set (only in writeback_cache mode, which every FUSE scenario uses).</summary>
    public bool MappingFlag { get; } = value is FuseWritebackMode.NoTempPageIndeterminate or FuseWritebackMode.NoTempPageMergedFlag;

    public bool SyncSkips { get; } = value == FuseWritebackMode.NoTempPageIndeterminate;

    /// <summary>SB_I_NO_DATA_INTEGRITY: sync_inodes_sb only wakes the flusher (no WB_SYNC_ALL pass, no wait).</summary>
    public bool SyncNoDataIntegrity { get; } = sync == FuseSyncMode.NoDataIntegrity;

    public bool MigrationSkips { get; } = value == FuseWritebackMode.NoTempPageIndeterminate;
}
