using ModelCheck.Explore.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>Partial-order reduction never changes a verdict; it only stores fewer states.</summary>
public class ReductionTests
{
    [Theory]
    [InlineData(2, 2, "on")]
    [InlineData(2, 2, "off")]
    [InlineData(1, 2, "on")]
    [InlineData(2, 1, "off")]
    public void ReducedAndUnreducedSearchesAgreeOnTheSpinPeerModel(int folios, int writers, string fix)
    {
        var spec = ScenarioLoader.Parse(BenchScenario.Yaml(folios, writers), "bench-small.yaml");
        var variant = Variant.Parse([$"BenchFix={fix}"]);
        var invariants = new InvariantSet(InvariantCatalog.Select(spec.Invariants));
        var full = new ExhaustiveExplorer(invariants, Bounds.Default) { PartialOrder = false }.Run(MachineBuilder.Build(spec, variant));
        var reduced = new ExhaustiveExplorer(invariants, Bounds.Default) { PartialOrder = true }.Run(MachineBuilder.Build(spec, variant));
        Assert.Equal(full.Verdict, reduced.Verdict);
        Assert.Equal(full.Violation?.Invariant, reduced.Violation?.Invariant);
        Assert.Equal(fix == "off" ? Verdict.Violated : Verdict.Holds, full.Verdict);
        if (full.Verdict == Verdict.Holds)
        {
            Assert.True(full.Complete && reduced.Complete);
            Assert.True(reduced.States < full.States, $"reduced {reduced.States} vs full {full.States}");
        }
    }

    /// <summary>
    /// A sound reduction reaches every valuation of what the invariant reads: i_size, the last
    /// truncate's size, whether a size-changing operation started since, and trunc_seq (which
    /// end-io compares). The reduced search must see exactly the unreduced search's set.
    /// </summary>
    [Theory]
    [InlineData(2, 2, "on")]
    [InlineData(2, 2, "off")]
    [InlineData(3, 1, "on")]
    [InlineData(1, 3, "on")]
    public void TheReducedSearchReachesEveryValuationOfTheVisibleVariables(int folios, int writers, string fix)
    {
        var spec = ScenarioLoader.Parse(BenchScenario.Yaml(folios, writers), "bench-small.yaml");
        var variant = Variant.Parse([$"BenchFix={fix}"]);
        var none = new InvariantSet([]); // explore everything: the violation must not stop the search
        HashSet<(int, int, bool, int)> Visible(bool reduce)
        {
            var seen = new HashSet<(int, int, bool, int)>();
            new ParallelExplorer(none, Bounds.Default, 1)
            {
                PartialOrder = reduce,
                Visit = s => seen.Add((s.Inode.ISize, s.History.TruncSize, s.History.SizeOpSince, s.Inode.TruncSeq)),
            }.Run(MachineBuilder.Build(spec, variant));
            return seen;
        }
        var full = Visible(false);
        var reduced = Visible(true);
        Assert.True(full.Count > 3);
        Assert.Equal(full.OrderBy(x => x), reduced.OrderBy(x => x));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AReducedSearchsTraceListsTheMergedLocalStepsAndReplaysToTheViolation(int workers)
    {
        var spec = ScenarioLoader.Parse(BenchScenario.Yaml(2, 2), "bench-small.yaml");
        string tmp = Path.Combine(Path.GetTempPath(), $"mc-{Guid.NewGuid():N}.json");
        try
        {
            var (row, result, trace) = Checker.Check(spec, Variant.Parse(["BenchFix=off"]), traceOut: tmp, workers: workers);
            Assert.Equal("isize-regression", row.Invariant);
            // merged transitions are stored as one, but the trace spells out every local step
            Assert.Contains(trace!.Choices, c => c.Function == "loop_cond");
            Assert.True(trace.Choices.Count > result.MaxDepth, $"{trace.Choices.Count} steps, depth {result.MaxDepth}");
            var replay = Replayer.Replay(TraceFile.Load(tmp), tmp);
            Assert.Null(replay.Divergence);
            Assert.Equal("isize-regression", replay.Violation?.Invariant);
            Assert.Equal(trace.Choices.Count, replay.Steps.Count);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    [Theory]
    [MemberData(nameof(CatalogTests.ExpectLines), MemberType = typeof(CatalogTests))]
    public void EveryCatalogRowHasTheSameVerdictWithoutReduction(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var e = spec.Expect[index];
        var v = new Variant(e.Variant);
        var (with, _, _) = Checker.Check(spec, v, expect: e, partialOrder: true);
        var (without, _, _) = Checker.Check(spec, v, expect: e, partialOrder: false);
        Assert.Equal(with.Verdict, without.Verdict);
        Assert.Equal(with.Invariant, without.Invariant);
        Assert.True(without.AsExpected);
    }
}
