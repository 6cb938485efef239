using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Traces;

public sealed record ReplayStep(int K, string Thread, ExecContext Context, string Function, string Args, IReadOnlyList<string> Changes, IReadOnlyList<string> Notes)
{
    /// <summary>The whole state after the step (<see cref="StateView"/>).</summary>
    public IReadOnlyDictionary<string, string> After { get; init; } = new SortedDictionary<string, string>();

    public string Line()
    {
        string call = Args.Length > 0 ? $"{Function}({Args})" : Function;
        var what = Notes.Concat(Changes);
        return $"[{K}] {Thread,-10} {call,-44} {string.Join("; ", what)}";
    }
}

public sealed record ReplayResult(
    ScenarioSpec Scenario,
    Variant Variant,
    IReadOnlyList<ReplayStep> Steps,
    Violation? Violation,
    string? Divergence,
    IReadOnlyList<(string Thread, string Wait)>? Blocked = null)
{
    /// <summary>The whole state before the first step (<see cref="StateView"/>).</summary>
    public IReadOnlyDictionary<string, string> Initial { get; init; } = new SortedDictionary<string, string>();

    /// <summary>The whole state after the last step replayed.</summary>
    public IReadOnlyDictionary<string, string> Final { get; init; } = new SortedDictionary<string, string>();
}

/// <summary>Re-executes a trace's choices through the model and reports what each step did.</summary>
public static class Replayer
{
    public static ReplayResult Replay(TraceFile trace, string source)
    {
        var spec = ScenarioLoader.Parse(trace.Scenario, source + " (inline scenario)");
        Variant variant;
        try
        {
            variant = new Variant(trace.Variant);
        }
        catch (ArgumentException e)
        {
            throw new InputException(source, 0, "variant", e.Message);
        }
        return Replay(spec, variant, trace.Choices);
    }

    /// <summary>Threads blocked at the end of a trace on something other than a lack of work.</summary>
    public static List<(string Thread, string Wait)> BlockedThreads(KernelState s)
    {
        var list = new List<(string, string)>();
        for (int t = 0; t < s.Threads.Length; t++)
            if (Semantics.Status(s, t, out _, out var g) == ThreadStatus.Blocked && g.Wait.Kind != WaitKind.Idle)
                list.Add((s.Machine.Threads[t].Name, g.Wait.Text));
        return list;
    }

    public static ReplayResult Replay(ScenarioSpec spec, Variant variant, IReadOnlyList<Choice> choices)
    {
        var state = MachineBuilder.Build(spec, variant);
        var invariants = InvariantSet.For(spec);
        var steps = new List<ReplayStep>();
        var initial = StateView.Describe(state);
        var before = initial;
        ReplayResult Done(Violation? v, string? divergence, IReadOnlyList<(string, string)>? blocked = null) =>
            new(spec, variant, steps, v, divergence, blocked) { Initial = initial, Final = before };
        var run = Runs.StepRunner.Run(state, Runs.Schedulers.Replay(choices), invariants, observe: r =>
        {
            var after = StateView.Describe(r.After);
            string args = r.Step.Args?.Invoke(r.Before, r.Tid) ?? "";
            var info = r.After.Machine.Threads[r.Tid];
            steps.Add(new ReplayStep(r.K + 1, info.Name, info.Context, r.Function, args, StateView.Diff(before, after), r.Context.Notes) { After = after });
            before = after;
        });
        // a violation found at the end (a liveness invariant) lists who is still waiting
        return Done(run.Violation, run.Divergence, run.AtQuiescence ? BlockedThreads(run.Final) : null);
    }
}
