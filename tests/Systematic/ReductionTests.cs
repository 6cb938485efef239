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
        var initial = BenchScenario.Initial(folios, writers, fix);
        var full = new ExhaustiveExplorer(BenchScenario.Invariants, Bounds.Default) { PartialOrder = false }.Run(initial);
        var reduced = new ExhaustiveExplorer(BenchScenario.Invariants, Bounds.Default) { PartialOrder = true }.Run(initial);
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
        var initial = BenchScenario.Initial(folios, writers, fix);
        var none = new InvariantSet([]); // explore everything: the violation must not stop the search
        HashSet<(int, int, bool, int)> Visible(bool reduce)
        {
            var seen = new HashSet<(int, int, bool, int)>();
            new ParallelExplorer(none, Bounds.Default, 1)
            {
                PartialOrder = reduce,
                Visit = s => seen.Add((s.Inode.ISize, s.History.TruncSize, s.History.SizeOpSince, s.PeerTruncSeq)),
            }.Run(initial);
            return seen;
        }
        var full = Visible(false);
        var reduced = Visible(true);
        Assert.True(full.Count > 3);
        Assert.Equal(full.OrderBy(x => x), reduced.OrderBy(x => x));
    }

    /// <summary>
    /// The promise behind every step the peer model marks safe (local, lock-protected, an unlock,
    /// or safe in the state at hand), checked in every reachable state where it is made: the step
    /// leaves what the invariant reads unchanged, and for every other thread, each of its steps
    /// enabled there stays enabled after the safe step and the two orders reach the same state
    /// (compared as sets, since a thread's alternatives may be numbered differently once the
    /// other step has run), and the safe step is still enabled and safe after the other one.
    /// </summary>
    [Theory]
    [InlineData(2, 2, "on")]
    [InlineData(2, 2, "off")]
    [InlineData(3, 1, "on")]
    public void EverySafeStepCommutesWithEveryStepOfTheOtherThreads(int folios, int writers, string fix)
    {
        int checkedPairs = 0;
        var failures = new List<string>();
        void Check(KernelState s)
        {
            for (int t = 0; t < s.Threads.Length; t++)
            {
                if (!Safe(s, t)) continue;
                Semantics.Status(s, t, out int pc, out _);
                string name = s.Machine.Threads[t].Program[pc].Function;
                for (int a = 0; a < Semantics.Alternatives(s, t); a++)
                {
                    var after = Semantics.Execute(s, t, a, out _, out _);
                    if ((after.Inode.ISize, after.History.TruncSize, after.History.SizeOpSince) != (s.Inode.ISize, s.History.TruncSize, s.History.SizeOpSince))
                        failures.Add($"{name} changes what the invariant reads");
                    for (int u = 0; u < s.Threads.Length; u++)
                    {
                        if (u == t) continue;
                        var thenOther = new HashSet<string>();
                        for (int b = 0; b < Semantics.Alternatives(after, u); b++)
                            thenOther.Add(Convert.ToHexString(Semantics.Execute(after, u, b, out _, out _).EncodeToArray()));
                        for (int b = 0; b < Semantics.Alternatives(s, u); b++)
                        {
                            checkedPairs++;
                            var other = Semantics.Execute(s, u, b, out _, out var otherStep);
                            string pair = $"{name} (T{t}) / {otherStep.Function} (T{u})";
                            if (!Safe(other, t) || a >= Semantics.Alternatives(other, t))
                                failures.Add($"{pair}: the safe step is no longer enabled and safe after the other");
                            else if (!thenOther.Contains(Convert.ToHexString(Semantics.Execute(other, t, a, out _, out _).EncodeToArray())))
                                failures.Add($"{pair}: the two orders differ, or the safe step disables the other");
                        }
                    }
                }
            }
        }
        new ParallelExplorer(new InvariantSet([]), Bounds.Default, 1) { PartialOrder = false, Visit = Check }
            .Run(BenchScenario.Initial(folios, writers, fix));
        Assert.True(checkedPairs > 1000, $"{checkedPairs} pairs");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(10)));
    }

    private static bool Safe(KernelState s, int tid) =>
        Semantics.Status(s, tid, out int pc, out _) == ThreadStatus.Enabled && s.Machine.Threads[tid].Program[pc].IsSafe(s, tid);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AReducedSearchsTraceListsTheMergedLocalStepsAndReplaysToTheViolation(int workers)
    {
        var spec = BenchScenario.Spec(2, 2);
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

    /// <summary>
    /// The kernel model marks no step safe: its partial-order reduction is the private steps' alone,
    /// so --por-steps private gives the default search and --por-steps safe the unreduced one; the
    /// reduction line and --reduction-effect say so. A value that is not a kind of step is refused.
    /// </summary>
    [Fact]
    public void PorStepsChoosesTheStepsTheReductionUses()
    {
        var spec = Catalog.Locate().Resolve("isize-extend-mmap");
        var (all, _, _) = Checker.Check(spec, Variant.Default);
        var (priv, _, _) = Checker.Check(spec, Variant.Default, safeSteps: false);
        var (safe, _, _) = Checker.Check(spec, Variant.Default, privateSteps: false);
        var (none, _, _) = Checker.Check(spec, Variant.Default, partialOrder: false);
        Assert.Equal(all.States, priv.States);
        Assert.Equal(none.States, safe.States);
        Assert.True(all.States < none.States, $"{all.States} with, {none.States} without");
        Assert.Equal("partial-order reduction on private steps (recorded footprints)", all.Reduction);
        Assert.Equal("private steps off", safe.Reduction);
        var (code, output, _) = CliTests.Run("check", "isize-extend-mmap", "--variant", "default", "--por-steps", "private", "--reduction-effect");
        Assert.Equal(0, code);
        Assert.Contains($"states: {all.States:N0} ", output, StringComparison.Ordinal);
        Assert.Contains($"the private steps removed {none.States - all.States:N0} of {none.States:N0} states", output, StringComparison.Ordinal);
        (code, output, _) = CliTests.Run("check", "isize-extend-mmap", "--variant", "default", "--por-steps", "safe");
        Assert.Equal(0, code);
        Assert.Contains($"states: {none.States:N0} ", output, StringComparison.Ordinal);
        var (bad, _, err) = CliTests.Run("check", "isize-extend-mmap", "--variant", "default", "--por-steps", "some");
        Assert.Equal(2, bad);
        Assert.Contains("--por-steps: por-steps: 'some' is not one of all, private, safe", err, StringComparison.Ordinal);
    }

    /// <summary>On the peer model the hand marks do what the private steps do and more: both together store what the marks alone store.</summary>
    [Fact]
    public void ThePeerModelsSafeMarksCoverItsPrivateSteps()
    {
        var spec = BenchScenario.Spec(2, 2);
        var v = Variant.Parse(["BenchFix=on"]);
        long States(bool priv, bool safe) => Checker.Check(spec, v, privateSteps: priv, safeSteps: safe).Row.States ?? 0;
        long both = States(true, true), marks = States(false, true), privateOnly = States(true, false);
        long none = Checker.Check(spec, v, partialOrder: false).Row.States ?? 0;
        Assert.Equal(marks, both);
        Assert.True(both < privateOnly && privateOnly < none, $"both {both}, private only {privateOnly}, none {none}");
    }
}
