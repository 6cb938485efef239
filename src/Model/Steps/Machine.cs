using ModelCheck.Model.Filesystems;
using ModelCheck.Model.State;
using ModelCheck.Model.Variants;

namespace ModelCheck.Model.Steps;

public enum ThreadKind : byte { User, Actor }

/// <summary>An operation inside a thread's program: its pc range and label.</summary>
public sealed record OpRange(int Start, int End, string Label, bool MayBlock)
{
    /// <summary>
    /// The units a store racing this operation may lose, [DiscardFrom, DiscardTo): a punch or zero
    /// range's own range, a collapse or insert's whole file; empty for every other operation.
    /// </summary>
    public int DiscardFrom { get; init; }

    public int DiscardTo { get; init; }
}

/// <summary>A thread's static description: its program and context.</summary>
public sealed record ThreadInfo(string Name, ThreadKind Kind, ExecContext Context, Step[] Program, OpRange[] Ops)
{
    public OpRange? OpAt(int pc) => Ops.FirstOrDefault(o => pc >= o.Start && pc < o.End);
}

/// <summary>
/// A compiled scenario under one variant: geometry, threads and their step programs. Shared
/// (immutable) by every state of a run.
/// </summary>
public sealed class Machine
{
    public required Geometry Geometry { get; init; }
    public required Variant Variant { get; init; }
    public required ThreadInfo[] Threads { get; init; }
    public required int LocalsPerThread { get; init; }
    public required int WriteCount { get; init; }
    public bool LegacyMemcg { get; init; }

    /// <summary>The file system under the page cache: its operations table.</summary>
    public required FilesystemOps Fs { get; init; }

    /// <summary>The device thread (it completes bios, and holds the lock of a folio under read I/O), or -1.</summary>
    public int DeviceTid { get; init; } = -1;

    /// <summary>The dropbehind-deferral series' deferral batch capacity (kernel: 31).</summary>
    public int DropbehindBatchCapacity { get; init; } = 2;

    /// <summary>The faults the scenario lets the search inject (<see cref="Variants.Faults"/>).</summary>
    public IReadOnlySet<FaultDef> Faults { get; init; } = new HashSet<FaultDef>();

    /// <summary>
    /// Groups of interchangeable user threads (same operations, none writing data), each of at least
    /// two; empty when symmetry reduction is off or nothing is interchangeable (<see cref="State.KernelState.Canonical"/>).
    /// </summary>
    public IReadOnlyList<int[]> SymmetryClasses { get; init; } = [];

    /// <summary>How many bios each I/O error fault may fail in one run (the scenario's fault_limit).</summary>
    public int FaultLimit { get; init; } = 1;

    /// <summary>
    /// The scenario checks crash-size, so the history keeps which units got data past the on-disk
    /// size (<see cref="State.History.PastDiskEof"/>); other scenarios do not carry it.
    /// </summary>
    public bool TracksCrashSize { get; init; }

    private bool? hasLocalSteps;

    /// <summary>Some thread has a <see cref="Step.Local"/> step (only then does statement merging do anything).</summary>
    public bool HasLocalSteps => hasLocalSteps ??= Threads.Any(t => t.Program.Any(p => p.Local || p.SafeWhen is not null));

    public int ThreadIndex(string name) => Array.FindIndex(Threads, t => t.Name == name);
}
