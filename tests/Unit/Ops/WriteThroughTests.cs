namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/WriteThrough.cs, run to quiescence in one thread.</summary>
public class WriteThroughTests
{
    [Fact]
    public void SyncWriteThroughConvertsUnwrittenAndRaisesSizeBeforeReturning()
    {
        var spec = ScenarioText.OneThread("[{op: writethrough, offset: 4K, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        var s = o.Final;
        Assert.Equal(2, s.Inode.ISize);
        Assert.Equal(2, s.Inode.IDiskSize);
        Assert.Equal(ExtentType.Written, s.Extents[1]);
        Assert.Equal(DataTag.Write(1), s.Disk[1]);
        Assert.False(s.Inode.StableWrites);
        Assert.False(s.Folios[1].Dirty || s.Folios[1].Writeback);
        Assert.False(s.Wt[0].Active);
        var fns = o.Functions.ToList();
        Assert.True(fns.IndexOf("iomap_writethrough_bio_end_io") < fns.LastIndexOf("iomap_writethrough_complete"));
    }

    [Theory]
    [InlineData("on", 0)]
    [InlineData("off", 0)]
    public void AioWriteThroughDropsItsDioReferenceAtCompletion(string dioCount, int expected)
    {
        var spec = ScenarioText.OneThread("[{op: aio-writethrough, offset: 0, length: 4K}]");
        var s = Mechanism.Run(spec, Variant.Parse([$"WtAioDioCount={dioCount}"]));
        Assert.Equal(expected, s.Inode.DioCount);
        Assert.Equal(1, s.Inode.ISize);
    }

    [Fact]
    public void AioWriteThroughHoldsTheDioCountWhileInFlight()
    {
        var spec = ScenarioText.OneThread("[{op: aio-writethrough, offset: 0, length: 4K}]");
        var s = MachineBuilder.Build(spec, Variant.Parse(["WtAioDioCount=on"]));
        // run only the user thread: the bio stays in flight
        while (Semantics.Alternatives(s, 0) > 0) s = Semantics.Execute(s, 0, 0, out _, out _);
        Assert.Equal(1, s.Inode.DioCount);
        Assert.Single(s.Bios);
        Assert.True(s.Folios[0].Writeback);
        Assert.True(s.Inode.StableWrites);
    }

    [Theory]
    [InlineData("leak", 1)]
    [InlineData("fixed", 0)]
    public void AFailedDioDoneWorkqueueAllocationClearsStableWritesAndReturns(string wqInitError, int dioCount)
    {
        var spec = ScenarioText.Parse("""
            id: t
            file: {block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}
            faults: [dio-done-wq-alloc]
            threads:
              - name: writer
                ops: [{op: aio-writethrough, offset: 0, length: 4K}]
            actors: {device: irq}
            """);
        var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Parse([$"WtWqInitError={wqInitError}", "WtAioDioCount=on"])), 0, "iomap_file_writethrough_write");
        Assert.Equal(2, Semantics.Alternatives(s, 0)); // the first aio write-through allocates the workqueue: it may fail
        var failed = Semantics.Execute(s, 0, 1, out var ctx, out _);
        Assert.Contains("sb_init_dio_done_wq: -ENOMEM", ctx.Notes);
        Assert.False(failed.Inode.StableWrites);
        Assert.False(failed.Inode.DioDoneWq);
        Assert.Equal(dioCount, failed.Inode.DioCount);
        Assert.Equal(dioCount == 0, ctx.Notes.Contains("inode_dio_end (i_dio_count=0)"));
        Assert.False(failed.Wt[1].Active);
        var end = Mechanism.RunUntil(failed, 0);
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(end, 0, out _, out _));
        Assert.Empty(end.Bios.ToArray()); // nothing was submitted

        var allocated = Semantics.Execute(s, 0, 0, out _, out _);
        Assert.True(allocated.Inode.DioDoneWq && allocated.Inode.StableWrites);
    }
}
