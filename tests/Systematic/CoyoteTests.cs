using ModelCheck.Explore.Engines.Coyote;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// Every catalog row under Coyote (random strategy, a fixed seed, a fixed budget): pre-fix variants
/// are found, replay through the common trace and through Coyote's own reproducible trace; fixed
/// variants run the same budget clean. Deadlocks come from Coyote's own deadlock detection.
/// </summary>
public class CoyoteTests
{
    /// <summary>Iterations for a fixed variant (all must be clean) and the most a pre-fix variant may take.</summary>
    private const int CleanBudget = 300;
    private const int BugBudget = 3000;
    private static readonly Catalog Catalog = Catalog.Locate();

    public static TheoryData<string, int> Rows() => CatalogTests.ExpectLines();

    [Theory]
    [MemberData(nameof(Rows))]
    public void CoyoteAgreesWithTheRow(string id, int index)
    {
        var spec = Catalog.Resolve(id);
        var expect = spec.Expect[index];
        var variant = new Variant(expect.Variant);
        int budget = expect.Violates is null ? CleanBudget : BugBudget;
        var r = CoyoteEngine.Run(spec, variant, new CoyoteOptions("random", budget, 2000, 20261127));
        if (expect.Violates is null)
        {
            Assert.False(r.BugFound, $"{id} [{variant}]: {r.Violation?.Invariant}: {r.Violation?.Message} ({r.CoyoteMessage})");
            return;
        }
        Assert.True(r.BugFound, $"{id} [{variant}]: no bug in {budget} iterations");
        Assert.Equal(expect.Violates, r.Violation!.Invariant);
        if (expect.Violates == "deadlock") Assert.StartsWith("Deadlock detected", r.CoyoteMessage);

        // the common trace replays to the same violation
        var replay = Replayer.Replay(r.Trace!, id);
        Assert.Null(replay.Divergence);
        Assert.Equal(expect.Violates, replay.Violation?.Invariant);

        // and Coyote's own reproducible trace reproduces the bug
        var again = CoyoteEngine.Run(spec, variant, new CoyoteOptions("random", 1, 2000, 20261127, r.CoyoteTrace));
        Assert.True(again.BugFound);
        Assert.Equal(expect.Violates, again.Violation!.Invariant);
    }
}
