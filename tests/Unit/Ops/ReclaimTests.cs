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

    private const string TwoClean = "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 8K, mapped: true}]}";

    private static (KernelState S, IReadOnlyList<string> Notes) Shrink(KernelState s) => Mechanism.StepNoting(s, 0);

    private static KernelState Pressure(string file, string memcg = "v2") =>
        MachineBuilder.Build(ScenarioText.OneThread("[{op: memory-pressure}]", file, $"{{device: irq, memcg: {memcg}}}"), Variant.Default);

    [Fact]
    public void AMappedCleanFolioIsUnmappedAndEvictedButADirtyPteKeepsIt()
    {
        var s = Pressure(TwoClean);
        s.FoliosW[1].PteDirty = true;
        s.FoliosW[1].PteWritablePages = 1;
        var (first, notes) = Shrink(s);
        Assert.False(first.Folios[0].Present);
        Assert.Equal(["F0 evicted"], notes);
        var (second, notes2) = Shrink(first);
        Assert.True(second.Folios[1].Present);
        Assert.True(second.Folios[1].Dirty); // try_to_unmap moved the PTE's dirt into the folio
        Assert.False(second.Folios[1].PteMapped || second.Folios[1].PteWritable || second.Folios[1].PteDirty);
        Assert.Equal(["F1 dirty: PG_reclaim, keep"], notes2);
    }

    [Fact]
    public void AFolioUnderWritebackGetsPgReclaimOnlyLegacyMemcgWaitsOnOneThatHasIt()
    {
        var v2 = Pressure(TwoClean);
        v2.FoliosW[0].Writeback = true;
        v2.FoliosW[0].TagWriteback = true;
        var (after, notes) = Shrink(v2);
        Assert.True(after.Folios[0].Reclaim && after.Folios[0].Present);
        Assert.Equal(["F0 writeback: PG_reclaim, keep"], notes);
        // case 3 needs all of: writeback, legacy memcg, PG_reclaim already set, a mapping not flagged
        foreach (var (memcg, reclaim, blocked) in new[] { ("legacy", true, true), ("legacy", false, false), ("v2", true, false) })
        {
            var s = Pressure(TwoClean, memcg);
            s.FoliosW[0].Writeback = true;
            s.FoliosW[0].TagWriteback = true;
            s.FoliosW[0].Reclaim = reclaim;
            Assert.Equal(blocked ? ThreadStatus.Blocked : ThreadStatus.Enabled, Semantics.Status(s, 0, out _, out _));
        }
    }
}
