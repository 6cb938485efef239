using ModelCheck.Explore.Exhaustive;
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
        if (invariants.AfterStep(state, []) is { } v0) return Done(v0, null);
        for (int k = 0; k < choices.Count; k++)
        {
            var ch = choices[k];
            int tid = state.Machine.ThreadIndex(ch.Thread);
            if (tid < 0) return Done(null, $"step {k + 1}: the scenario has no thread '{ch.Thread}'");
            var status = Semantics.Status(state, tid, out _, out var guard);
            if (status != ThreadStatus.Enabled)
                return Done(null, $"step {k + 1}: {ch.Thread} cannot run {ch.Function} ({(status == ThreadStatus.Finished ? "finished" : "blocked in " + guard.Wait.Text)})");
            int n = Semantics.Alternatives(state, tid);
            if (ch.Alt < 0 || ch.Alt >= n)
                return Done(null, $"step {k + 1}: {ch.Thread} offers {n} alternatives, the trace chose {ch.Alt}");
            var pre = state;
            state = Semantics.Execute(state, tid, ch.Alt, out var ctx, out var step);
            string fn = ctx.Function ?? step.Function;
            if (fn != ch.Function)
                return Done(null, $"step {k + 1}: {ch.Thread} ran {fn}, the trace expected {ch.Function}");
            var after = StateView.Describe(state);
            string args = step.Args?.Invoke(pre, tid) ?? "";
            steps.Add(new ReplayStep(k + 1, ch.Thread, state.Machine.Threads[tid].Context, fn, args, StateView.Diff(before, after), ctx.Notes) { After = after });
            before = after;
            if (invariants.AfterStep(state, ctx.Events) is { } v) return Done(v, null);
        }
        if (Semantics.IsQuiescent(state) && invariants.AtQuiescence(state) is { } vq)
            return Done(vq, null, BlockedThreads(state));
        return Done(null, null);
    }
}
