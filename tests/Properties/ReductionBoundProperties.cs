using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Engines.Generate;
using ModelCheck.Explore.Runs;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Properties;

/// <summary>
/// The reduction bound (<see cref="PersistentSetBound"/>) on generated scenarios: its stubborn-set
/// search over the futures learned from the unreduced search gives the unreduced verdict and
/// invariant and never more states, and the search as shipped stores not many more than it.
/// </summary>
public class ReductionBoundProperties(ITestOutputHelper output)
{
    [Fact]
    public void TheBoundSearchKeepsTheVerdictOnGeneratedScenarios()
    {
        var v = Variant.Default;
        var bounds = new Bounds(400, 100_000);
        var cmp = new VerdictComparison("the bound's stubborn sets");
        long shipped = 0;
        var property = Prop.ForAll(Arb.From(ScenarioGenerators.Scenario(ScenarioGenerators.AllOps, v.Explicit, maxThreads: 3, maxOps: 2)), g =>
        {
            var (spec, _) = Generator.ToSpec(g);
            var r = PersistentSetBound.Measure(MachineBuilder.Build(spec, v), InvariantSet.For(spec), bounds.MaxStates);
            var without = Checker.Check(spec, v, bounds, partialOrder: false, symmetry: false).Row;
            var with = new RunRow
            {
                Scenario = spec.Id, Variant = v.Explicit, Engine = "bound", Verdict = !r.Learned ? "incomplete" : r.Violation is null ? "holds" : "violated",
                Invariant = r.Violation?.Invariant, States = r.BoundStates,
            };
            if (with.Verdict == "holds" && without.Verdict == "holds") shipped += Checker.Check(spec, v, bounds, symmetry: false).Row.States ?? 0;
            return cmp.Same(g, with, without);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150).WithReplay(20261206UL, 0x9E3779B97F4A7C15UL | 1), property);
        output.WriteLine($"{cmp.Compared} of 150 compared, the same verdict in each; where both hold the bound stores {cmp.States:N0} " +
                         $"against {cmp.StatesWithout:N0} unreduced (fewer in {cmp.Reduced}), the search as shipped {shipped:N0}");
        // measured: 147 of 150 compared; where both hold 298,912 states with the bound, 419,006 unreduced, 326,422 as shipped
        Assert.True(cmp.Compared >= 110, $"{cmp.Compared} of 150 compared");
        Assert.True(cmp.Reduced >= 15, $"the bound removed states in {cmp.Reduced} of {cmp.Compared}");
    }
}
