using System.Diagnostics;
using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Engines.Coyote;

public sealed record CoyoteOptions(string Strategy = "random", int Iterations = 1000, int MaxSteps = 2000, ulong? Seed = null, string? ReproducibleTrace = null)
{
    /// <summary>Called about once a second with (iterations, iterations per second, bugs).</summary>
    public Action<uint, double, int>? Progress { get; init; }

    /// <summary>SIGINT/SIGTERM: stop after the current iteration and report what was covered.</summary>
    public CancellationToken Interrupt { get; init; }
}

public sealed record CoyoteResult(
    bool BugFound,
    Violation? Violation,
    string? CoyoteMessage,
    int Iterations,
    int IterationsToBug,
    double Seconds,
    TraceFile? Trace,
    string? CoyoteTrace)
{
    /// <summary>The run was stopped by its interrupt before its iterations were done.</summary>
    public bool Interrupted { get; init; }

    public double IterationsPerSecond => Seconds > 0 ? Iterations / Seconds : Iterations;
}

/// <summary>Runs a scenario under Coyote's TestingEngine, in process, and converts what it finds.</summary>
public static class CoyoteEngine
{
    public static readonly string[] Strategies = ["random", "pct", "fair-pct", "probabilistic", "ql", "portfolio"];

    public static CoyoteResult Run(ScenarioSpec spec, Variant variant, CoyoteOptions o)
    {
        var config = Configuration.Create().WithTelemetryEnabled(false)
            .WithTestingIterations((uint)o.Iterations)
            .WithMaxSchedulingSteps((uint)o.MaxSteps)
            .WithPotentialDeadlocksReportedAsBugs(true);
        if (o.Seed is { } seed) config = config.WithRandomGeneratorSeed((uint)seed);
        config = o.Strategy switch
        {
            "random" => config.WithRandomStrategy(),
            "pct" => config.WithPrioritizationStrategy(false, 10),
            "fair-pct" => config.WithPrioritizationStrategy(true, 10),
            "probabilistic" => config.WithProbabilisticStrategy(),
            "ql" => config.WithQLearningStrategy(),
            "portfolio" => config,
            _ => throw new ArgumentException($"unknown strategy '{o.Strategy}' (strategies: {string.Join(", ", Strategies)})"),
        };
        if (o.ReproducibleTrace is not null) config = config.WithReproducibleTrace(o.ReproducibleTrace);
        var harness = new CoyoteHarness(spec, variant);
        var engine = TestingEngine.Create(config, harness.Iteration);
        uint iteration = 0, bugAt = 0;
        engine.RegisterStartIterationCallBack(i => iteration = i + 1);
        var sw = Stopwatch.StartNew();
        long nextProgress = 1000;
        using var stopOnInterrupt = o.Interrupt.Register(engine.Stop);
        engine.RegisterEndIterationCallBack(_ =>
        {
            if (bugAt == 0 && engine.TestReport.NumOfFoundBugs > 0) bugAt = iteration;
            if (o.Progress is not null && sw.ElapsedMilliseconds >= nextProgress)
            {
                nextProgress = sw.ElapsedMilliseconds + 1000;
                o.Progress(iteration, iteration / sw.Elapsed.TotalSeconds, engine.TestReport.NumOfFoundBugs);
            }
        });
        var stdout = Console.Out;
        try
        {
            Console.SetOut(TextWriter.Null); // Coyote's engine logs progress to the console; ModelCheck reports itself
            engine.Run();
        }
        finally
        {
            Console.SetOut(stdout);
        }
        sw.Stop();
        var report = engine.TestReport;
        if (report.NumOfFoundBugs == 0)
            return new CoyoteResult(false, null, null, (int)iteration, 0, sw.Elapsed.TotalSeconds, null, null) { Interrupted = o.Interrupt.IsCancellationRequested };
        string message = report.BugReports.FirstOrDefault() ?? "bug";
        var violation = harness.Violation;
        if (violation is null && message.Contains(nameof(DropbehindLeakMonitor), StringComparison.Ordinal))
            violation = new DropbehindLeak().AtQuiescence(harness.State) ?? new Violation("dropbehind-leak", message);
        if (violation is null && message.Contains(nameof(BlockedForeverMonitor), StringComparison.Ordinal))
            violation = new BlockedForever().AtQuiescence(harness.State) ?? new Violation("blocked-forever", message);
        if (violation is null && message.Contains(nameof(WritebackCompletionMonitor), StringComparison.Ordinal))
            violation = new Violation("writeback-completion", message);
        if (violation is null && message.Contains("Deadlock", StringComparison.OrdinalIgnoreCase))
        {
            // Coyote saw every operation paused: name it with the model's wait-for chain
            violation = new Deadlock().AtQuiescence(harness.State) ?? new BlockedForever().AtQuiescence(harness.State)
                ?? new Violation("deadlock", message);
        }
        violation ??= new Violation("coyote", message);
        var trace = TraceFile.Of(spec, variant, "coyote:" + o.Strategy, (long)(o.Seed ?? 0), [.. harness.Trace], violation);
        return new CoyoteResult(true, violation, message, (int)iteration, (int)(bugAt == 0 ? iteration : bugAt), sw.Elapsed.TotalSeconds, trace, engine.ReproducibleTrace);
    }
}
