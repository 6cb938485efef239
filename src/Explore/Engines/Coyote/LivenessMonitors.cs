using Microsoft.Coyote.Specifications;
using Monitor = Microsoft.Coyote.Specifications.Monitor;
using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Engines.Coyote;

/// <summary>Hot while a folio that came from DONTCACHE I/O sits cached and clean with its I/O over and no invalidation pending.</summary>
public sealed class DropbehindLeakMonitor : Monitor
{
    public sealed class Leaking : Monitor.Event;

    public sealed class Clean : Monitor.Event;

    [Monitor.State.Start]
    [Monitor.State.Cold]
    [Monitor.State.OnEventGotoState(typeof(Leaking), typeof(LeakingState))]
    [Monitor.State.OnEventGotoState(typeof(Clean), typeof(CleanState))]
    private sealed class CleanState : Monitor.State;

    [Monitor.State.Hot]
    [Monitor.State.OnEventGotoState(typeof(Leaking), typeof(LeakingState))]
    [Monitor.State.OnEventGotoState(typeof(Clean), typeof(CleanState))]
    private sealed class LeakingState : Monitor.State;

    /// <summary>The invariant's own predicate, while no deferred invalidation is pending and the folio is not locked (someone may still drop it).</summary>
    public static bool IsHot(KernelState s) =>
        s.PendingDropbehind.Count == 0 && s.DropbehindBatch.Count == 0 && DropbehindLeak.Leaked(s).Any(i => !s.Folios[i].Locked);
}

/// <summary>Hot while a thread that may not hang waits on something nobody will ever provide.</summary>
public sealed class BlockedForeverMonitor : Monitor
{
    public sealed class Waiting : Monitor.Event;

    public sealed class Progress : Monitor.Event;

    [Monitor.State.Start]
    [Monitor.State.Cold]
    [Monitor.State.OnEventGotoState(typeof(Waiting), typeof(WaitingState))]
    [Monitor.State.OnEventGotoState(typeof(Progress), typeof(ProgressState))]
    private sealed class ProgressState : Monitor.State;

    [Monitor.State.Hot]
    [Monitor.State.OnEventGotoState(typeof(Waiting), typeof(WaitingState))]
    [Monitor.State.OnEventGotoState(typeof(Progress), typeof(ProgressState))]
    private sealed class WaitingState : Monitor.State;

    /// <summary>A user thread, not allowed to block, whose wait-for chain ends in nobody (no cycle).</summary>
    public static bool IsHot(KernelState s) =>
        Semantics.IsQuiescent(s) && BlockedForever.Waiting(s).Any(w => s.Machine.Threads[w.Thread].Kind == ThreadKind.User);
}

/// <summary>Hot while a bio or completion work is outstanding: under fair schedules writeback must complete.</summary>
public sealed class WritebackCompletionMonitor : Monitor
{
    public sealed class InFlight : Monitor.Event;

    public sealed class Idle : Monitor.Event;

    [Monitor.State.Start]
    [Monitor.State.Cold]
    [Monitor.State.OnEventGotoState(typeof(InFlight), typeof(InFlightState))]
    [Monitor.State.OnEventGotoState(typeof(Idle), typeof(IdleState))]
    private sealed class IdleState : Monitor.State;

    [Monitor.State.Hot]
    [Monitor.State.OnEventGotoState(typeof(InFlight), typeof(InFlightState))]
    [Monitor.State.OnEventGotoState(typeof(Idle), typeof(IdleState))]
    private sealed class InFlightState : Monitor.State;

    public static bool IsHot(KernelState s) => s.Bios.Count > 0 || s.Work.Count > 0;
}
