using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Engines.Generate;

/// <summary>`check --engine fscheck`: random schedules of one scenario, the failing schedule shrunk.</summary>
public static class ScheduleSearch
{
    public static Generator.Result Run(ScenarioSpec spec, Variant variant, int tests, ulong seed)
    {
        var sw = Stopwatch.StartNew();
        var initial = MachineBuilder.Build(spec, variant);
        var invariants = InvariantSet.For(spec);
        int evaluated = 0, firstFailure = 0, failures = 0;
        int[]? last = null;
        ScheduleRun.Outcome? lastOutcome = null;
        var arb = Arb.From(ScenarioGenerators.Schedule().SelectMany(_ => Gen.Choose(0, 200).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 15), n))),
            s => ScenarioGenerators.Shrink((new GenScenario(1, 1, ["hole"], [false], 0, [], variant.Explicit), s)).Select(x => x.Item2));
        var property = Prop.ForAll(arb, schedule =>
        {
            evaluated++;
            var outcome = ScheduleRun.Run(initial, invariants, schedule);
            if (outcome.Violation is null) return true;
            failures++;
            if (firstFailure == 0) firstFailure = evaluated;
            last = schedule;
            lastOutcome = outcome;
            return false;
        });
        Check.One(Config.Quick.WithMaxTest(tests).WithRunner(new QuietRunner()).WithReplay(seed, 0x9E3779B97F4A7C15UL | 1), property);
        sw.Stop();
        if (last is null) return new Generator.Result(false, evaluated, 0, 0, sw.Elapsed.TotalSeconds, seed, null, null, null, null, null);
        var trace = TraceFile.Of(spec, variant, "fscheck", (long)seed, lastOutcome!.Trace, lastOutcome.Violation!);
        return new Generator.Result(true, firstFailure, firstFailure, failures - 1, sw.Elapsed.TotalSeconds, seed, null, last, lastOutcome.Violation, null, trace);
    }
}
