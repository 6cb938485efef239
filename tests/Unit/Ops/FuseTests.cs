namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Fuse.cs, run to quiescence in one thread.</summary>
public class FuseTests
{
    [Theory]
    [InlineData("temp-page", 1, false)]
    [InlineData("no-temp-page", 0, true)]
    public void FuseWritebackCopiesIntoATempFolioOrKeepsWritebackUntilTheServerAnswers(string mode, int copies, bool writebackWhilePending)
    {
        var spec = ScenarioText.Parse("""
            id: f
            file: {fs: fuse, block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, dirty: true}]}
            threads:
              - name: user
                ops: [{op: fsync}]
            actors: {fuse_server: {threads: 1, behaviour: answers}}
            """);
        var s = MachineBuilder.Build(spec, Variant.Parse([$"FuseWriteback={mode}"]));
        // the user thread writes back; the server has not answered yet
        var events = new List<ModelEvent>();
        while (s.FuseRequests.Count == 0)
        {
            s = Semantics.Execute(s, 0, 0, out var ctx, out _);
            events.AddRange(ctx.Events);
        }
        Assert.Single(s.FuseRequests);
        Assert.Equal(copies, events.OfType<CopyMade>().Count());
        Assert.Equal(writebackWhilePending, s.Folios[0].Writeback);
        var done = DeterministicRun.ToQuiescence(s).Final;
        Assert.Empty(done.FuseRequests);
        Assert.False(done.Folios[0].Writeback);
        Assert.Equal(DataTag.Write(0), done.Disk[0]);
    }

    private static ScenarioSpec TwoDirtyFolios(string userOps) => ScenarioText.Parse($$$"""
        id: f
        file: {fs: fuse, block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 8K, dirty: true}]}
        threads:
          - name: user
            ops: {{{userOps}}}
        actors: {fuse_server: {threads: 1, behaviour: answers}}
        """);

    [Fact]
    public void TheServerTakesAnyPendingRequestAndWritesItsDataToTheFile()
    {
        var s = MachineBuilder.Build(TwoDirtyFolios("[{op: buffered-write, offset: 4K, length: 4K}, {op: fsync}]"), Variant.Default);
        while (s.FuseRequests.Count < 2) s = Mechanism.Step(s, 0);
        int server = s.Machine.ThreadIndex("server");
        Assert.Equal(2, Semantics.Alternatives(s, server));
        var (taken, notes) = Mechanism.StepNoting(s, server, 1); // the second pending request: F1's
        Assert.Contains("server takes WRITE F1", notes);
        Assert.Equal([-1, server], taken.FuseRequests.ToArray().OrderBy(r => r.Folio).Select(r => r.Server));
        var done = DeterministicRun.ToQuiescence(taken).Final;
        Assert.Empty(done.FuseRequests);
        Assert.Equal(DataTag.Write(0), done.Disk[0]);
        Assert.Equal(DataTag.Write(1), done.Disk[done.Geo.FirstUnitOfFolio(1)]);
    }
}
