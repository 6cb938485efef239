using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Runs;

/// <summary>A step a scheduler picks: a thread and one of its step's alternatives.</summary>
public readonly record struct Pick(int Tid, int Alt);

/// <summary>One executed step as a driver observes it: the state before and after, what the step did.</summary>
public sealed record StepRecord(int K, int Tid, int Alt, KernelState Before, KernelState After, StepContext Context, Step Step)
{
    public string Function => Context.Function ?? Step.Function;
}

/// <summary>
/// Who runs next, for the sequential drivers (a fixed policy, an FsCheck schedule, a trace to
/// replay). Next returns null when the run should end; a scheduler that cannot follow the model (a
/// trace that no longer fits) says why instead.
/// </summary>
public interface IScheduler
{
    /// <summary>The k-th step (from 0) in s, or null to stop; Divergence is set when it cannot go on.</summary>
    Pick? Next(KernelState s, int k);

    /// <summary>Why the run cannot follow the schedule, or null.</summary>
    string? Divergence { get; }

    /// <summary>Checks a step after it ran (a replay checks its function); the reason when it does not fit.</summary>
    string? Check(StepRecord step) => null;
}

/// <summary>The outcome of a sequential run.</summary>
public sealed record RunResult(KernelState Final, Violation? Violation, IReadOnlyList<Choice> Trace, int Steps, string? Divergence)
{
    /// <summary>The run stopped because its bound was reached, not at its end.</summary>
    public bool Bounded { get; init; }

    /// <summary>The violation was found at the quiescent end of the run (a liveness invariant), not after a step.</summary>
    public bool AtQuiescence { get; init; }
}

/// <summary>
/// The one step executor of the sequential drivers: asks the scheduler, executes through
/// <see cref="Semantics"/>, records the trace, checks the invariants after every step and at the
/// end of a run that ends quiescent. (The exhaustive search and Coyote drive the same Semantics
/// with their own frontier and their own controlled threads.)
/// </summary>
public static class StepRunner
{
    public static RunResult Run(KernelState initial, IScheduler scheduler, InvariantSet? invariants = null,
        int maxSteps = int.MaxValue, Action<StepRecord>? observe = null)
    {
        var s = initial;
        var trace = new List<Choice>();
        if (invariants?.AfterStep(s, []) is { } v0) return new(s, v0, trace, 0, null);
        for (int k = 0; k < maxSteps; k++)
        {
            var pick = scheduler.Next(s, k);
            if (scheduler.Divergence is { } why) return new(s, null, trace, k, why);
            if (pick is not { } p)
            {
                var end = Semantics.IsQuiescent(s) ? invariants?.AtQuiescence(s) : null;
                return new(s, end, trace, k, null) { AtQuiescence = end is not null };
            }
            var next = Semantics.Execute(s, p.Tid, p.Alt, out var ctx, out var step);
            var record = new StepRecord(k, p.Tid, p.Alt, s, next, ctx, step);
            if (scheduler.Check(record) is { } misfit) return new(s, null, trace, k, misfit);
            trace.Add(new Choice(s.Machine.Threads[p.Tid].Name, p.Alt, record.Function));
            observe?.Invoke(record);
            s = next;
            if (invariants?.AfterStep(s, ctx.Events) is { } v) return new(s, v, trace, k + 1, null);
        }
        return new(s, null, trace, maxSteps, null) { Bounded = true };
    }
}

/// <summary>Schedulers of the sequential drivers.</summary>
public static class Schedulers
{
    /// <summary>The lowest-numbered enabled user thread first, otherwise the first enabled actor, always alternative 0.</summary>
    public static IScheduler UsersFirst { get; } = new Prefer(static (_, _) => true);

    /// <summary>Thread t whenever it can run, otherwise the first enabled thread; alternative 0.</summary>
    public static IScheduler Favour(int t) => new Prefer((_, u) => u == t);

    /// <summary>At step k the k-th choice picks among the enabled transitions (modulo their number); past its end, the first.</summary>
    public static IScheduler Modulo(IReadOnlyList<int> schedule) => new ModuloScheduler(schedule);

    /// <summary>Follows a trace's choices, and says where the model no longer lets it.</summary>
    public static IScheduler Replay(IReadOnlyList<Choice> choices) => new ReplayScheduler(choices);

    private sealed class Prefer(Func<KernelState, int, bool> preferred) : IScheduler
    {
        public string? Divergence => null;

        public Pick? Next(KernelState s, int k)
        {
            for (int t = 0; t < s.Threads.Length; t++)
                if (preferred(s, t) && s.Machine.Threads[t].Kind == ThreadKind.User && Semantics.Alternatives(s, t) > 0) return new(t, 0);
            for (int t = 0; t < s.Threads.Length; t++)
                if (preferred(s, t) && Semantics.Alternatives(s, t) > 0) return new(t, 0);
            for (int t = 0; t < s.Threads.Length; t++)
                if (Semantics.Alternatives(s, t) > 0) return new(t, 0);
            return null;
        }
    }

    private sealed class ModuloScheduler(IReadOnlyList<int> schedule) : IScheduler
    {
        private readonly List<(int Tid, int Alt)> enabled = [];

        public string? Divergence => null;

        public Pick? Next(KernelState s, int k)
        {
            Semantics.Enabled(s, enabled);
            if (enabled.Count == 0) return null;
            var (tid, alt) = k < schedule.Count ? enabled[schedule[k] % enabled.Count] : enabled[0];
            return new(tid, alt);
        }
    }

    private sealed class ReplayScheduler(IReadOnlyList<Choice> choices) : IScheduler
    {
        public string? Divergence { get; private set; }

        public Pick? Next(KernelState s, int k)
        {
            if (k >= choices.Count) return null;
            var ch = choices[k];
            int tid = s.Machine.ThreadIndex(ch.Thread);
            if (tid < 0) return Diverge($"step {k + 1}: the scenario has no thread '{ch.Thread}'");
            var status = Semantics.Status(s, tid, out _, out var guard);
            if (status != ThreadStatus.Enabled)
                return Diverge($"step {k + 1}: {ch.Thread} cannot run {ch.Function} ({(status == ThreadStatus.Finished ? "finished" : "blocked in " + guard.Wait.Text)})");
            int n = Semantics.Alternatives(s, tid);
            if (ch.Alt < 0 || ch.Alt >= n)
                return Diverge($"step {k + 1}: {ch.Thread} offers {n} alternatives, the trace chose {ch.Alt}");
            return new(tid, ch.Alt);
        }

        public string? Check(StepRecord step)
        {
            var ch = choices[step.K];
            return step.Function == ch.Function ? null : $"step {step.K + 1}: {ch.Thread} ran {step.Function}, the trace expected {ch.Function}";
        }

        private Pick? Diverge(string why)
        {
            Divergence = why;
            return null;
        }
    }
}
