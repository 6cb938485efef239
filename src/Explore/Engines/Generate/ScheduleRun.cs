using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Engines.Generate;

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
        var run = StepRunner.Run(initial, Schedulers.Modulo(schedule), invariants, maxSteps);
        return new(run.Violation, run.Trace, run.Steps);
    }
}
