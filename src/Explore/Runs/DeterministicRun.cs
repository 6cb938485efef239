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
        var functions = new List<string>();
        int steps = 0;
        while (steps < maxSteps)
        {
            int pick = -1;
            for (int t = 0; t < s.Threads.Length && pick < 0; t++)
                if (s.Machine.Threads[t].Kind == ThreadKind.User && Semantics.Alternatives(s, t) > 0) pick = t;
            for (int t = 0; t < s.Threads.Length && pick < 0; t++)
                if (Semantics.Alternatives(s, t) > 0) pick = t;
            if (pick < 0) break;
            s = Semantics.Execute(s, pick, 0, out var ctx, out var step);
            observe?.Invoke(s, ctx);
            events.AddRange(ctx.Events);
            functions.Add(ctx.Function ?? step.Function);
            steps++;
        }
        if (steps >= maxSteps) throw new ModelError($"no quiescence after {maxSteps} steps");
        return new Outcome(s, events, steps, functions);
    }
}
