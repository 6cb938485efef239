namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/PageCache.cs, run to quiescence in one thread.</summary>
public class PageCacheTests
{
    [Fact]
    public void DoubleStartWritebackIsReportedAsAFolioFlagsEvent()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}]");
        var s = Mechanism.Run(spec);
        s.FoliosW[0].Writeback = true;
        s.FoliosW[0].LockOwner = 0;
        var ctx = new StepContext { Context = ExecContext.Task };
        PageCache.StartWriteback(s, 0, 1, false, ctx);
        Assert.Contains(ctx.Events, e => e is FolioFlagsBroken);
    }
}
