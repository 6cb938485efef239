using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// Scenarios that generate shrunk to a model error, kept after the fix (tests/Systematic/Regressions):
/// each must hold under the fixed profile with a complete exhaustive search, which before the
/// fix found the violation.
/// </summary>
public class RegressionScenarioTests
{
    public static TheoryData<string> Files() =>
        [.. Directory.GetFiles(Path.Combine(Catalog.Locate().Root, "tests", "Systematic", "Regressions"), "*.yaml").Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public void HoldsWithACompleteSearch(string file)
    {
        var (row, _, _) = Checker.Check(ScenarioLoader.LoadFile(file), KernelProfiles.Fixed.Resolve());
        Assert.True(row.Complete, $"{file}: the search was not complete");
        Assert.True(row.Verdict == "holds", $"{file}: {row.Invariant}: {row.Message}");
    }
}
