using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// Integrity writeback (kernel-reference §2.10, 2.12): fsync (file_write_and_wait_range: WB_SYNC_ALL
/// writeback, wait for WRITEBACK-tagged folios, file_check_and_advance_wb_err) and sync(2)
/// (sync_inodes_sb: WB_SYNC_ALL work, then wait_sb_inodes). Either returns with every
/// completed write on disk.
/// </summary>
public static class Fsync
{
    public static void EmitFsync(ProgramBuilder b)
    {
        EmitStart(b, "file_write_and_wait_range");
        Writeback.EmitRange(b, SyncMode.All, Writeback.AllFolios);
        Writeback.EmitWaitRange(b, Writeback.AllFolios);
        b.Fs.EmitFsync(b);
        b.Add(WritebackError.FsyncCheckFunction(b.Variant), (_, _) => Guard.Run, (s, c) =>
        {
            var required = Finish(s, c.Tid);
            // an fsync that returns -EIO promises nothing: the error is what it reports
            if (!WritebackError.FsyncCheck(s, c)) c.Emit(new DurabilityPoint(c.Tid, "fsync", required));
        });
    }

    public static void EmitSync(ProgramBuilder b)
    {
        EmitStart(b, "sync_inodes_sb");
        // SB_I_NO_DATA_INTEGRITY (FUSE, FuseSync=no-data-integrity): sync_inodes_sb only wakes the
        // flusher and returns, so there is no WB_SYNC_ALL pass, no wait and no durability promise;
        // the program is built without those steps
        bool integrity = b.Fs.SyncHasDataIntegrity(b.Variant);
        if (integrity) Writeback.EmitRange(b, SyncMode.All, Writeback.AllFolios);
        // wait_sb_inodes: the FUSE temp-page series' AS_WRITEBACK_INDETERMINATE makes it skip the inode
        if (integrity && b.Fs.SyncWaitsOnWriteback(b.Variant)) Writeback.EmitWaitRange(b, Writeback.AllFolios);
        b.Add("wait_sb_inodes", (_, _) => Guard.Run, (s, c) =>
        {
            var required = Finish(s, c.Tid);
            if (integrity) c.Emit(new DurabilityPoint(c.Tid, "sync", required));
        });
    }

    /// <summary>What must be durable when the call returns: the writes completed before it started.</summary>
    private static void EmitStart(ProgramBuilder b, string function) =>
        b.Add(function, (_, _) => Guard.Run, (s, c) =>
        {
            for (int u = 0; u < s.Geo.Units; u++) s.LocalW(c.Tid, OpHistory.ScratchSlots + u) = s.History.MustSurvive[u];
        });

    private static byte[] Finish(KernelState s, int tid)
    {
        var required = new byte[s.Geo.Units];
        for (int u = 0; u < s.Geo.Units; u++)
        {
            ref int slot = ref s.LocalW(tid, OpHistory.ScratchSlots + u);
            // still owed only if no later write or truncate replaced it meanwhile
            required[u] = slot != DataTag.None && s.History.MustSurvive[u] == slot ? (byte)slot : DataTag.None;
            slot = 0;
        }
        return required;
    }
}
