using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// A kernel assertion the model reaches (VM_BUG_ON, a folio freed under writeback) is a folio-flags
/// violation whatever invariants the scenario names: never an internal error, never "holds".
/// </summary>
public class KernelAssertionTests
{
    /// <summary>db-redirty with folio-flags taken out of its invariants and its expect lines.</summary>
    private static string WithoutFolioFlags()
    {
        var spec = Catalog.Locate().LoadAll().Single(s => s.Id == "db-redirty");
        var lines = spec.SourceText.Split('\n').TakeWhile(l => !l.StartsWith("expect:", StringComparison.Ordinal))
            .Select(l => l.StartsWith("invariants:", StringComparison.Ordinal) ? l.Replace("folio-flags, ", "", StringComparison.Ordinal) : l)
            .Select(l => l.StartsWith("id:", StringComparison.Ordinal) ? "id: db-redirty-no-folio-flags" : l);
        return string.Join('\n', lines) + "\n";
    }

    [Fact]
    public void AFolioFreedUnderWritebackIsAFolioFlagsViolationEvenWhenTheScenarioDoesNotNameIt()
    {
        var spec = ScenarioLoader.Parse(WithoutFolioFlags(), "db-redirty-no-folio-flags.yaml");
        Assert.DoesNotContain("folio-flags", spec.Invariants);
        var variant = Variant.Parse(["DropbehindRecheck=off"]);
        var (row, _, trace) = Checker.Check(spec, variant);
        Assert.Equal("violated", row.Verdict);
        Assert.Equal("folio-flags", row.Invariant);
        Assert.Contains("under writeback", row.Message);
        var replay = Replayer.Replay(spec, variant, trace!.Choices);
        Assert.Equal("folio-flags", replay.Violation?.Invariant);
        Assert.Equal(row.Message, replay.Violation?.Message);
        Assert.Equal("holds", Checker.Check(spec, Variant.Parse(["DropbehindRecheck=on"])).Row.Verdict);
    }

    [Fact]
    public void AnExpectLineMayNameFolioFlagsWithoutListingIt()
    {
        var text = WithoutFolioFlags() + "expect:\n  - DropbehindRecheck=off violates folio-flags\n";
        var spec = ScenarioLoader.Parse(text, "db-redirty-no-folio-flags.yaml");
        Assert.Equal("folio-flags", Assert.Single(spec.Expect).Violates);
    }
}
