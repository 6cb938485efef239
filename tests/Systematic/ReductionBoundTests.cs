using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The reduction bound (<see cref="PersistentSetBound"/>, check --reduction-bound): the futures it
/// learns cover what each thread does later on any path, the stubborn-set search it runs on them
/// gives every catalog row its expected verdict (it is sound for the scenario it learned from), and
/// it stores no more states than the unreduced search.
/// </summary>
public class ReductionBoundTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Bound = 50_000;

    [Theory]
    [MemberData(nameof(CatalogTests.ExpectLines), MemberType = typeof(CatalogTests))]
    public void TheBoundSearchGivesEveryCatalogRowItsVerdict(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var expect = spec.Expect[index];
        foreach (bool lockAware in new[] { true, false })
        {
            var r = PersistentSetBound.Measure(MachineBuilder.Build(spec, new Variant(expect.Variant)), InvariantSet.For(spec), Bound, lockAware: lockAware);
            Assert.True(r.Learned, $"{id}: the unreduced search has more than {Bound} states");
            Assert.True(r.BoundStates <= r.FullStates && r.BlindStates <= r.FullStates, $"{id}: {r}");
            Assert.Equal(expect.Violates, r.Violation?.Invariant);
        }
    }

    /// <summary>
    /// Along random walks of scenarios with loops (the flusher, the device, a FUSE server), what each
    /// thread reads and writes after any point lies within its learned future from that point.
    /// </summary>
    [Theory]
    [InlineData("scale-1")]
    [InlineData("scale-readers-2")]
    public void ALearnedFutureCoversWhatTheThreadDoesLaterOnAnyPath(string file)
    {
        var spec = ScenarioLoader.LoadFile(Path.Combine(Catalog.Locate().Root, "bench", "scaling", file + ".yaml"));
        CheckFutures(MachineBuilder.Build(spec, Variant.Default), walks: 200);
    }

    [Theory]
    [InlineData("fuse-sync-hang")]
    [InlineData("db-redirty")]
    public void ALearnedFutureCoversWhatTheThreadDoesLaterOnCatalogRows(string id)
    {
        var spec = Catalog.Locate().Resolve(id);
        foreach (var e in spec.Expect) CheckFutures(MachineBuilder.Build(spec, new Variant(e.Variant)), walks: 100);
    }

    private static void CheckFutures(KernelState initial, int walks)
    {
        var futures = new ThreadFutures(initial);
        var r = PersistentSetBound.Measure(initial, new InvariantSet([]), Bound, futures);
        Assert.True(r.Learned);
        var random = new Random(14);
        var enabled = new List<(int Tid, int Alt)>();
        for (int w = 0; w < walks; w++)
        {
            var path = new List<(KernelState Before, Footprint F)>();
            var s = initial;
            for (int depth = 0; depth < 400; depth++)
            {
                Semantics.Enabled(s, enabled, findSafe: false);
                if (enabled.Count == 0) break;
                var (tid, alt) = enabled[random.Next(enabled.Count)];
                var f = new Footprint();
                var next = Semantics.Execute(s, tid, alt, out _, out _, f);
                path.Add((s, f));
                s = next;
            }
            // from each point, every later step of each thread within that thread's future there
            for (int i = 0; i < path.Count; i++)
                for (int j = i; j < path.Count; j++)
                {
                    int t = path[j].F.Tid;
                    var f = path[j].F;
                    Assert.True(((f.Reads | f.Writes) & ~futures.Touched(path[i].Before, t)) == UInt128.Zero,
                        $"step {j} of T{t} touches {Footprint.Describe((f.Reads | f.Writes) & ~futures.Touched(path[i].Before, t))}, outside its future at step {i}");
                    Assert.True((f.Writes & ~futures.Written(path[i].Before, t)) == UInt128.Zero, $"step {j} of T{t} writes outside its future at step {i}");
                }
        }
    }

    [Fact]
    public void TheBoundRemovesStatesWhereFuturesAllowAndSaysWhatRefusesTheRest()
    {
        var spec = ScenarioLoader.LoadFile(Path.Combine(Catalog.Locate().Root, "bench", "scaling", "scale-1.yaml"));
        var r = PersistentSetBound.Measure(MachineBuilder.Build(spec, Variant.Default), InvariantSet.For(spec), Bound);
        output.WriteLine(r.ToString());
        Assert.True(r.Learned && r.Violation is null);
        Assert.True(r.BoundStates < r.FullStates && r.Reduced > 0, $"{r}");
        Assert.True(r.BlindStates <= r.BoundStates, $"{r}");
        Assert.True(r.Refusals[PersistentSetBound.Everyone] > 0 && r.Refusals[PersistentSetBound.Visible] > 0 && r.Refusals[PersistentSetBound.Event] > 0, $"{r}");
        Assert.NotEqual(UInt128.Zero, r.InvariantReads & Footprint.Bit(Footprint.ISize));
        // a state bound below the unreduced search: no futures, no bound
        var cut = PersistentSetBound.Measure(MachineBuilder.Build(spec, Variant.Default), InvariantSet.For(spec), 100);
        Assert.False(cut.Learned);
        Assert.Equal(0, cut.BoundStates);
    }

    /// <summary>The lock masks: who holds what in a state, and what a hold keeps other threads from holding.</summary>
    [Fact]
    public void LockMasksSayWhoHoldsWhatAndWhatItExcludes()
    {
        var spec = ScenarioLoader.LoadFile(Path.Combine(Catalog.Locate().Root, "bench", "scaling", "scale-1.yaml"));
        var s = MachineBuilder.Build(spec, Variant.Default).Clone();
        s.FolioAt(1) = Folio.New(2);
        s.InodeW.IRwsem.Lock(0);
        s.InodeW.InvalidateLock.LockShared(2);
        Assert.Equal(1UL << ThreadFutures.IRwsemExclusive, ThreadFutures.Held(s, 0));
        Assert.Equal((1UL << 1) | (1UL << ThreadFutures.InvalidateShared), ThreadFutures.Held(s, 2));
        Assert.Equal(0UL, ThreadFutures.Held(s, 1));
        Assert.Equal((1UL << ThreadFutures.IRwsemExclusive) | (1UL << ThreadFutures.IRwsemShared), ThreadFutures.Excluded(1UL << ThreadFutures.IRwsemExclusive));
        Assert.Equal(1UL << ThreadFutures.IRwsemExclusive, ThreadFutures.Excluded(1UL << ThreadFutures.IRwsemShared));
        Assert.Equal((1UL << 1) | (1UL << ThreadFutures.InvalidateExclusive), ThreadFutures.Excluded(ThreadFutures.Held(s, 2)));
        Assert.Equal((1UL << ThreadFutures.InvalidateExclusive) | (1UL << ThreadFutures.InvalidateShared), ThreadFutures.Excluded(1UL << ThreadFutures.InvalidateExclusive));
        // the other two modes, and a folio lock of thread 3 alongside
        var t = MachineBuilder.Build(spec, Variant.Default).Clone();
        t.InodeW.IRwsem.LockShared(3);
        t.InodeW.InvalidateLock.Lock(3);
        t.FolioAt(0) = Folio.New(3);
        Assert.Equal(1UL | (1UL << ThreadFutures.IRwsemShared) | (1UL << ThreadFutures.InvalidateExclusive), ThreadFutures.Held(t, 3));
        Assert.Equal(0UL, ThreadFutures.Held(t, 2));
        Assert.Equal(1UL | (1UL << ThreadFutures.IRwsemExclusive) | (1UL << ThreadFutures.InvalidateExclusive) | (1UL << ThreadFutures.InvalidateShared),
            ThreadFutures.Excluded(ThreadFutures.Held(t, 3)));
        Assert.Equal(0UL, ThreadFutures.Excluded(0));
    }

    /// <summary>
    /// A step that lets go of a lock another thread holds is learned as a release for others (no
    /// catalog scenario has one: a read's folio lock passes to the device at submission and the device
    /// releases its own), and a held lock then stops pinning; a step tied to a lock leaves the future
    /// while another thread holds it.
    /// </summary>
    [Fact]
    public void FuturesLearnReleasesForOthersAndStopAtPinnedLocks()
    {
        var spec = ScenarioLoader.LoadFile(Path.Combine(Catalog.Locate().Root, "bench", "scaling", "scale-1.yaml"));
        var initial = MachineBuilder.Build(spec, Variant.Default);
        var futures = new ThreadFutures(initial);
        var locked = initial.Clone();
        locked.FolioAt(0) = Folio.New(2);
        var unlocked = locked.Clone();
        unlocked.FolioAt(0) = Folio.New(-1);
        var f = new Footprint();
        f.Write(Footprint.FolioBase);
        futures.Learn(locked, 1, f, unlocked);
        Assert.Equal(1UL, futures.ReleasesForOthers(locked, 1));
        Assert.Equal(0UL, futures.ReleasesForOthers(locked, 2));
        // thread 2 took a step holding folio 0's lock: while another thread holds it, that step is not in 2's future
        var g = new Footprint();
        g.Write(Footprint.FolioBase + 1);
        futures.Learn(locked, 2, g, locked);
        Assert.NotEqual(UInt128.Zero, futures.Written(locked, 2) & Footprint.Bit(Footprint.FolioBase + 1));
        Assert.Equal(UInt128.Zero, futures.Written(locked, 2, pinned: 1UL));
        Assert.NotEqual(UInt128.Zero, futures.Written(locked, 2, pinned: 1UL << ThreadFutures.IRwsemExclusive));
    }

    [Fact]
    public void CheckPrintsTheBoundAndRefusesItWithoutAVariant()
    {
        string file = Path.Combine(Catalog.Locate().Root, "bench", "scaling", "scale-1.yaml");
        var (code, text, _) = CliTests.Run("check", file, "--variant", "default", "--reduction-bound");
        Assert.Equal(0, code);
        Assert.Matches(@"reduction bound: persistent sets knowing every thread's future \(learned from the unreduced search of [0-9,]+ states\) store [0-9,]+ \([0-9.]+x fewer\)", text);
        Assert.DoesNotContain("DIFFERS", text, StringComparison.Ordinal);
        var (json, jsonOut, _) = CliTests.Run("check", file, "--variant", "default", "--reduction-bound", "--json");
        Assert.Equal(0, json);
        Assert.Contains("\"reductionBound\": \"persistent sets knowing", jsonOut, StringComparison.Ordinal);
        var (bad, _, err) = CliTests.Run("check", file, "--reduction-bound");
        Assert.Equal(2, bad);
        Assert.Contains("--reduction-bound", err, StringComparison.Ordinal);
        var (small, smallOut, _) = CliTests.Run("check", file, "--variant", "default", "--reduction-bound", "--max-states", "100");
        Assert.Contains("reduction bound: none: the unreduced search stopped at its bound", smallOut, StringComparison.Ordinal);
        Assert.NotEqual(2, small);
    }
}
