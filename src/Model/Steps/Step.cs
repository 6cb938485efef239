using ModelCheck.Model.State;

namespace ModelCheck.Model.Steps;

public enum GuardKind : byte { Run, Skip, Block }

/// <summary>What a blocked step waits for; used for the wait-for chain of deadlock reports.</summary>
public enum WaitKind : byte
{
    IRwsem,
    InvalidateLock,
    FolioLock,
    FolioWriteback,
    FolioStable,
    DioCount,
    WriteThroughCompletion,
    /// <summary>A synchronous O_DIRECT write waiting for its bio (iomap_dio_rw's wait).</summary>
    DioCompletion,
    FuseRequests,
    /// <summary>mapping->i_private_lock (spun on; the buffer list's lock).</summary>
    PrivateLock,
    /// <summary>An actor that will never make progress by design (a server that never answers).</summary>
    Never,
    Idle,
}

/// <summary>
/// What a blocked step waits for. Its text is for reports only, so a guard may give it as a
/// function of the target (a static lambda, built once), and it is only written out when a report
/// asks: guards run for every thread in every state the search visits.
/// </summary>
public readonly record struct Wait(WaitKind Kind, int Target, string? Fixed, Func<int, string>? Describe)
{
    public string Text => Fixed ?? Describe?.Invoke(Target) ?? Kind.ToString();
}

/// <summary>Result of a step's guard: run it, skip it (pure control flow), or block.</summary>
public readonly record struct Guard(GuardKind Kind, Wait Wait, int SkipTo)
{
    public static readonly Guard Run = new(GuardKind.Run, default, -1);
    public static Guard Skip(int to = -1) => new(GuardKind.Skip, default, to);

    /// <summary>Skip to a label (resolved when the program is built).</summary>
    public static Guard Skip(Label to) => new(GuardKind.Skip, default, to.Index);
    public static Guard Block(WaitKind kind, int target, string text) => new(GuardKind.Block, new Wait(kind, target, text, null), -1);

    /// <summary>Blocked on something that is not one folio (a lock of the inode, a count, a queue): no target.</summary>
    public static Guard Block(WaitKind kind, string text) => Block(kind, NoTarget, text);

    /// <summary>The target of a wait that has none (only folio waits name one).</summary>
    public const int NoTarget = -1;

    /// <summary>Blocked on target; describe(target) says on what, when a report asks.</summary>
    public static Guard Block(WaitKind kind, int target, Func<int, string> describe) =>
        new(GuardKind.Block, new Wait(kind, target, null, describe), -1);
}

/// <summary>
/// One atomic step: a kernel critical section, named after its kernel function. A guard says
/// whether it can run; the effect mutates a fresh clone of the state. A step with several
/// alternatives (the device choosing which bio completes) is a nondeterministic choice.
/// </summary>
public sealed class Step
{
    public required string Function { get; init; }
    public Func<KernelState, int, string>? Args { get; init; }
    public required Func<KernelState, int, Guard> Check { get; init; }
    public Func<KernelState, int, int>? Alternatives { get; init; }

    /// <summary>
    /// Safe for partial-order reduction (SPIN's "safe" statement): whenever the step is enabled it
    /// is independent of every step the other threads can take before it runs (they commute and
    /// none disables it), and no invariant reads what it changes. The plain case is a step on its
    /// own thread's locals and pc; a model may also mark a step whose shared data every other
    /// thread touches only under a lock this thread holds there, or an unlock (what it affects,
    /// the others' attempts to take that lock, cannot run before it). The search then expands such
    /// a step alone and merges it into the transition before it (<see cref="Semantics.ExecuteMerged"/>).
    /// Marking a step that is not safe makes the reduced search unsound: say why in the model.
    /// </summary>
    public bool Local { get; init; }

    /// <summary>
    /// Safe in some states only (the same meaning as <see cref="Local"/>, decided in the state at
    /// hand): the model promises that where it returns true, no step another thread can take
    /// before this one runs depends on it, and that this stays so until it runs.
    /// </summary>
    public Func<KernelState, int, bool>? SafeWhen { get; init; }

    /// <summary>Whether partial-order reduction may treat this step of thread tid as local in s.</summary>
    public bool IsSafe(KernelState s, int tid) => Local || (SafeWhen is { } when && when(s, tid));

    public required Action<KernelState, StepContext> Apply { get; init; }
    public int AlternativeCount(KernelState s, int tid) => Alternatives?.Invoke(s, tid) ?? 1;
}

/// <summary>Execution context of a thread (in_task() is false in IRQ).</summary>
public enum ExecContext : byte { Task, Irq, Workqueue }

/// <summary>Everything a step's effect may touch besides the state: its choice, next pc, events.</summary>
public sealed class StepContext
{
    public int Tid { get; init; }
    public int Alt { get; init; }
    public required ExecContext Context { get; init; }
    public int NextPc { get; set; }
    public string? Function { get; set; }
    private List<ModelEvent>? events;
    private List<string>? notes;

    /// <summary>Events the step produced (allocated on the first one: most steps have none).</summary>
    public IReadOnlyList<ModelEvent> Events => events ?? (IReadOnlyList<ModelEvent>)[];

    public IReadOnlyList<string> Notes => notes ?? (IReadOnlyList<string>)[];

    public bool InTask => Context != ExecContext.Irq;

    public void Goto(Label label) => NextPc = label.Index;

    public void Note(string text) => (notes ??= []).Add(text);

    public void Emit(ModelEvent e) => (events ??= []).Add(e);
}

/// <summary>A jump target resolved when the program is built.</summary>
public sealed class Label
{
    public int Index { get; set; } = -1;
}
