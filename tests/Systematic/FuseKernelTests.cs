using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;
using ModelCheck.Kernel;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// A FUSE server that never answers a WRITE (in its own process), on the kernel and in the model:
/// fsync waits for the reply where the model's fsync waits, and 6.18's syncfs does not wait
/// (SB_I_NO_DATA_INTEGRITY), as the v6.18 profile says. The connection is aborted through fusectl.
/// </summary>
[Collection(KernelCollection.Name)]
public class FuseKernelTests
{
    private static string ModelWait(string id, Variant v)
    {
        var s = MachineBuilder.Build(Catalog.Locate().Resolve(id), v);
        var end = DeterministicRun.ToQuiescence(s, 10_000).Final;
        return string.Join("; ", Replayer.BlockedThreads(end).Select(b => $"{b.Thread}: {b.Wait}"));
    }

    [SkippableFact]
    public void FsyncWaitsForAnUnansweredWriteAndSyncfsDoesNot()
    {
        Skip.If(FuseMount.CannotRun() is not null, $"FUSE checks cannot run here: {FuseMount.CannotRun()}");
        var here = KernelProfiles.V618.Resolve();
        string modelFsync = ModelWait("fuse-fsync-waits", here);
        Assert.Contains("folio_wait_writeback", modelFsync);
        var (sync, _, _) = Checker.Check(Catalog.Locate().Resolve("fuse-sync-hang"), KernelProfiles.V618.Resolve(new Dictionary<string, string> { ["FuseWriteback"] = "no-temp-page+merged-flag" }));
        Assert.Equal("holds", sync.Verdict);

        using var fuse = FuseMount.Start(Cli.ReproduceCommand.ServerProcessFor(Path.Combine(AppContext.BaseDirectory, "modelcheck.dll")));
        var file = KernelFile.CreateBuffered(fuse.MountPoint, "f");
        file.Write(0, 4096, 3);
        // syncfs returns although the WRITE it kicks off is never answered
        var syncfs = new Thread(() => { try { file.Syncfs(); } catch (KernelCallException) { } });
        syncfs.Start();
        bool syncfsReturned = syncfs.Join(TimeSpan.FromSeconds(10));
        int tid = 0;
        var fsync = new Thread(() =>
        {
            Volatile.Write(ref tid, TaskState.CurrentTid());
            try { file.Fsync(); } catch (KernelCallException) { } // ENOTCONN once aborted
        });
        fsync.Start();
        List<string> stack = [];
        for (int i = 0; i < 300 && !stack.Contains("folio_wait_writeback"); i++)
        {
            Thread.Sleep(10);
            if (Volatile.Read(ref tid) != 0) stack = TaskState.Stack(tid);
        }
        bool fsyncStillWaiting = fsync.IsAlive;
        fuse.Abort();
        Assert.True(fsync.Join(TimeSpan.FromSeconds(20)), "fsync did not return after the connection was aborted");
        file.Dispose();
        Assert.True(syncfsReturned, "syncfs waited for an unanswered WRITE");
        Assert.True(fsyncStillWaiting, "fsync returned without the WRITE reply");
        Assert.Contains("folio_wait_writeback", stack);
    }
}
