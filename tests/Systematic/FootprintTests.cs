using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The recorded footprints (<see cref="Footprint"/>) are what automatic independence is built on:
/// wherever two steps of different threads are judged independent from what they read and wrote,
/// or one of them private, they must commute (<see cref="Commutation.Check"/>). Checked on every
/// reachable state (up to a bound) of every catalog row, of the scaling series and of the SPIN peer model.
/// </summary>
public class FootprintTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(CatalogTests.ExpectLines), MemberType = typeof(CatalogTests))]
    public void StepsJudgedIndependentCommuteOnEveryCatalogRow(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var stats = Commutation.Check(MachineBuilder.Build(spec, new Variant(spec.Expect[index].Variant)), 3000);
        Assert.True(stats.Independent <= stats.Pairs && stats.States > 0);
    }

    /// <summary>
    /// A private step is invisible only if no invariant reads a thread's pc or locals: recorded while
    /// the scenario's invariants run on every reachable state (up to a bound) of every catalog row.
    /// (The checks at quiescence read which threads are blocked where, but a state with a private
    /// step enabled is not quiescent, and the reduction keeps every state where nothing is enabled.)
    /// </summary>
    [Theory]
    [MemberData(nameof(CatalogTests.ExpectLines), MemberType = typeof(CatalogTests))]
    public void NoInvariantReadsAThreadsPcOrLocals(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var invariants = ModelCheck.Invariants.InvariantSet.For(spec);
        var threads = UInt128.Zero;
        for (int t = 0; t < Footprint.ThreadSlots; t++) threads |= Footprint.Bit(Footprint.ThreadBase + t);
        int visited = 0;
        new ParallelExplorer(new ModelCheck.Invariants.InvariantSet([]), new Bounds(200, 2000), 1)
        {
            PartialOrder = false,
            Visit = s =>
            {
                visited++;
                var f = ModelCheck.Model.Steps.Semantics.FootprintOf(s, st => invariants.AfterStep(st, []), 0);
                Assert.True((f.Reads & threads) == UInt128.Zero, $"{id}: an invariant reads {Footprint.Describe(f.Reads & threads)}");
            },
        }.Run(MachineBuilder.Build(spec, new Variant(spec.Expect[index].Variant)));
        Assert.True(visited > 0);
    }

    [Theory]
    [InlineData(2, 2, "on")]
    [InlineData(2, 1, "off")]
    public void StepsJudgedIndependentCommuteOnThePeerModel(int folios, int writers, string fix)
    {
        var stats = Commutation.Check(BenchScenario.Initial(folios, writers, fix), 20_000);
        output.WriteLine(stats.ToString());
        Assert.True(stats.Independent > 0 && stats.Independent < stats.Pairs, $"{stats}");
    }

    [Fact]
    public void MostCoEnabledStepsOfTheScalingSeriesAreJudgedIndependent()
    {
        var spec = ScenarioLoader.LoadFile(Path.Combine(Catalog.Locate().Root, "bench", "scaling", "scale-2.yaml"));
        var stats = Commutation.Check(MachineBuilder.Build(spec, Variant.Default), 5_000);
        output.WriteLine(stats.ToString());
        // 86 % of these pairs commute (measured by running both orders); the footprints find most of them
        Assert.True(stats.Independent * 2 > stats.Pairs, $"{stats}");
    }
}
