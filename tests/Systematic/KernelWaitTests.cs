using ModelCheck.Explore.Scenarios;
using ModelCheck.Kernel;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// Where a blocked operation waits, on the kernel (the thread's kernel stack while the device's
/// write completions are held) and in the model (the blocked step's wait): they must name the
/// same kernel function.
/// </summary>
[Collection(KernelCollection.Name)]
public class KernelWaitTests
{
    private const string Scenario = """
        id: truncate-held-writeback
        file: {block_size: 4K, folio_size: 4K, max_size: 4K, size: 0}
        threads:
          - {name: writer, ops: [{op: buffered-write, offset: 0, length: 4K}]}
          - {name: truncate, ops: [{op: truncate, size: 0}]}
        actors: {device: irq, flusher: 1, memcg: v2}
        expect:
          - default holds
        """;

    /// <summary>The model: the write, then the flusher until its bio is in flight, the device never; then truncate until it blocks.</summary>
    private static string ModelWait()
    {
        var s = MachineBuilder.Build(ScenarioLoader.Parse(Scenario, "truncate-held-writeback.yaml"), KernelProfiles.V618.Resolve());
        int writer = s.Machine.ThreadIndex("writer"), truncate = s.Machine.ThreadIndex("truncate"), flusher = s.Machine.ThreadIndex("flusher");
        while (Semantics.Status(s, writer, out _, out _) != ThreadStatus.Finished) s = Semantics.Execute(s, writer, 0, out _, out _);
        while (s.Bios.Count == 0) s = Semantics.Execute(s, flusher, 0, out _, out _);
        Guard guard;
        while (Semantics.Status(s, truncate, out _, out guard) == ThreadStatus.Enabled) s = Semantics.Execute(s, truncate, 0, out _, out _);
        return guard.Wait.Text;
    }

    [SkippableFact]
    public void TruncateWaitsForHeldWritebackWhereTheModelSaysItDoes()
    {
        var fs = new FsSpec("xfs", 4096);
        Skip.If(LoopMount.CannotRun(fs) is { } why, $"kernel checks cannot run here: {LoopMount.CannotRun(fs)}");
        Skip.If(DeviceHold.CannotHold() is not null, $"cannot hold device writes here: {DeviceHold.CannotHold()}");
        string model = ModelWait();
        Assert.StartsWith("folio_wait_writeback", model);

        using var mount = LoopMount.Create(fs);
        using var file = KernelFile.Create(mount.MountPoint, "held");
        file.Write(0, 4096, 3);
        List<string> stack = [];
        char state = '?';
        var hold = DeviceHold.Start(mount.Device);
        Thread truncate;
        try
        {
            file.SyncFileRange(0, 0, 2); // SYNC_FILE_RANGE_WRITE: start writeback, do not wait
            Assert.Equal(1, file.Cachestat(0, 4096).Writeback);
            int tid = 0;
            truncate = new Thread(() =>
            {
                Volatile.Write(ref tid, TaskState.CurrentTid());
                file.Truncate(0);
            });
            truncate.Start();
            for (int i = 0; i < 200 && !stack.Contains("folio_wait_writeback"); i++)
            {
                Thread.Sleep(10);
                if (Volatile.Read(ref tid) == 0) continue;
                state = TaskState.State(tid);
                stack = TaskState.Stack(tid);
            }
        }
        finally
        {
            hold.Dispose();
        }
        Assert.True(truncate.Join(TimeSpan.FromSeconds(30)), "truncate did not finish after the hold was lifted");
        Assert.Equal('D', state);
        Assert.Contains("folio_wait_writeback", stack);
        Assert.Contains(stack, f => f.StartsWith("truncate_inode", StringComparison.Ordinal));
        Assert.Equal(0, file.Size);
    }
}
