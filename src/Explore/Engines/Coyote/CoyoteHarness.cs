using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.Specifications;
using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;
using CoyoteRandom = Microsoft.Coyote.Random.Generator;

namespace ModelCheck.Explore.Engines.Coyote;

/// <summary>
/// One Coyote test iteration: every model thread (user threads and system actors) runs as a
/// Coyote controlled operation on its own thread, executing the model's own steps through
/// <see cref="Semantics"/> (no second model). Blocked steps pause on their guard; Coyote chooses
/// which operation runs next and the alternative of each step; invariants are asserted after
/// every step. Actors leave once the system is quiescent with every user thread done, so a state
/// where user threads stay blocked leaves every operation paused: Coyote's own deadlock detection.
/// </summary>
public sealed class CoyoteHarness(ScenarioSpec spec, Variant variant)
{
    private readonly KernelState initial = MachineBuilder.Build(spec, variant);
    private readonly InvariantSet invariants = InvariantSet.For(spec);
    private readonly object gate = new();

    /// <summary>The model state of the iteration in progress; only the running operation touches it.</summary>
    public KernelState State { get; private set; } = null!;

    /// <summary>The choices of the iteration in progress, in the common trace format.</summary>
    public List<Choice> Trace { get; } = [];

    public Violation? Violation { get; private set; }

    public void Reset()
    {
        lock (gate)
        {
            State = initial;
            Trace.Clear();
            Violation = null;
        }
    }

    private bool watchLeak, watchBlocked;

    public void Iteration()
    {
        Reset();
        watchLeak = spec.Invariants.Contains("dropbehind-leak");
        watchBlocked = spec.Invariants.Contains("blocked-forever");
        if (watchLeak) Specification.RegisterMonitor<DropbehindLeakMonitor>();
        if (watchBlocked) Specification.RegisterMonitor<BlockedForeverMonitor>();
        Specification.RegisterMonitor<WritebackCompletionMonitor>();
        var random = CoyoteRandom.Create();
        var ids = new List<ulong>();
        for (int t = 0; t < initial.Threads.Length; t++)
        {
            ulong id = Operation.CreateNext() ?? throw new InvalidOperationException("not running under the Coyote testing engine");
            int tid = t;
            var thread = new Thread(() => RunThread(tid, id, random)) { IsBackground = true, Name = initial.Machine.Threads[t].Name };
            thread.Start();
            Operation.Start(id);
            ids.Add(id);
        }
        foreach (var id in ids) Operation.PauseUntilCompleted(id);
        Notify();
        // liveness is the monitors' (hot at the end of the execution); deadlocks are Coyote's own
    }

    /// <summary>Tells the liveness monitors what the state is after a step.</summary>
    private void Notify()
    {
        var s = State;
        if (watchLeak)
            Specification.Monitor<DropbehindLeakMonitor>(DropbehindLeakMonitor.IsHot(s) ? new DropbehindLeakMonitor.Leaking() : new DropbehindLeakMonitor.Clean());
        if (watchBlocked)
            Specification.Monitor<BlockedForeverMonitor>(BlockedForeverMonitor.IsHot(s) ? new BlockedForeverMonitor.Waiting() : new BlockedForeverMonitor.Progress());
        Specification.Monitor<WritebackCompletionMonitor>(WritebackCompletionMonitor.IsHot(s) ? new WritebackCompletionMonitor.InFlight() : new WritebackCompletionMonitor.Idle());
    }

    private void RunThread(int tid, ulong id, CoyoteRandom random)
    {
        try
        {
            RunOperation(tid, id, random);
        }
        catch (ThreadInterruptedException)
        {
            // Coyote ends the iteration (a bug was found, or the step bound was hit) by interrupting paused operations
        }
        catch (Exception e) when (e.GetType().Name is "ExecutionCanceledException" or "AssertionFailureException")
        {
            // the assertion or the cancellation already reached the testing engine
        }
    }

    private void RunOperation(int tid, ulong id, CoyoteRandom random)
    {
        Operation.OnStarted(id);
        var info = initial.Machine.Threads[tid];
        while (true)
        {
            SchedulingPoint.Interleave();
            if (Violation is not null) break;
            var status = Semantics.Status(State, tid, out _, out _);
            if (status == ThreadStatus.Finished) break;
            if (status == ThreadStatus.Blocked)
            {
                // a skip chain can also end the program: wake on anything but "still blocked"
                Operation.PauseUntil(() => Violation is not null || Semantics.Status(State, tid, out _, out _) != ThreadStatus.Blocked || CanLeave(tid));
                if (Semantics.Status(State, tid, out _, out _) == ThreadStatus.Blocked) break;
                continue;
            }
            int n = Semantics.Alternatives(State, tid);
            int alt = n > 1 ? random.NextInteger(n) : 0;
            var next = Semantics.Execute(State, tid, alt, out var ctx, out var step);
            State = next;
            Trace.Add(new Choice(info.Name, alt, ctx.Function ?? step.Function));
            if (invariants.AfterStep(State, ctx.Events) is { } v)
            {
                Violation = v;
                Specification.Assert(false, $"{v.Invariant}: {v.Message}");
            }
            Notify();
        }
        Operation.OnCompleted();
        Operation.ScheduleNext();
    }

    /// <summary>
    /// A blocked thread may leave once nothing can run and every user thread has finished or waits
    /// where the scenario allows waiting forever (may_block); otherwise it stays paused, and a system
    /// of paused operations is a deadlock for Coyote.
    /// </summary>
    private bool CanLeave(int tid)
    {
        var s = State;
        if (!Semantics.IsQuiescent(s)) return false;
        if (!Done(s, tid)) return false; // a wait in a cycle: stay paused, Coyote reports the deadlock
        for (int t = 0; t < s.Threads.Length; t++)
            if (s.Machine.Threads[t].Kind == ThreadKind.User && !Done(s, t)) return false;
        return true;
    }

    /// <summary>
    /// Finished, idle, allowed to wait forever, or waiting on something nobody will provide (the
    /// blocked-forever monitor judges that one); a wait-for cycle is not done.
    /// </summary>
    private static bool Done(KernelState s, int t)
    {
        var status = Semantics.Status(s, t, out int pc, out var guard);
        if (status == ThreadStatus.Finished) return true;
        if (status != ThreadStatus.Blocked) return false;
        var info = s.Machine.Threads[t];
        if (guard.Wait.Kind is WaitKind.Idle or WaitKind.Never) return true;
        if (info.Kind == ThreadKind.User && info.OpAt(pc) is { MayBlock: true }) return true;
        return !WaitFor.Chain(s, t).Cycle;
    }
}
