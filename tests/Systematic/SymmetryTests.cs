using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// Symmetry reduction (interchangeable threads, <see cref="KernelState.Canonical"/>): the same
/// verdicts with and without it, fewer states, real traces, and permutations that lose nothing.
/// </summary>
public class SymmetryTests
{
    private static ScenarioSpec Bench(string id) =>
        ScenarioLoader.LoadFile(Path.Combine(Catalog.Locate().Root, "bench", "scaling", id + ".yaml"));

    /// <summary>read-punch-invalidate-lock with its reader twice: the violation needs one of the two.</summary>
    private static readonly ScenarioSpec TwoReaders = ScenarioLoader.Parse("""
        id: read-punch-two-readers
        file: {block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}
        threads:
          - name: punch
            ops: [{op: punch-hole, offset: 0, length: 4K}, {op: buffered-read, offset: 0, length: 4K}]
          - name: reader1
            ops: [{op: buffered-read, offset: 0, length: 4K}]
          - name: reader2
            ops: [{op: buffered-read, offset: 0, length: 4K}]
        actors: {device: irq}
        invariants: [zeroed-range, stale-data, read-coherence, lost-write, folio-flags, deadlock, blocked-forever]
        """, "two-readers.yaml");

    [Theory]
    [InlineData("scale-readers-2")]
    [InlineData("scale-readers-3")]
    public void TheSameVerdictWithFewerStates(string id)
    {
        var spec = Bench(id);
        var (with, r1, _) = Checker.Check(spec, Variant.Default);
        var (without, r2, _) = Checker.Check(spec, Variant.Default, symmetry: false);
        Assert.True(r1.Complete && r2.Complete);
        Assert.Equal(without.Verdict, with.Verdict);
        Assert.True(with.States < without.States, $"{with.States} states with symmetry, {without.States} without");
        Assert.Contains("symmetry over interchangeable threads", with.Reduction, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("default", null)]
    [InlineData("ReadLock=none,FillInvalidateLock=fs-only", "zeroed-range")]
    public void AViolationIsFoundWithAndWithoutAndItsTraceReplays(string variant, string? violates)
    {
        var v = Variant.Parse([variant]);
        var (with, r1, trace) = Checker.Check(TwoReaders, v);
        var (without, _, _) = Checker.Check(TwoReaders, v, symmetry: false);
        Assert.Equal(violates, with.Invariant);
        Assert.Equal(violates, without.Invariant);
        Assert.Equal(without.Verdict, with.Verdict);
        Assert.True(with.States <= without.States);
        if (violates is null) return;
        // the kept states are the ones reached, so the trace is a real path of the model
        var replay = Replayer.Replay(TwoReaders, v, trace!.Choices);
        Assert.Null(replay.Divergence);
        Assert.Equal(violates, replay.Violation?.Invariant);
    }

    [Fact]
    public void APermutationAndItsInverseGiveBackTheStateAndTheCanonicalFormIsAMemberOfTheOrbit()
    {
        var s = MachineBuilder.Build(Bench("scale-readers-3"), Variant.Default);
        Assert.Equal([[2, 3, 4]], s.Machine.SymmetryClasses);
        var rng = new Random(7);
        var enabled = new List<(int Tid, int Alt)>();
        int checkedStates = 0;
        for (int walk = 0; walk < 40; walk++)
        {
            var x = MachineBuilder.Build(Bench("scale-readers-3"), Variant.Default);
            for (int depth = 0; depth < 60; depth++)
            {
                Semantics.Enabled(x, enabled, findSafe: false);
                if (enabled.Count == 0) break;
                var (tid, alt) = enabled[rng.Next(enabled.Count)];
                x = Semantics.Execute(x, tid, alt, out _, out _);
                int[] map = [0, 1, .. new[] { 2, 3, 4 }.OrderBy(_ => rng.Next())];
                for (int t = 5; t < x.Threads.Length; t++) map = [.. map, t];
                int[] inverse = new int[map.Length];
                for (int t = 0; t < map.Length; t++) inverse[map[t]] = t;
                var p = x.Permuted(map);
                Assert.Equal(x.EncodeToArray(), p.Permuted(inverse).EncodeToArray());
                // the canonical forms of a state and of its permutation both lie in its orbit, and
                // agree whenever the readers' own states tell them apart
                var c = x.Canonical();
                Assert.Equal(c.EncodeToArray(), c.Canonical().EncodeToArray());
                var pcs = new[] { 2, 3, 4 }.Select(t => x.Threads[t].Pc).ToArray();
                if (pcs.Distinct().Count() == 3) Assert.Equal(c.EncodeToArray(), p.Canonical().EncodeToArray());
                checkedStates++;
            }
        }
        Assert.True(checkedStates > 500);
    }

    [Fact]
    public void WritersAreNeverInterchangeable()
    {
        // two identical writes get write ids of their own: their data differ, so no symmetry
        var spec = ScenarioLoader.Parse("""
            id: t
            file: {block_size: 4K, max_size: 4K}
            threads:
              - name: a
                ops: [{op: buffered-write, offset: 0, length: 4K}]
              - name: b
                ops: [{op: buffered-write, offset: 0, length: 4K}]
            """, "t.yaml");
        Assert.Empty(MachineBuilder.Build(spec, Variant.Default).Machine.SymmetryClasses);
    }

    [Fact]
    public void TheReductionEffectIsTheDifferenceToTheSearchWithoutIt()
    {
        var spec = Bench("scale-readers-2");
        var b = new Bounds(spec.Bounds.MaxDepth, spec.Bounds.MaxStates);
        var (with, _, _) = Checker.Check(spec, Variant.Default, b);
        var (without, _, _) = Checker.Check(spec, Variant.Default, b, symmetry: false);
        var (withoutPrivate, _, _) = Checker.Check(spec, Variant.Default, b, privateSteps: false);
        string? effect = Checker.ReductionEffect(spec, Variant.Default, b, with, partialOrder: true, symmetry: true);
        Assert.Equal($"symmetry removed {without.States - with.States:N0} of {without.States:N0} states ({(double)without.States!.Value / with.States!.Value:0.00}x fewer); " +
                     $"the private steps removed {withoutPrivate.States - with.States:N0} of {withoutPrivate.States:N0} states ({(double)withoutPrivate.States!.Value / with.States!.Value:0.00}x fewer)", effect);
        // a violation is found with and without: the states up to it
        var v = Variant.Parse(["ReadLock=none,FillInvalidateLock=fs-only"]);
        var (violated, _, _) = Checker.Check(TwoReaders, v, b);
        var (violatedWithout, _, _) = Checker.Check(TwoReaders, v, b, symmetry: false);
        Assert.StartsWith($"without symmetry the search found zeroed-range after {violatedWithout.States:N0} states (with it: {violated.States:N0}); ",
            Checker.ReductionEffect(TwoReaders, v, b, violated, partialOrder: true, symmetry: true), StringComparison.Ordinal);
        // nothing to compare when the reductions are off, or when partial-order reduction is off and nothing is interchangeable
        Assert.Null(Checker.ReductionEffect(spec, Variant.Default, b, without, partialOrder: false, symmetry: false));
        var plain = Checker.Check(TwoReaders, Variant.Default, partialOrder: false).Row;
        Assert.Null(Checker.ReductionEffect(TwoReaders with { Threads = [TwoReaders.Threads[0], TwoReaders.Threads[1]] }, Variant.Default, b, plain, false, true));
    }

    [Fact]
    public void CheckPrintsTheReductionEffectAndRefusesItWithoutAVariant()
    {
        string file = Path.Combine(Catalog.Locate().Root, "bench", "scaling", "scale-readers-2.yaml");
        var (code, output, _) = CliTests.Run("check", file, "--variant", "ReadLock=i-rwsem-shared", "--reduction-effect");
        Assert.Equal(0, code);
        Assert.Matches(@"reduction effect: symmetry removed [0-9,]+ of [0-9,]+ states \([0-9.]+x fewer\)", output);
        var (json, jsonOut, _) = CliTests.Run("check", file, "--variant", "ReadLock=i-rwsem-shared", "--reduction-effect", "--json");
        Assert.Equal(0, json);
        Assert.Contains("\"reductionEffect\": \"symmetry removed", jsonOut, StringComparison.Ordinal);
        var (bad, _, err) = CliTests.Run("check", file, "--reduction-effect");
        Assert.Equal(2, bad);
        Assert.Contains("--reduction-effect", err, StringComparison.Ordinal);
    }
}
