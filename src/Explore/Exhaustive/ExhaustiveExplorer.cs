using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Exhaustive;

/// <summary>
/// Breadth-first search over states with a fingerprint set: the first violation found is a
/// shortest one (among the reduced transitions). A result is complete when the whole space within
/// the bounds was explored. Queued states are kept encoded (<see cref="StateQueue"/>) and decoded when expanded.
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

    /// <summary>One transition: with reduction on, the step with its thread's local steps merged after it.</summary>
    private KernelState Execute(KernelState s, int tid, int alt, out StepContext ctx) =>
        PartialOrder ? Semantics.ExecuteMerged(s, tid, alt, out ctx, out _) : Semantics.Execute(s, tid, alt, out ctx, out _);

    public ExploreResult Run(KernelState initial)
    {
        var tree = new SearchTree(initial, bounds, merge: PartialOrder);
        var fp = new Fingerprinter();
        var frontier = new StateQueue();
        var enabled = new List<(int Tid, int Alt)>();

        if (tree.Root(fp.Of(initial), invariants.AfterStep(initial, [])) is { } atRoot) return atRoot;
        frontier.Enqueue(fp.Last, 0);

        while (frontier.TryDequeue(out var encoded, out int id))
        {
            var state = StateDecoder.Decode(initial.Machine, encoded);
            int depth = tree.DepthOf(id);
            int firstLocal = Semantics.Enabled(state, enabled);
            if (enabled.Count == 0)
            {
                if (invariants.AtQuiescence(state) is { } vq) return tree.Stuck(vq, id);
                continue;
            }
            if (depth >= bounds.MaxDepth)
            {
                tree.Truncated = true;
                continue;
            }
            if (PartialOrder && firstLocal is var lt and >= 0)
            {
                var local = Semantics.ExecuteMerged(state, lt, 0, out var lctx, out _);
                tree.Transitions++;
                if (invariants.AfterStep(local, lctx.Events) is { } lv) return tree.Violated(lv, id, lt, 0);
                var stored = tree.AddLocal(fp.Of(local), id, lt, out int known);
                if (stored == Stored.OverBound) break;
                if (stored == Stored.New)
                {
                    frontier.Enqueue(fp.Last, tree.Count - 1);
                    continue; // the ample set {local step}
                }
                if (known > id) continue; // still queued, so not yet expanded: the proviso holds
            }
            foreach (var (tid, alt) in enabled)
            {
                var next = Execute(state, tid, alt, out var ctx);
                tree.Transitions++;
                if (invariants.AfterStep(next, ctx.Events) is { } v) return tree.Violated(v, id, tid, alt);
                var stored = tree.Add(fp.Of(next), id, tid, alt);
                if (stored == Stored.New) frontier.Enqueue(fp.Last, tree.Count - 1);
                else if (stored == Stored.OverBound)
                {
                    frontier.Clear();
                    break;
                }
            }
            tree.Report(Progress, depth);
        }
        return tree.Finish();
    }
}
