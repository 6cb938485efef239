using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Runs;

/// <summary>
/// Runs a state to quiescence with a fixed policy: the lowest-numbered enabled user thread
/// first, otherwise the first enabled actor, always alternative 0 (the oldest bio or work
/// item). Used for sequential conformance and unit tests.
/// </summary>
public static class DeterministicRun
{
    public sealed record Outcome(KernelState Final, IReadOnlyList<ModelEvent> Events, int Steps, IReadOnlyList<string> Functions);

    /// <param name="observe">called after every step with the new state and the step's context</param>
    public static Outcome ToQuiescence(KernelState s, int maxSteps = 100_000, Action<KernelState, StepContext>? observe = null)
    {
        var events = new List<ModelEvent>();
        var run = StepRunner.Run(s, Schedulers.UsersFirst, maxSteps: maxSteps, observe: r =>
        {
            observe?.Invoke(r.After, r.Context);
            events.AddRange(r.Context.Events);
        });
        if (run.Bounded) throw new ModelError($"no quiescence after {maxSteps} steps");
        return new Outcome(run.Final, events, run.Steps, [.. run.Trace.Select(c => c.Function)]);
    }
}
