using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>
/// Breadth-first search over states with a fingerprint set: the first violation found is a
/// shortest one (among the reduced transitions). A result is complete when the whole space within
/// the bounds was explored. This is the search of <see cref="ParallelExplorer"/> with the calling
/// thread as its only worker, so one and several workers share every line that decides anything.
/// </summary>
public sealed class ExhaustiveExplorer(InvariantSet invariants, Bounds bounds)
{
    /// <summary>Called about once a second with (states, transitions, depth).</summary>
    public Action<SearchProgress>? Progress { get; init; }

    /// <summary>
    /// Partial-order reduction on safe steps (<see cref="Step.IsSafe"/>): where some thread's next
    /// step is safe, only that thread's alternatives of it are expanded. Such a step commutes with
    /// every step the others can take before it, cannot be disabled by them, and is invisible to
    /// every invariant (ample-set conditions C0-C2). The cycle proviso (C3) holds because every
    /// reduced successor must be new or still queued: when one was already expanded, the state is
    /// expanded fully, so every cycle has a fully expanded state. With it, statement merging: a
    /// thread's safe steps run as part of the transition before them
    /// (<see cref="Semantics.ExecuteMerged"/>), so no state with a thread parked before a safe step is
    /// stored. Off: every state is expanded fully, one step a transition.
    /// </summary>
    public bool PartialOrder { get; init; } = true;

    /// <summary>Symmetry reduction over interchangeable threads (<see cref="ParallelExplorer.Symmetry"/>).</summary>
    public bool Symmetry { get; init; } = true;

    /// <summary>Memory for queued states before they spill to a temporary file (see <see cref="ParallelExplorer.FrontierMemory"/>).</summary>
    public long FrontierMemory { get; init; } = 1L << 30;

    public ExploreResult Run(KernelState initial) =>
        new ParallelExplorer(invariants, bounds, 1) { Progress = Progress, PartialOrder = PartialOrder, Symmetry = Symmetry, FrontierMemory = FrontierMemory }.Run(initial);
}
