namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/DirectIo.cs, run to quiescence in one thread.</summary>
public class DirectIoTests
{
    [Fact]
    public void DioReadOfUnwrittenExtentReturnsZeros()
    {
        var spec = ScenarioText.OneThread("[{op: dio-read, offset: 0, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: unwritten}]}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        var r = Assert.Single(o.Events.OfType<ReadReturned>());
        Assert.Equal(DataTag.Zero, r.Tag);
    }
}
