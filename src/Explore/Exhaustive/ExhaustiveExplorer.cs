using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Exhaustive;

/// <summary>
/// Breadth-first search over states with a fingerprint set: the first violation found is a
/// shortest one (among the reduced transitions). A result is complete when the whole space within
/// the bounds was explored. This is the search of <see cref="ParallelExplorer"/> with the calling
/// thread as its only worker, so one and several workers share every line that decides anything.
/// </summary>
public sealed class ExhaustiveExplorer(InvariantSet invariants, Bounds bounds)
{
    /// <summary>Called about once a second with (states, transitions, depth).</summary>
    public Action<long, long, int>? Progress { get; init; }

    /// <summary>
    /// Partial-order reduction on local steps: where some thread's next step touches only its own
    /// locals and pc (<see cref="Step.Local"/>), that step alone is expanded. It is independent of
    /// every other transition and invisible to every invariant, and it cannot be disabled by others
    /// (ample-set conditions C0-C2). The cycle proviso (C3) holds because the reduced successor must
    /// be new or still queued: when it was already expanded, the state is expanded fully, so every
    /// cycle has a fully expanded state. With it, statement merging: a thread's local steps run as part
    /// of the transition before them (<see cref="Semantics.ExecuteMerged"/>), so no state with a thread
    /// parked before a local step is stored. Off: every state is expanded fully, one step a transition.
    /// </summary>
    public bool PartialOrder { get; init; } = true;

    /// <summary>Memory for queued states before they spill to a temporary file (see <see cref="ParallelExplorer.FrontierMemory"/>).</summary>
    public long FrontierMemory { get; init; } = 1L << 30;

    public ExploreResult Run(KernelState initial) =>
        new ParallelExplorer(invariants, bounds, 1) { Progress = Progress, PartialOrder = PartialOrder, FrontierMemory = FrontierMemory }.Run(initial);
}
