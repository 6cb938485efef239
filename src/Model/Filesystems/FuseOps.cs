using ModelCheck.Model.Ops;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Model.Filesystems;

/// <summary>
/// FUSE in writeback_cache mode (fs/fuse/file.c, kernel-reference §3.4): fuse_writepages queues a
/// WRITE request the server answers, fuse_fsync waits for the queued requests, and the mapping flags
/// the FUSE temp-page series and its successors set decide whether sync and migration wait on
/// writeback (FuseWriteback, FuseSync).
/// </summary>
public sealed class FuseOps : FilesystemOps
{
    public override string Name => "fuse";

    public override string Description => "FUSE in writeback_cache mode, with a server actor";

    public override string? Refuses(OpKind kind) =>
        kind == OpKind.Readahead ? "readahead on FUSE sends FUSE_READ to the server (fuse_readahead), which the model does not have" : base.Refuses(kind);

    public override void Writepage(KernelState s, int folio, StepContext c) => Fuse.WriteFolio(s, folio, c);

    public override void EmitFsync(ProgramBuilder b) => Fuse.EmitSyncWrites(b);

    /// <summary>AS_WRITEBACK_INDETERMINATE makes wait_sb_inodes skip the inode.</summary>
    public override bool SyncWaitsOnWriteback(Variant v) => !v.Fuse.SyncSkips;

    /// <summary>SB_I_NO_DATA_INTEGRITY: sync_inodes_sb only wakes the flusher.</summary>
    public override bool SyncHasDataIntegrity(Variant v) => !v.Fuse.SyncNoDataIntegrity;

    /// <summary>AS_WRITEBACK_INDETERMINATE: MIGRATE_SYNC gives up on a folio under writeback.</summary>
    public override bool MigrationWaitsOnWriteback(Variant v) => !v.Fuse.MigrationSkips;

    public override IEnumerable<ThreadInfo> Actors(Geometry g, ActorsSpec actors) =>
        Enumerable.Range(0, actors.ServerThreads).Select(k => Fuse.Server(g, k, actors.ServerAnswers));

    /// <summary>fuse_init_file_inode sets the mapping flag only in writeback_cache mode (every FUSE scenario's mode).</summary>
    public override void InitInode(KernelState s) => s.InodeW.WritebackMayDeadlock = s.Machine.Variant.Fuse.MappingFlag;
}
