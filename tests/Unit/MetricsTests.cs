using ModelCheck.Explore.Metrics;

namespace ModelCheck.Tests.Unit;

public class MetricsTests
{
    [Fact]
    public void InlineFlushDoesTheWritebackInTheWritersOwnContext()
    {
        var r = WriterContext.All().ToDictionary(x => x.Case);
        Assert.Equal(r["dontcache inline-flush"].Writes, r["dontcache inline-flush"].BiosSubmittedByWriter);
        Assert.Equal(0, r["dontcache kick-flusher"].BiosSubmittedByWriter);
        Assert.Equal(0, r["buffered"].BiosSubmittedByWriter);
        Assert.True(r["dontcache inline-flush"].StepsPerWrite > r["dontcache kick-flusher"].StepsPerWrite);
        Assert.True(r["dontcache inline-flush"].CpuUsPerWrite > r["buffered"].CpuUsPerWrite);
    }

    [Fact]
    public void TheLatencyModelPutsDeviceStallsIntoInlineWritersOnly()
    {
        var rows = WriterLatency.All(new WriterLatency.Assumptions(Writes: 50_000)).ToDictionary(x => x.Case);
        Assert.True(rows["dontcache inline-flush"].P999Us > 10 * rows["buffered"].P999Us);
        Assert.True(rows["dontcache kick-flusher"].P999Us < 2 * rows["buffered"].P999Us);
    }

    [Fact]
    public void GlobalLockContentionGrowsWithDevicesWhilePerCpuListsStayUncontended()
    {
        var t = LockContention.Table();
        Assert.Equal(0, t[0].GlobalContended);
        for (int i = 1; i < t.Count; i++) Assert.True(t[i].GlobalContendedPct > t[i - 1].GlobalContendedPct);
        Assert.All(t, r => Assert.Equal(0, r.PerCpuContended));
    }
}
