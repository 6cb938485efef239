using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

/// <summary>States share the parts a step did not write; writes go through the copy-on-write accessors.</summary>
public class CopyOnWriteTests
{
    [Fact]
    public void AWriteToACloneLeavesTheParentAlone()
    {
        var s = MachineBuilder.Build(ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}]"), Variant.Default);
        var before = s.EncodeToArray();
        var c = s.Clone();
        Assert.True((ReadOnlySpan<byte>)s.Disk == c.Disk); // the same memory: shared until written
        c.DiskW[0] = DataTag.Write(7);
        c.FoliosW[0].Dirty = true;
        c.ExtentsW[0] = ExtentType.Written;
        c.H.TruncSize = 3;
        Assert.False((ReadOnlySpan<byte>)s.Disk == c.Disk);
        Assert.Equal(before, s.EncodeToArray());
    }

    [Fact]
    public void EveryStepOfTheCatalogKeepsItsParentUnchanged()
    {
        // the explorer relies on it; MC_CHECK_IMMUTABLE=1 turns the same check on everywhere
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: fsync}, {op: truncate, size: 0}]");
        var s = MachineBuilder.Build(spec, Variant.Default);
        var enabled = new List<(int Tid, int Alt)>();
        for (int k = 0; k < 200; k++)
        {
            Semantics.Enabled(s, enabled);
            if (enabled.Count == 0) break;
            var parent = s.EncodeToArray();
            var (tid, alt) = enabled[k % enabled.Count];
            var next = Semantics.Execute(s, tid, alt, out _, out _);
            Assert.Equal(parent, s.EncodeToArray());
            s = next;
        }
    }
}
