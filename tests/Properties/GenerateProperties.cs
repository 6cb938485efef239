using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Engines.Generate;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Properties;

/// <summary>
/// The FsCheck engine: generated scenarios and schedules. Each seed race, with the grammar
/// restricted to its operations and its pre-fix variant, is found and shrunk to no more threads
/// and operations than its catalog scenario; every shrunk counterexample replays and the
/// exhaustive engine confirms it.
/// </summary>
public class GenerateProperties
{
    public static TheoryData<string, string, string, string, int, int> Races() => new()
    {
        // race, ops, variant, invariant, max threads, max operations (the catalog scenario's size)
        { "§4.1", "aio-writethrough,truncate", "WtAioDioCount=off", "isize-regression", 2, 2 },
        { "§4.2", "aio-writethrough,buffered-read,dio-read", "WtWritebackEnd=at-bio-end", "read-coherence", 2, 3 },
        { "§4.8", "buffered-write,writethrough,memory-pressure", "WtDirtyClear=whole-folio", "lost-write", 3, 3 },
        { "§4.9a", "writethrough,mmap-store,fsync", "WtMkclean=off", "lost-write", 2, 4 },
        { "§4.9b", "aio-writethrough,writethrough,mmap-store", "WtStableWrites=plain-bit", "stable-pages", 3, 3 },
        { "§4.7", "dontcache-write,fsync", "IoendDontcache=none", "dropbehind-leak", 1, 2 },
        { "§4.11", "dontcache-write,buffered-write,fsync", "DropbehindRecheck=off", "folio-flags", 3, 3 },
    };

    [Theory]
    [MemberData(nameof(Races))]
    public void EachSeedRaceIsFoundAndShrunkToTheCatalogSize(string race, string ops, string variant, string invariant, int maxThreads, int maxOps)
    {
        var v = Variant.Parse([variant]);
        var r = Generator.Run(1000, 20261127, Generator.ParseOps([ops]), v, [invariant]);
        Assert.True(r.Failed, $"{race}: no violation in {r.Tests} tests");
        Assert.Equal(invariant, r.Violation!.Invariant);
        Assert.True(r.Scenario!.Threads.Length <= maxThreads, $"{race}: {r.Scenario}");
        Assert.True(r.Scenario.OpCount <= maxOps, $"{race}: {r.Scenario}");

        // the shrunk counterexample replays to the same violation
        var replay = Replayer.Replay(r.Trace!, race);
        Assert.Null(replay.Divergence);
        Assert.Equal(invariant, replay.Violation?.Invariant);

        // and the exhaustive engine confirms the shrunk scenario violates it
        var (spec, _) = Generator.ToSpec(r.Scenario, invariants: [invariant]);
        var exhaustive = new ExhaustiveExplorer(InvariantSet.For(spec), new Bounds(300, 500_000))
            .Run(MachineBuilder.Build(spec, v));
        Assert.Equal(invariant, exhaustive.Violation?.Invariant);

        // the written file drops into scenarios/: a unique id and an expect line that `check` confirms
        var written = ScenarioLoader.Parse(r.Yaml!, "generated.yaml");
        Assert.Equal($"generated-{r.Seed}", written.Id);
        var expect = Assert.Single(written.Expect);
        Assert.Equal(invariant, expect.Violates);
        var (row, _, _) = Checker.Check(written, new Variant(expect.Variant), new Bounds(300, 500_000), expect: expect);
        Assert.True(row.AsExpected, $"{race}: {row.Verdict} {row.Invariant}");
    }

    [Fact]
    public void TheFixedKernelHoldsOnGeneratedScenarios()
    {
        // every fix the catalog argues for, and the operations whose findings are all documented
        var v = Variant.Parse(["WtTowrite=keep,WtWritebackEnd=after-end-io,WtStableWrites=counted"]);
        var ops = Generator.ParseOps(["buffered-write,writethrough,aio-writethrough,buffered-read,dio-read,truncate,fsync,sync,mmap-store,memory-pressure"]);
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            var r = Generator.Run(800, seed, ops, v);
            Assert.False(r.Failed, $"seed {seed}: {r.Violation?.Invariant}: {r.Violation?.Message}\n{r.Scenario}");
        }
    }

    [Fact]
    public void GenerationFindsThePartialWriteThroughTowriteFinding()
    {
        var r = Generator.Run(3000, 2, Generator.ParseOps(["buffered-write,writethrough,mmap-store,fsync"]), Variant.Default);
        Assert.True(r.Failed);
        Assert.Equal("lost-write", r.Violation!.Invariant);
        var fixedRun = Generator.Run(3000, 2, Generator.ParseOps(["buffered-write,writethrough,mmap-store,fsync"]),
            Variant.Parse(["WtTowrite=keep"]));
        Assert.False(fixedRun.Failed, fixedRun.Violation?.Message);
    }
}
