using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The parallel search makes every decision of the one-thread search in the same order, so it
/// must store the same states, count the same transitions and return the same trace.
/// </summary>
public class ParallelSearchTests
{
    private static void AssertSame(ExploreResult one, ExploreResult many)
    {
        Assert.Equal(one.Verdict, many.Verdict);
        Assert.Equal(one.Violation?.Invariant, many.Violation?.Invariant);
        Assert.Equal(one.Violation?.Message, many.Violation?.Message);
        Assert.Equal(one.States, many.States);
        Assert.Equal(one.Transitions, many.Transitions);
        Assert.Equal(one.MaxDepth, many.MaxDepth);
        Assert.Equal(one.Complete, many.Complete);
        Assert.Equal(one.Trace, many.Trace);
    }

    [Theory]
    [MemberData(nameof(CatalogTests.ExpectLines), MemberType = typeof(CatalogTests))]
    public void EveryCatalogRowGivesTheSameResultOnTwoAndThreeWorkers(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var v = new Variant(spec.Expect[index].Variant);
        var invariants = InvariantSet.For(spec);
        var bounds = new Bounds(spec.Bounds.MaxDepth, spec.Bounds.MaxStates);
        var one = new ExhaustiveExplorer(invariants, bounds).Run(MachineBuilder.Build(spec, v));
        foreach (int workers in new[] { 2, 3 })
            AssertSame(one, new ParallelExplorer(invariants, bounds, workers).Run(MachineBuilder.Build(spec, v)));
    }

    [Theory]
    [InlineData("on", true)]
    [InlineData("on", false)]
    [InlineData("off", true)]
    [InlineData("off", false)]
    public void ThePeerModelGivesTheSameResultOnTwoWorkers(string fix, bool por)
    {
        var spec = Catalog.Locate().Resolve(Path.Combine(Catalog.Locate().Root, "scenarios", "bench", "bench-spin-b-bug.yaml"));
        var v = Variant.Parse([$"BenchFix={fix}"]);
        var invariants = InvariantSet.For(spec);
        var bounds = new Bounds(400, fix == "on" ? 150_000 : 2_000_000); // "on" stops at the state bound: Incomplete, same on both
        var one = new ExhaustiveExplorer(invariants, bounds) { PartialOrder = por }.Run(MachineBuilder.Build(spec, v));
        var two = new ParallelExplorer(invariants, bounds, 2) { PartialOrder = por }.Run(MachineBuilder.Build(spec, v));
        AssertSame(one, two);
        Assert.Equal(fix == "on" ? Verdict.Incomplete : Verdict.Violated, one.Verdict);
    }

    [Fact]
    public void TheStateBoundStopsBothSearchesAtTheSameCount()
    {
        var spec = Catalog.Locate().Resolve("wt-stable-overlap");
        var v = new Variant(spec.Expect[^1].Variant);
        var invariants = InvariantSet.For(spec);
        var bounds = new Bounds(400, 100);
        var one = new ExhaustiveExplorer(invariants, bounds).Run(MachineBuilder.Build(spec, v));
        AssertSame(one, new ParallelExplorer(invariants, bounds, 2).Run(MachineBuilder.Build(spec, v)));
        Assert.Equal(Verdict.Incomplete, one.Verdict);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AFrontierThatSpillsToDiskGivesTheSameResult(int workers)
    {
        var spec = Catalog.Locate().Resolve("dc-flush-latency");
        var v = new Variant(spec.Expect[0].Variant);
        var invariants = InvariantSet.For(spec);
        var bounds = new Bounds(spec.Bounds.MaxDepth, spec.Bounds.MaxStates);
        var inMemory = new ParallelExplorer(invariants, bounds, workers).Run(MachineBuilder.Build(spec, v));
        // 1 KiB blocks, 4 of them in memory, workers at most 16 states ahead: most of the frontier
        // goes to the file and comes back
        var spilling = new ParallelExplorer(invariants, bounds, workers) { FrontierBlockBits = 10, FrontierMemory = 4 << 10, Window = 16 };
        var result = spilling.Run(MachineBuilder.Build(spec, v));
        Assert.True(inMemory.Complete);
        AssertSame(inMemory, result);
        Assert.True(spilling.SpilledBlocks > 50, $"{spilling.SpilledBlocks} blocks spilled");
    }
}
