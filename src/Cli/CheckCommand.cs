using System.CommandLine;
using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Variants;

namespace ModelCheck.Cli;

public static class CheckCommand
{
    public static Command Create()
    {
        var scenario = new Argument<string>("scenario") { Description = "a catalog id or a scenario YAML file" };
        var variant = new Option<string[]>("--variant") { Description = "Switch=value (repeatable)", AllowMultipleArgumentsPerToken = true };
        var engine = new Option<string>("--engine") { Description = "exhaustive | coyote | fscheck", DefaultValueFactory = _ => "exhaustive" };
        var iterations = new Option<int>("--iterations") { Description = "schedules to try (coyote, fscheck)", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong?>("--seed") { Description = "random seed (coyote, fscheck)" };
        var strategy = new Option<string>("--strategy") { Description = "coyote: random | pct | fair-pct | probabilistic | ql | portfolio", DefaultValueFactory = _ => "random" };
        var maxSteps = new Option<int>("--max-steps") { Description = "coyote: scheduling steps per iteration", DefaultValueFactory = _ => 2000 };
        var noPor = new Option<bool>("--no-por") { Description = "exhaustive: expand every state fully (no partial-order reduction)" };
        var porSteps = new Option<string>("--por-steps")
        {
            Description = "exhaustive: which steps partial-order reduction uses: all (default), private (only the steps whose recorded footprint is their own thread's), safe (only the steps the model marks safe)",
            DefaultValueFactory = _ => "all",
        };
        var noSymmetry = new Option<bool>("--no-symmetry") { Description = "exhaustive: tell apart states that differ only by which of two interchangeable threads is where (no symmetry reduction)" };
        var reductionEffect = new Option<bool>("--reduction-effect")
        {
            Description = "exhaustive, with --variant: search again without each reduction that applied (symmetry, the private steps, the model's safe steps) and say how many states it removed",
        };
        var reductionBound = new Option<bool>("--reduction-bound")
        {
            Description = "exhaustive, with --variant: measure what persistent sets knowing every thread's future would store (the unreduced search learns the futures first) and what refuses them",
        };
        var preemptionBound = new Option<int?>("--preemption-bound")
        {
            Description = "exhaustive: search every schedule with at most K preemptions (a step by another thread while the last one could go on), completely, instead of every schedule",
        };
        var workers = new Option<int>("--workers") { Description = "exhaustive: expansion threads (1: one thread; results are the same for any count)", DefaultValueFactory = _ => 1 };
        var frontierMb = new Option<int>("--frontier-mb") { Description = "exhaustive: MiB of queued states kept in memory; beyond it they wait in a temporary file", DefaultValueFactory = _ => 1024 };
        var maxMemory = new Option<int?>("--max-memory")
        {
            Description = "exhaustive: MiB of heap the search may use; past it, it stops with a partial result (exit 5) instead of being killed (default: 80 % of the memory available)",
        };
        var checkpointDir = new Option<string?>("--checkpoint")
        {
            Description = "exhaustive: write the search's progress to DIR every --checkpoint-every seconds and on SIGINT/SIGTERM",
        };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "seconds between checkpoints (default 300)", DefaultValueFactory = _ => 300 };
        var resumeDir = new Option<string?>("--resume") { Description = "exhaustive: continue the search checkpointed in DIR (same scenario, variant, bounds)" };
        var maxDepth = new Option<int?>("--max-depth") { Description = "depth bound (default: the scenario's)" };
        var maxStates = new Option<int?>("--max-states") { Description = "state bound (default: the scenario's)" };
        var traceOut = new Option<string?>("--trace-out") { Description = "where to save a violation's trace (default out/traces/<id>.<variant>.json; traces/ is refreshed only by matrix --write-traces)" };
        var json = new Option<bool>("--json") { Description = "print one JSON row" };
        var shard = Shard.Create();
        var profile = ProfileOption.Create();
        var width = Output.WidthOption();
        var cmd = new Command("check", "explore one scenario: its expect lines, or one variant with --variant") { scenario, variant, profile, engine, iterations, seed, strategy, maxSteps, noPor, porSteps, noSymmetry, reductionEffect, reductionBound, preemptionBound, workers, frontierMb, maxMemory, checkpointDir, checkpointEvery, resumeDir, maxDepth, maxStates, traceOut, json, shard, width };
        cmd.SetAction(p =>
        {
            string eng = p.GetValue(engine) ?? "exhaustive";
            int w = Output.Width(p.GetValue(width));
            if (eng is not ("exhaustive" or "fscheck" or "coyote"))
                throw new InputException("--engine", 0, "engine", $"'{eng}' is not an engine (engines: exhaustive, coyote, fscheck)");
            string strat = p.GetValue(strategy) ?? "random";
            if (!ModelCheck.Explore.Engines.Coyote.CoyoteEngine.Strategies.Contains(strat))
                throw new InputException("--strategy", 0, "strategy", $"'{strat}' is not a strategy ({string.Join(", ", ModelCheck.Explore.Engines.Coyote.CoyoteEngine.Strategies)})");
            var catalog = Catalog.Locate();
            var spec = catalog.Resolve(p.GetValue(scenario)!);
            var kernel = ProfileOption.Get(p.GetValue(profile));
            ProfileOption.RequireOps(kernel, spec);
            var v = ProfileOption.Resolve(kernel, p.GetValue(variant) ?? []);
            if (p.GetValue(workers) is < 1 or > 64)
                throw new InputException("--workers", 0, "workers", $"'{p.GetValue(workers)}' is not between 1 and 64");
            if (p.GetValue(maxMemory) is < 16 or > 1 << 22)
                throw new InputException("--max-memory", 0, "max-memory", $"'{p.GetValue(maxMemory)}' is not between 16 and {1 << 22} MiB");
            long? memoryLimit = p.GetValue(maxMemory) is { } mb ? (long)mb << 20 : null;
            if (p.GetValue(frontierMb) is < 1 or > 1 << 20)
                throw new InputException("--frontier-mb", 0, "frontier-mb", $"'{p.GetValue(frontierMb)}' is not between 1 and {1 << 20}");
            var bounds = new Bounds(p.GetValue(maxDepth) ?? spec.Bounds.MaxDepth, p.GetValue(maxStates) ?? spec.Bounds.MaxStates);
            // never into the tracked traces/ (only `matrix --write-traces` refreshes those): out/ is git-ignored
            string tracePath = p.GetValue(traceOut) ?? Path.Combine("out", "traces", Path.GetFileName(catalog.TracePath(spec.Id, v.ToString())));
            var given = Shard.Parse(p.GetValue(shard), p.GetValue(seed));
            var sh = given ?? Shard.Whole;
            if (sh.Sharded && eng == "exhaustive")
                throw new InputException("--shard", 0, "shard", "--shard splits the random engines' iterations (--engine coyote or fscheck); the exhaustive search is one job (use --workers)");
            if (p.GetValue(reductionEffect) && (eng != "exhaustive" || (p.GetValue(variant) ?? []).Length == 0))
                throw new InputException("--reduction-effect", 0, "reduction-effect", "compares one exhaustive search with and without its reductions: give --variant (and the exhaustive engine)");
            if (p.GetValue(reductionBound) && (eng != "exhaustive" || (p.GetValue(variant) ?? []).Length == 0))
                throw new InputException("--reduction-bound", 0, "reduction-bound", "measures one exhaustive search's reduction against its bound: give --variant (and the exhaustive engine)");
            if (p.GetValue(preemptionBound) is { } pb)
            {
                if (pb is < 0 or > 64)
                    throw new InputException("--preemption-bound", 0, "preemption-bound", $"'{pb}' is not between 0 and 64");
                if (eng != "exhaustive")
                    throw new InputException("--preemption-bound", 0, "preemption-bound", "bounds the exhaustive search: not with --engine " + eng);
                string? other = p.GetValue(workers) > 1 ? "--workers" : p.GetValue(checkpointDir) is not null ? "--checkpoint" : p.GetValue(resumeDir) is not null ? "--resume"
                    : p.GetValue(reductionEffect) ? "--reduction-effect" : p.GetValue(reductionBound) ? "--reduction-bound" : null;
                if (other is not null)
                    throw new InputException("--preemption-bound", 0, "preemption-bound", $"the preemption-bounded search is sequential and has no reductions to measure: it does not take {other}");
            }
            string steps = p.GetValue(porSteps) ?? "all";
            if (steps is not ("all" or "private" or "safe"))
                throw new InputException("--por-steps", 0, "por-steps", $"'{steps}' is not one of all, private, safe");
            var expect = spec.Expect.FirstOrDefault(e => Output.Variant(e.Variant) == Output.Variant(v.Explicit));
            if (!p.GetValue(json)) Output.PrintResolved(spec, kernel, v);
            if ((p.GetValue(variant) ?? []).Length == 0 && spec.Expect.Count > 0 && eng == "exhaustive")
                return CheckExpectLines(spec, kernel, bounds, !p.GetValue(noPor), !p.GetValue(noSymmetry), p.GetValue(workers), (long)p.GetValue(frontierMb) << 20, p.GetValue(preemptionBound),
                    p.GetValue(traceOut) is null ? null : throw new InputException("--trace-out", 0, "trace-out", "names one trace: give --variant to check one variant (without it, check runs every expect line and saves traces under out/traces/)"),
                    p.GetValue(json));
            if (sh.Sharded && p.GetValue(traceOut) is null)
                tracePath = Path.ChangeExtension(tracePath, $".shard{sh.K}of{sh.N}.json");
            int its = sh.Part(p.GetValue(iterations));
            ulong? shardSeed = p.GetValue(seed) is { } s0 ? sh.Seed(s0) : null;
            using var stop = new Interruption();
            if (eng == "coyote")
                return CheckWithCoyote(spec, v, new ModelCheck.Explore.Engines.Coyote.CoyoteOptions(strat, its, p.GetValue(maxSteps), shardSeed)
                {
                    Progress = ProgressOutput.Coyote(spec.Id), Interrupt = stop.Token,
                }, tracePath, p.GetValue(json), w, given);
            if (eng == "fscheck") return CheckWithFsCheck(spec, v, its, shardSeed ?? (ulong)Environment.TickCount64, tracePath, p.GetValue(json), w, given);
            if (p.GetValue(checkpointEvery) is < 1 or > 86_400)
                throw new InputException("--checkpoint-every", 0, "checkpoint-every", $"'{p.GetValue(checkpointEvery)}' is not between 1 and 86400 seconds");
            string? dir = p.GetValue(resumeDir) ?? p.GetValue(checkpointDir);
            string? checkpointFile = dir is null ? null : Path.Combine(dir, Path.GetFileName(catalog.TracePath(spec.Id, v.ToString())).Replace(".json", ".checkpoint", StringComparison.Ordinal));
            if (p.GetValue(resumeDir) is not null && !File.Exists(checkpointFile))
                throw new InputException("--resume", 0, "resume", $"no checkpoint of this search in {dir} (expected {checkpointFile})");
            if (dir is not null)
            {
                try
                {
                    Directory.CreateDirectory(dir);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new InputException("--checkpoint", 0, "checkpoint", $"cannot use '{dir}': {e.Message}");
                }
            }
            // SIGINT and SIGTERM (stop) end the search cleanly: a checkpoint (when asked for) and a partial result
            RunRow row;
            ModelCheck.Explore.Traces.TraceFile? trace;
            try
            {
                (row, _, trace) = Checker.Check(spec, v, bounds, tracePath, expect, Output.Progress(spec.Id), !p.GetValue(noPor), p.GetValue(workers),
                    (long)p.GetValue(frontierMb) << 20, memoryLimit,
                    new Checkpointing(checkpointFile, TimeSpan.FromSeconds(p.GetValue(checkpointEvery)), p.GetValue(resumeDir) is not null, stop.Token),
                    symmetry: !p.GetValue(noSymmetry), privateSteps: steps != "safe", safeSteps: steps != "private", preemptionBound: p.GetValue(preemptionBound));
            }
            catch (InvalidDataException e)
            {
                throw new InputException(checkpointFile ?? "--resume", 0, "checkpoint", e.Message);
            }
            Output.EndProgress();
            if (p.GetValue(reductionEffect))
                row = row with { ReductionEffect = Checker.ReductionEffect(spec, v, bounds, row, !p.GetValue(noPor), !p.GetValue(noSymmetry), p.GetValue(workers)) ?? "no reduction applied" };
            if (p.GetValue(reductionBound))
                row = row with { ReductionBound = Checker.ReductionBound(spec, v, bounds, row) };
            if (p.GetValue(json)) Output.WriteJson(row);
            else
            {
                Output.PrintRow(row);
                if (trace is not null) Output.PrintFoundTrace(trace, tracePath, w);
            }
            if (row.Verdict == "incomplete")
            {
                Console.Error.WriteLine(row.StoppedBy switch
                {
                    "max-memory" => $"modelcheck: the search stopped at --max-memory ({(memoryLimit ?? ParallelExplorer.DefaultMaxMemory) >> 20} MiB of heap) after {row.States:N0} states, before it was complete: no verdict",
                    "interrupted" => $"modelcheck: interrupted after {row.States:N0} states: no verdict" +
                                     (checkpointFile is not null && File.Exists(checkpointFile) ? $"; the search is checkpointed in {checkpointFile}: continue it with --resume {dir}" : ""),
                    _ => $"modelcheck: the search stopped at a bound before it was complete (--max-states {bounds.MaxStates}, --max-depth {bounds.MaxDepth}): no verdict",
                });
                return ExitCodes.Incomplete;
            }
            return row.Verdict == "violated" ? ExitCodes.Violation : ExitCodes.Holds;
        });
        return cmd;
    }

    /// <summary>`check SCENARIO` without --variant: every expect line of the scenario, like `matrix SCENARIO`.</summary>
    private static int CheckExpectLines(ModelCheck.Model.Scenario.ScenarioSpec spec, KernelProfile kernel, Bounds bounds, bool por, bool symmetry, int workers, long frontier,
        int? preemptionBound, string? _, bool json)
    {
        var catalog = Catalog.Locate();
        var runs = ExpectRuns.Run([spec], kernel, (s, v) => Path.Combine("out", "traces", Path.GetFileName(catalog.TracePath(s.Id, v.ToString()))),
            print: !json, bounds, por, workers, frontier, symmetry, preemptionBound);
        if (runs.Count == 0) throw new InputException(spec.SourcePath, 0, "expect", $"no expect line runs under profile {kernel.Name}");
        if (json) Output.WriteJson(new { rows = runs.Select(r => r.Row) });
        else
        {
            foreach (var r in runs.Where(r => r.Row.Trace is not null)) Console.WriteLine($"  trace: {r.Row.Trace} ({r.Row.TraceLength} steps; modelcheck replay shows it)");
            Console.WriteLine($"{runs.Count(r => r.Row.AsExpected == true)} of {runs.Count} expect lines as expected (give --variant to check one variant)");
        }
        if (runs.Any(r => r.Incomplete))
            Console.Error.WriteLine($"modelcheck: {runs.Count(r => r.Incomplete)} search(es) stopped at a bound before complete (--max-states {bounds.MaxStates}, --max-depth {bounds.MaxDepth}): no verdict");
        return ExpectRuns.ExitCode(runs);
    }

    private static int CheckWithFsCheck(ModelCheck.Model.Scenario.ScenarioSpec spec, Variant v, int iterations, ulong seed, string tracePath, bool json, int width, Shard? shard)
    {
        if (iterations <= 0) throw new InputException("--iterations", 0, "iterations", "must be positive (and at least the number of shards)");
        var r = ModelCheck.Explore.Engines.Generate.ScheduleSearch.Run(spec, v, iterations, seed);
        if (r.Failed) r.Trace!.Save(tracePath);
        if (json)
        {
            Output.WriteJson(new RunRow
            {
                Scenario = spec.Id, Variant = v.Explicit, Engine = "fscheck", Seed = seed, Verdict = r.Failed ? "violated" : "holds",
                Invariant = r.Violation?.Invariant, Message = r.Violation?.Message, Complete = false, Iterations = r.Tests,
                IterationsToViolation = r.Failed ? r.TestsToFailure : null, ShrinkSteps = r.ShrinkSteps, Seconds = Math.Round(r.Seconds, 3),
                Trace = r.Failed ? tracePath : null, TraceLength = r.Trace?.Choices.Count, Shard = shard?.ToString(),
            });
        }
        else
        {
            Console.WriteLine($"{spec.Id} [{v}] engine=fscheck seed={seed}");
            Console.WriteLine(r.Failed
                ? $"  verdict: violated {r.Violation!.Invariant} after {r.TestsToFailure} schedules, {r.ShrinkSteps} shrink steps ({r.Seconds:0.00} s)\n  violation: {r.Violation.Message}\n  trace: {tracePath} ({r.Trace!.Choices.Count} steps)"
                : $"  verdict: no violation in {r.Tests} random schedules ({r.Seconds:0.00} s; not a proof)");
            if (r.Failed) Output.PrintFoundTrace(r.Trace!, tracePath, width);
        }
        return r.Failed ? ExitCodes.Violation : ExitCodes.Holds;
    }

    private static int CheckWithCoyote(ModelCheck.Model.Scenario.ScenarioSpec spec, Variant v, ModelCheck.Explore.Engines.Coyote.CoyoteOptions o, string tracePath, bool json, int width, Shard? shard)
    {
        if (o.Iterations <= 0 || o.MaxSteps <= 0) throw new InputException("--iterations", 0, "iterations", "iterations and --max-steps must be positive (and iterations at least the number of shards)");
        // the seed actually used is always recorded: draw one when none was given (Coyote takes 32 bits)
        o = o with { Seed = o.Seed ?? (ulong)Random.Shared.NextInt64(1, uint.MaxValue) };
        var r = ModelCheck.Explore.Engines.Coyote.CoyoteEngine.Run(spec, v, o);
        Output.EndProgress();
        string? coyotePath = null;
        if (r.BugFound)
        {
            r.Trace!.Save(tracePath);
            coyotePath = Path.ChangeExtension(tracePath, ".coyote.json");
            File.WriteAllText(coyotePath, r.CoyoteTrace);
        }
        if (json)
        {
            Output.WriteJson(new RunRow
            {
                Scenario = spec.Id, Variant = v.Explicit, Engine = "coyote", Strategy = o.Strategy, Seed = o.Seed, Verdict = r.BugFound ? "violated" : "holds",
                Invariant = r.Violation?.Invariant, Message = r.BugFound ? $"{r.Violation!.Message} (Coyote: {r.CoyoteMessage})" : null, Complete = false,
                Iterations = r.Iterations, IterationsToViolation = r.BugFound ? r.IterationsToBug : null,
                Seconds = Math.Round(r.Seconds, 3), Trace = r.BugFound ? tracePath : null, TraceLength = r.Trace?.Choices.Count, CoyoteTrace = coyotePath,
                Shard = shard?.ToString(),
            });
        }
        else
        {
            Console.WriteLine($"{spec.Id} [{v}] engine=coyote strategy={o.Strategy} seed={o.Seed}");
            Console.WriteLine(r.BugFound
                ? $"  verdict: violated {r.Violation!.Invariant} in iteration {r.IterationsToBug} ({r.Seconds:0.00} s, {r.IterationsPerSecond:0} it/s)\n  violation: {r.Violation.Message}\n  coyote: {r.CoyoteMessage}\n  trace: {tracePath} ({r.Trace!.Choices.Count} steps); Coyote's own: {coyotePath}"
                : $"  verdict: no bug in {r.Iterations} iterations ({r.Seconds:0.00} s, {r.IterationsPerSecond:0} it/s; not a proof)");
            if (r.BugFound) Output.PrintFoundTrace(r.Trace!, tracePath, width);
        }
        if (r.Interrupted)
        {
            Console.Error.WriteLine($"modelcheck: interrupted after {r.Iterations:N0} of {o.Iterations:N0} iterations (seed {o.Seed}, strategy {o.Strategy}), no bug so far: " +
                                    $"--seed {o.Seed} repeats these schedules; another seed, e.g. --seed {o.Seed + 1}, explores others");
            return ExitCodes.Incomplete;
        }
        return r.BugFound ? ExitCodes.Violation : ExitCodes.Holds;
    }
}
