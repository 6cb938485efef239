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
