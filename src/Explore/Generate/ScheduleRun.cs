using ModelCheck.Explore.Exhaustive;
using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Generate;

/// <summary>
/// Runs one schedule: at step k the k-th choice picks among the enabled transitions (modulo their
/// number); past the end of the schedule the first enabled transition runs, until quiescence.
/// Invariants are checked after every step and at quiescence.
/// </summary>
public static class ScheduleRun
{
    public sealed record Outcome(Violation? Violation, IReadOnlyList<Choice> Trace, int Steps);

    public static Outcome Run(KernelState initial, InvariantSet invariants, IReadOnlyList<int> schedule, int maxSteps = 600)
    {
        var s = initial;
        var enabled = new List<(int Tid, int Alt)>();
        var trace = new List<Choice>();
        if (invariants.AfterStep(s, []) is { } v0) return new(v0, trace, 0);
        for (int k = 0; k < maxSteps; k++)
        {
            Semantics.Enabled(s, enabled);
            if (enabled.Count == 0) return new(invariants.AtQuiescence(s), trace, k);
            var (tid, alt) = k < schedule.Count ? enabled[schedule[k] % enabled.Count] : enabled[0];
            s = Semantics.Execute(s, tid, alt, out var ctx, out var step);
            trace.Add(new Choice(s.Machine.Threads[tid].Name, alt, ctx.Function ?? step.Function));
            if (invariants.AfterStep(s, ctx.Events) is { } v) return new(v, trace, k + 1);
        }
        return new(null, trace, maxSteps);
    }
}
