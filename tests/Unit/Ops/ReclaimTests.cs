namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Reclaim.cs, run to quiescence in one thread.</summary>
public class ReclaimTests
{
    [Fact]
    public void ReclaimEvictsCleanFoliosAndKeepsDirtyOnes()
    {
        var spec = ScenarioText.OneThread("[{op: memory-pressure}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 4K}, {offset: 4K, length: 4K, dirty: true}]}");
        var s = Mechanism.Run(spec);
        Assert.False(s.Folios[0].Present);
        Assert.True(s.Folios[1].Present && s.Folios[1].Reclaim);
    }
}
