using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Engines.Generate;

/// <summary>
/// `modelcheck generate`: the property "every invariant holds" over generated scenarios and
/// schedules, run by FsCheck; a failure is shrunk to the smallest scenario and schedule that
/// still fail and comes back as a YAML scenario and a trace.
/// </summary>
public static class Generator
{
    public sealed record Result(
        bool Failed,
        int Tests,
        int TestsToFailure,
        int ShrinkSteps,
        double Seconds,
        ulong Seed,
        GenScenario? Scenario,
        IReadOnlyList<int>? Schedule,
        Violation? Violation,
        string? Yaml,
        TraceFile? Trace)
    {
        /// <summary>The run was interrupted: only <see cref="Tests"/> tests ran.</summary>
        public bool Interrupted { get; init; }
    }

    public static (ScenarioSpec Spec, string Yaml) ToSpec(GenScenario g, string id = "generated", IReadOnlyList<string>? invariants = null, string? expect = null)
    {
        string yaml = g.ToYaml(id, invariants, expect);
        return (ScenarioLoader.Parse(yaml, id + ".yaml"), yaml);
    }

    /// <param name="progress">called with (tests run, failing tests, FsCheck shrink steps, seconds) after each test and shrink</param>
    /// <param name="interrupt">SIGINT/SIGTERM: the remaining tests are skipped and the result says how many ran (<see cref="Result.Interrupted"/>)</param>
    public static Result Run(int tests, ulong seed, OpKind[] ops, Variant variant, IReadOnlyList<string>? invariants = null,
        Action<int, int, int, double>? progress = null, string fs = "xfs", CancellationToken interrupt = default)
    {
        var sw = Stopwatch.StartNew();
        int evaluated = 0, firstFailure = 0, failures = 0;
        (GenScenario, int[])? last = null;
        Violation? lastViolation = null;
        IReadOnlyList<Choice>? lastTrace = null;
        var arb = ScenarioGenerators.Arbitrary(ops, variant.Explicit);
        Exception? crash = null;
        var runner = new QuietRunner();
        var property = Prop.ForAll(arb, x =>
        {
            // stopping: FsCheck ends a run only at a failure, so the interrupt is one (and so is every shrink of it);
            // `last` stays null, which tells the interrupted run from a found violation
            if (interrupt.IsCancellationRequested && last is null) throw new OperationCanceledException(interrupt);
            evaluated++;
            progress?.Invoke(evaluated, failures, runner.Shrinks, sw.Elapsed.TotalSeconds);
            ScheduleRun.Outcome? outcome;
            var scenario = OnFilesystem(x.Scenario, fs);
            try
            {
                outcome = Evaluate(scenario, x.Schedule, variant, invariants);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                crash ??= new InvalidOperationException($"the model failed on a generated scenario ({scenario}): {e.Message}", e);
                return true;
            }
            if (outcome?.Violation is null) return true;
            failures++;
            if (firstFailure == 0) firstFailure = evaluated;
            last = (scenario, x.Schedule);
            lastViolation = outcome.Violation;
            lastTrace = outcome.Trace;
            return false;
        });
        var config = Config.Quick.WithMaxTest(tests).WithRunner(runner).WithReplay(seed, 0x9E3779B97F4A7C15UL | 1);
        Check.One(config, property);
        sw.Stop();
        if (crash is not null) throw crash;
        if (last is null) return new Result(false, evaluated, 0, 0, sw.Elapsed.TotalSeconds, seed, null, null, null, null, null) { Interrupted = interrupt.IsCancellationRequested };
        var (g, schedule) = last.Value;
        // FsCheck's shrink keeps a schedule that fits the scenario; shrinking the scenario further
        // changes what each choice means, so continue greedily with the exhaustive engine as the
        // oracle: a smaller scenario is kept when some interleaving still violates the same invariant.
        var (small, exhaustive, extra) = ShrinkExhaustively(g, variant, lastViolation!.Invariant, invariants);
        var violation = exhaustive?.Violation ?? lastViolation;
        var choices = exhaustive?.Trace ?? lastTrace!;
        // the file drops into scenarios/ as a regression test: its id is unique and, when the exhaustive
        // search confirmed the violation, its expect line says what the search finds
        string id = $"generated-{seed}";
        var (spec, yaml) = exhaustive is null
            ? ToSpec(g, id, invariants)
            : ToSpec(small, id, invariants, $"{small.VariantText} violates {violation.Invariant}");
        var trace = TraceFile.Of(spec, variant, exhaustive is null ? "fscheck" : "fscheck+exhaustive", (long)seed, choices, violation,
            scenarioText: yaml, scenarioPath: "generated.yaml");
        return new Result(true, firstFailure, firstFailure, failures - 1 + extra, sw.Elapsed.TotalSeconds, seed,
            exhaustive is null ? g : small, schedule, violation, yaml, trace);
    }

    /// <summary>
    /// A generated scenario on a file system, starting from a file at rest: no written block lies
    /// wholly past EOF. A file gets there only through a crash between an extension's I/O and its
    /// size update: XFS frees post-EOF blocks when the file is released (xfs_free_eofblocks), ext4
    /// trims a failed extension (ext4_truncate_failed_write, the orphan list), and both preallocate
    /// past EOF only as unwritten or delalloc. From such a state an extension can expose the old
    /// bytes (XFS: the EOF zeroing dirties a folio wholly past EOF, writeback cleans it without I/O,
    /// an O_DIRECT write's invalidation drops it; docs/findings.md), which is a crash-recovery
    /// question this grammar leaves to scenarios that set it up on purpose.
    /// </summary>
    public static GenScenario OnFilesystem(GenScenario g, string fs)
    {
        // a block device maps every block and has the device's size
        if (fs == "blockdev")
            return g with { Fs = fs, Extents = [.. g.Extents.Select(_ => "written")], SizeBlocks = g.Folios * g.BlocksPerFolio };
        var extents = g.Extents.Select((e, b) => b >= g.SizeBlocks && e == "written" ? "unwritten" : e).ToArray();
        return g with { Fs = fs, Extents = extents };
    }

    /// <summary>Greedy scenario shrinking with a bounded exhaustive search as the oracle.</summary>
    public static (GenScenario Scenario, ExploreResult? Result, int Steps) ShrinkExhaustively(GenScenario g, Variant variant, string invariant, IReadOnlyList<string>? invariants = null)
    {
        var bounds = new Bounds(300, 200_000);
        ExploreResult? Check(GenScenario x)
        {
            ScenarioSpec spec;
            try
            {
                spec = ToSpec(x, invariants: invariants).Spec;
            }
            catch (InputException)
            {
                return null;
            }
            var r = new ExhaustiveExplorer(InvariantSet.For(spec), bounds).Run(MachineBuilder.Build(spec, variant));
            return r.Violation?.Invariant == invariant ? r : null;
        }
        var best = Check(g);
        if (best is null) return (g, null, 0);
        int steps = 0;
        for (bool progress = true; progress && steps < 200;)
        {
            progress = false;
            foreach (var (shrunk, _) in ScenarioGenerators.Shrink((g, [])))
            {
                var candidate = OnFilesystem(shrunk, g.Fs); // a smaller file is still one at rest
                if (Check(candidate) is { } r)
                {
                    g = candidate;
                    best = r;
                    steps++;
                    progress = true;
                    break;
                }
            }
        }
        return (g, best, steps);
    }

    /// <summary>Runs one generated scenario under one schedule; null when the scenario is not valid.</summary>
    public static ScheduleRun.Outcome? Evaluate(GenScenario g, IReadOnlyList<int> schedule, Variant variant, IReadOnlyList<string>? invariants = null)
    {
        ScenarioSpec spec;
        try
        {
            spec = ToSpec(g, invariants: invariants).Spec;
        }
        catch (InputException)
        {
            return null;
        }
        var initial = MachineBuilder.Build(spec, variant);
        return ScheduleRun.Run(initial, InvariantSet.For(spec), schedule);
    }

    public static OpKind[] ParseOps(IEnumerable<string> names, string fs = "xfs")
    {
        var list = new List<OpKind>();
        foreach (var n in names.SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            list.Add(OpNames.ByName.TryGetValue(n, out var k) ? k
                : throw new InputException("--ops", 0, "ops", $"unknown operation '{n}' (known: {string.Join(", ", OpNames.ByName.Keys)})"));
        return list.Count > 0 ? [.. list.Distinct()] : fs == "blockdev" ? ScenarioGenerators.BlockdevOps : ScenarioGenerators.AllOps;
    }
}
