using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Kernel;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// A fault while an extending O_DIRECT write is in flight (after its EOF zeroing, before its
/// ->end_io) maps the EOF page writable with blocks reserved only up to the old EOF; after
/// ->end_io raises i_size, a store into the part of the page that is now inside the file does not
/// fault, and writeback skips its hole block. The model finds it; the kernel is asked with the
/// device's writes held so that the O_DIRECT bio stays in flight while the fault runs.
/// </summary>
[Collection(KernelCollection.Name)]
public class DioExtendFaultTests
{
    [SkippableFact]
    public void TheKernelAndTheModelAgreeOnAStoreAfterAnExtendingDirectWrite()
    {
        var fs = new FsSpec("xfs", 2048);
        Skip.If(LoopMount.CannotRun(fs) is not null, $"kernel checks cannot run here: {LoopMount.CannotRun(fs)}");
        Skip.If(DeviceHold.CannotHold() is not null, $"cannot hold device writes here: {DeviceHold.CannotHold()}");
        using var mount = LoopMount.Create(fs);
        using var file = KernelFile.Create(mount.MountPoint, "f");
        file.DioWrite(0, 2048, 2); // W0 on block 0
        file.Fsync();
        file.FadviseDontneed(0, 0);
        int tid = 0;
        List<string> stack = [];
        KernelFile.Mapping map;
        Thread writer;
        using (DeviceHold.Start(mount.Device))
        {
            writer = new Thread(() =>
            {
                Volatile.Write(ref tid, TaskState.CurrentTid());
                file.DioWrite(4096, 2048, 3); // W1, extends i_size to 6K
            });
            writer.Start();
            for (int i = 0; i < 300 && !stack.Contains("iomap_dio_rw"); i++)
            {
                Thread.Sleep(10);
                if (Volatile.Read(ref tid) != 0) stack = TaskState.Stack(tid);
            }
            Assert.Contains("iomap_dio_rw", stack); // the bio is held: ->end_io has not run
            map = file.MapPage(0);
            map.Store(0, 1024, 4);                  // W2: the fault, while i_size is still 2K
        }
        Assert.True(writer.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(6144, file.Size);
        map.Store(2048, 1024, 5);                   // W3: inside the file now; does it fault?
        file.Fsync();
        map.Dispose();
        byte disk = file.DioRead(2048, 1024)[0];
        byte cached = file.Read(2048, 1024)[0];
        var blocks = file.BlockTypes(2048, 3);
        bool kernelLost = disk != 5;

        var spec = ScenarioLoader.LoadFile(Path.Combine(Catalog.Locate().ScenarioDir, "findings", "dio-extend-fault.yaml"));
        var (row, _, _) = Checker.Check(spec, KernelProfiles.V618.Resolve());
        bool modelLost = row.Invariant == "lost-write";
        Assert.True(kernelLost == modelLost,
            $"kernel: the store at 2K is {(kernelLost ? $"lost (disk holds {disk})" : "on disk")}; model: {row.Verdict} {row.Invariant}");
        // both say lost: fsync returned, the cache holds the store, the disk does not, its block is a hole
        Assert.True(modelLost);
        Assert.Equal(5, cached);
        Assert.Equal(KernelExtentType.Hole, blocks[1]);
    }
}
