namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Dropbehind.cs, run to quiescence in one thread.</summary>
public class DropbehindTests
{
    [Fact]
    public void DontcacheWriteCompletedInIrqLeavesTheFolioCachedWithItsCause()
    {
        var spec = ScenarioText.OneThread("[{op: dontcache-write, offset: 0, length: 4K}, {op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var s = Mechanism.Run(spec, Variant.Parse(["DropbehindIrq=skip", "XfsDontcacheWq=removed"]));
        Assert.True(s.Folios[0].Present && s.Folios[0].DontcacheOrigin);
        Assert.Equal((byte)LeakCause.IrqSkip, s.Folios[0].LeakCause);
        var unmarked = Mechanism.Run(spec, Variant.Parse(["DropbehindIrq=skip", "IoendDontcache=none"]));
        Assert.Equal((byte)LeakCause.IoendFlagMissing, unmarked.Folios[0].LeakCause);
    }

    [Fact]
    public void DontcacheWriteIsDroppedWhenItsBioCompletesInTask()
    {
        var spec = ScenarioText.OneThread("[{op: dontcache-write, offset: 0, length: 4K}, {op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        Assert.False(o.Final.Folios[0].Present);
        Assert.Contains("bio_complete_work_fn", o.Functions);
        Assert.Contains("folio_end_dropbehind", o.Functions);
        Assert.Equal(DataTag.Write(1), o.Final.Disk[0]);
    }
}
