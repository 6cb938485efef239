using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The preemption-bounded search (<see cref="PreemptionBoundedExplorer"/>, check --preemption-bound):
/// every catalog race is found within three preemptions and replays from its saved trace, with the
/// fewest preemptions that reach it (one fewer finds nothing); rows that hold hold; with a bound
/// no schedule reaches, it visits exactly the states of the full search.
/// </summary>
public class PreemptionBoundTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(CatalogTests.ExpectLines), MemberType = typeof(CatalogTests))]
    public void EveryCatalogRaceIsFoundWithinThreePreemptionsWithTheFewest(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var expect = spec.Expect[index];
        var variant = new Variant(expect.Variant);
        string tmp = Path.Combine(Path.GetTempPath(), $"mc-{Guid.NewGuid():N}.json");
        try
        {
            var (row, _, trace) = Checker.Check(spec, variant, traceOut: tmp, expect: expect, preemptionBound: expect.Violates is null ? 2 : 3);
            Assert.True(row.AsExpected, $"{id} [{variant}]: expected {row.Expected}, got {row.Verdict} {row.Invariant}");
            if (expect.Violates is null)
            {
                Assert.True(row.Complete);
                return;
            }
            var replay = Replayer.Replay(TraceFile.Load(tmp), tmp);
            Assert.Null(replay.Divergence);
            Assert.Equal(expect.Violates, replay.Violation?.Invariant);
            Assert.Equal(trace!.Choices.Count, replay.Steps.Count);
            int p = row.Preemptions ?? -1;
            Assert.InRange(p, 0, 3);
            if (p > 0)
            {
                var (fewer, _, _) = Checker.Check(spec, variant, traceOut: tmp, preemptionBound: p - 1);
                Assert.True(fewer.Verdict == "holds" && fewer.Complete, $"{id}: found with {p} preemptions, but {fewer.Verdict} {fewer.Invariant} with {p - 1}");
            }
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>With more preemptions than any schedule has, the search reaches exactly the states of the full one.</summary>
    [Theory]
    [MemberData(nameof(CatalogTests.HoldingLines), MemberType = typeof(CatalogTests))]
    public void WithoutABindingBoundItReachesTheFullSearchsStates(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var expect = spec.Expect[index];
        var initial = MachineBuilder.Build(spec, new Variant(expect.Variant));
        var full = new ParallelExplorer(InvariantSet.For(spec), new Bounds(2000, 100_000), 1) { PartialOrder = false, Symmetry = false }.Run(initial);
        var bounded = new PreemptionBoundedExplorer(InvariantSet.For(spec), new Bounds(2000, 1_000_000), 64);
        var r = bounded.Run(initial);
        Assert.Equal(Verdict.Holds, full.Verdict);
        Assert.Equal(Verdict.Holds, r.Verdict);
        Assert.Equal(full.States, bounded.DistinctStates);
    }

    /// <summary>
    /// Against a plain search of (state, last thread, preemptions used) triples, each kept as it is
    /// reached: the same kernel states and the same (state, last thread) pairs within K preemptions.
    /// </summary>
    [Theory]
    [MemberData(nameof(CatalogTests.HoldingLines), MemberType = typeof(CatalogTests))]
    public void ItReachesWhatEverySchedulesWithinTheBoundReaches(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var initial = MachineBuilder.Build(spec, new Variant(spec.Expect[index].Variant));
        for (int k = 0; k <= 2; k++)
        {
            var bounded = new PreemptionBoundedExplorer(new InvariantSet([]), new Bounds(2000, 1_000_000), k);
            var r = bounded.Run(initial);
            var (states, pairs) = Schedules(initial, k);
            Assert.Equal(Verdict.Holds, r.Verdict);
            Assert.Equal(states, bounded.DistinctStates);
            Assert.Equal(pairs, r.States);
        }
    }

    private static (long States, long Pairs) Schedules(KernelState initial, int k)
    {
        var fp = new Fingerprinter();
        var triples = new HashSet<(UInt128, int, int)>();
        var states = new HashSet<UInt128>();
        var pairs = new HashSet<(UInt128, int)>();
        var work = new Stack<(KernelState S, int Last, int P)>([(initial, -1, 0)]);
        var enabled = new List<(int Tid, int Alt)>();
        while (work.Count > 0)
        {
            var (s, last, p) = work.Pop();
            var h = fp.Of(s);
            if (!triples.Add((h, last, p))) continue;
            states.Add(h);
            pairs.Add((h, last));
            Semantics.Enabled(s, enabled, findSafe: false);
            bool lastEnabled = enabled.Any(e => e.Tid == last);
            foreach (var (tid, alt) in enabled.ToArray())
            {
                int q = p + (lastEnabled && tid != last ? 1 : 0);
                if (q <= k) work.Push((Semantics.Execute(s, tid, alt, out _, out _), tid, q));
            }
        }
        return (states.Count, pairs.Count);
    }

    [Fact]
    public void ItStopsAtItsBoundsAndSaysSo()
    {
        var spec = ScenarioLoader.LoadFile(Path.Combine(Catalog.Locate().Root, "bench", "scaling", "scale-2.yaml"));
        var initial = MachineBuilder.Build(spec, Variant.Default);
        var byStates = new PreemptionBoundedExplorer(InvariantSet.For(spec), new Bounds(2000, 1000), 2).Run(initial);
        Assert.True(byStates.Verdict == Verdict.Incomplete && !byStates.Complete && byStates.States == 1000, $"{byStates}");
        var byDepth = new PreemptionBoundedExplorer(InvariantSet.For(spec), new Bounds(6, 1_000_000), 2).Run(initial);
        Assert.True(byDepth.Verdict == Verdict.Incomplete && !byDepth.Complete && byDepth.MaxDepth == 6, $"{byDepth}");
        var whole = new PreemptionBoundedExplorer(InvariantSet.For(spec), new Bounds(2000, 1_000_000), 0).Run(initial);
        Assert.True(whole.Complete && whole.MaxDepth > 6 && whole.Transitions >= whole.States - 1, $"{whole}");
        var race = Catalog.Locate().Resolve("wt-stable-overlap");
        var found = new PreemptionBoundedExplorer(InvariantSet.For(race), new Bounds(2000, 1_000_000), 1);
        var v = found.Run(MachineBuilder.Build(race, new Variant(race.Expect[0].Variant)));
        Assert.True(v.Verdict == Verdict.Violated && !v.Complete && found.ViolationPreemptions == 0 && v.Trace.Count > 0, $"{v}");
    }

    [Fact]
    public void TheStatesGrowWithTheBoundAndStayFarBelowTheFullSearchOnTheScalingSeries()
    {
        var spec = ScenarioLoader.LoadFile(Path.Combine(Catalog.Locate().Root, "bench", "scaling", "scale-2.yaml"));
        var initial = MachineBuilder.Build(spec, Variant.Default);
        long previous = 0;
        for (int k = 0; k <= 2; k++)
        {
            var x = new PreemptionBoundedExplorer(InvariantSet.For(spec), new Bounds(2000, 1_000_000), k);
            var r = x.Run(initial);
            output.WriteLine($"K={k}: {x.DistinctStates:N0} states, {r.States:N0} stored, {r.Transitions:N0} transitions, {r.Seconds:0.0} s");
            Assert.Equal(Verdict.Holds, r.Verdict);
            Assert.True(x.DistinctStates > previous, $"K={k}: {x.DistinctStates} states, not more than with one preemption fewer");
            previous = x.DistinctStates;
        }
        Assert.True(previous * 5 < 753_318, $"{previous} states with two preemptions"); // the full search: 753,318
        // past its memory limit it stops with a partial result
        var small = new PreemptionBoundedExplorer(InvariantSet.For(spec), new Bounds(2000, 1_000_000), 2) { MaxMemory = 1 };
        var partial = small.Run(initial);
        Assert.True(small.StoppedByMemory && partial.Verdict == Verdict.Incomplete && !partial.Complete, $"{partial}");
    }

    [Fact]
    public void CheckTakesTheBoundAndRefusesWhatItCannotDo()
    {
        var (code, text, _) = CliTests.Run("check", "wt-stable-overlap", "--variant", "default", "--preemption-bound", "1");
        Assert.Equal(1, code);
        Assert.Contains("verdict: violated stable-pages after 0 preemptions", text, StringComparison.Ordinal);
        Assert.Contains("reduction: preemption-bounded: every schedule with at most 1 preemptions", text, StringComparison.Ordinal);
        var (json, jsonOut, _) = CliTests.Run("check", "wt-stable-overlap", "--variant", "default", "--preemption-bound", "1", "--json");
        Assert.Equal(1, json);
        Assert.Contains("\"preemptionBound\": 1", jsonOut, StringComparison.Ordinal);
        Assert.Contains("\"preemptions\": 0", jsonOut, StringComparison.Ordinal);
        // without --variant: every expect line, each searched up to the bound
        var (lines, linesOut, _) = CliTests.Run("check", "wt-stable-overlap", "--preemption-bound", "3");
        Assert.Equal(0, lines);
        Assert.Matches(@"ok +wt-stable-overlap .* \([0-3] preemptions\)", linesOut);
        Assert.Contains("expect lines as expected", linesOut, StringComparison.Ordinal);
        foreach (var args in new[]
                 {
                     new[] { "--variant", "default", "--preemption-bound", "65" },
                     ["--variant", "default", "--preemption-bound", "1", "--workers", "2"],
                     ["--variant", "default", "--preemption-bound", "1", "--engine", "coyote"],
                 })
        {
            var (bad, _, err) = CliTests.Run(["check", "wt-stable-overlap", .. args]);
            Assert.Equal(2, bad);
            Assert.Contains("--preemption-bound", err, StringComparison.Ordinal);
        }
    }
}
