using System.Diagnostics;
using ModelCheck.Invariants;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Exhaustive;

/// <summary>
/// Breadth-first search over states with a fingerprint set: the first violation found is a
/// shortest one (among the reduced transitions). A result is complete when the whole space within
/// the bounds was explored. Queued states are kept encoded and decoded when expanded.
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
    /// cycle has a fully expanded state. Off: every state is expanded fully.
    /// </summary>
    public bool PartialOrder { get; init; } = true;

    public ExploreResult Run(KernelState initial)
    {
        var sw = Stopwatch.StartNew();
        var fp = new Fingerprinter();
        var seen = new FingerprintTable(); // fingerprint -> node id (BFS expands in id order)
        var nodes = new List<SearchNode>();
        var frontier = new Queue<(byte[] State, int Id)>(); // encoded: one object per queued state
        var enabled = new List<(int Tid, int Alt)>();
        long transitions = 0;
        int maxDepth = 0;
        bool truncated = false;
        long nextProgress = 1000;

        seen.TryAdd(fp.Of(initial), 0);
        nodes.Add(new SearchNode(-1, 0, 0, 0));
        if (invariants.AfterStep(initial, []) is { } v0)
            return Done(Verdict.Violated, v0, [], 1, 0, 0, sw, complete: true);
        frontier.Enqueue((initial.EncodeToArray(), 0));

        while (frontier.Count > 0)
        {
            var (encoded, id) = frontier.Dequeue();
            var state = StateDecoder.Decode(initial.Machine, encoded);
            int depth = nodes[id].Depth;
            Semantics.Enabled(state, enabled);
            if (enabled.Count == 0)
            {
                if (invariants.AtQuiescence(state) is { } vq)
                    return Done(Verdict.Violated, vq, SearchNode.Path(nodes, id, initial), seen.Count, transitions, maxDepth, sw, complete: false);
                continue;
            }
            if (depth >= bounds.MaxDepth)
            {
                truncated = true;
                continue;
            }
            if (PartialOrder && Semantics.FirstLocal(state) is var lt and >= 0)
            {
                var local = Semantics.Execute(state, lt, 0, out var lctx, out _);
                transitions++;
                if (invariants.AfterStep(local, lctx.Events) is { } lv)
                {
                    nodes.Add(new SearchNode(id, (byte)lt, 0, depth + 1));
                    return Done(Verdict.Violated, lv, SearchNode.Path(nodes, nodes.Count - 1, initial), seen.Count, transitions, Math.Max(maxDepth, depth + 1), sw, complete: false);
                }
                var lf = fp.Of(local);
                if (!seen.TryGetValue(lf, out int known))
                {
                    if (seen.Count + 1 > bounds.MaxStates)
                    {
                        truncated = true;
                        break;
                    }
                    nodes.Add(new SearchNode(id, (byte)lt, 0, depth + 1));
                    seen.TryAdd(lf, nodes.Count - 1);
                    maxDepth = Math.Max(maxDepth, depth + 1);
                    frontier.Enqueue((fp.LastEncoding(), nodes.Count - 1));
                    continue; // the ample set {local step}
                }
                if (known > id) continue; // still queued, so not yet expanded: the proviso holds
            }
            foreach (var (tid, alt) in enabled)
            {
                var next = Semantics.Execute(state, tid, alt, out var ctx, out _);
                transitions++;
                if (invariants.AfterStep(next, ctx.Events) is { } v)
                {
                    nodes.Add(new SearchNode(id, (byte)tid, (byte)alt, depth + 1));
                    return Done(Verdict.Violated, v, SearchNode.Path(nodes, nodes.Count - 1, initial), seen.Count, transitions, Math.Max(maxDepth, depth + 1), sw, complete: false);
                }
                if (!seen.TryAdd(fp.Of(next), nodes.Count)) continue; // the id it gets just below
                if (seen.Count > bounds.MaxStates)
                {
                    truncated = true;
                    frontier.Clear();
                    break;
                }
                nodes.Add(new SearchNode(id, (byte)tid, (byte)alt, depth + 1));
                maxDepth = Math.Max(maxDepth, depth + 1);
                frontier.Enqueue((fp.LastEncoding(), nodes.Count - 1));
            }
            if (Progress is not null && sw.ElapsedMilliseconds >= nextProgress)
            {
                nextProgress = sw.ElapsedMilliseconds + 1000;
                Progress(seen.Count, transitions, depth);
            }
        }
        return Done(truncated ? Verdict.Incomplete : Verdict.Holds, null, [], seen.Count, transitions, maxDepth, sw, complete: !truncated);
    }

    private static ExploreResult Done(Verdict verdict, Violation? v, IReadOnlyList<Choice> trace, long states, long transitions, int depth, Stopwatch sw, bool complete) =>
        new(verdict, v, trace, states, transitions, depth, sw.Elapsed.TotalSeconds, complete);
}
