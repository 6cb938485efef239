using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>The expansion of one queued state: every enabled step, or the ample set of a safe or private step.</summary>
public sealed partial class ParallelExplorer
{
    /// <summary>
    /// Ample sets of private steps (with <see cref="PartialOrder"/>): where some thread's next step,
    /// as it runs in the state at hand, reads and writes nothing but its own pc and private locals and
    /// emits no event (<see cref="Footprint.Private"/>, recorded, not declared), only that step is
    /// expanded. No other thread's step can touch what it touches (the accessors refuse a step that
    /// touches another thread's private locals), so it commutes with all of them in every state
    /// they can reach, none can disable it, and no invariant reads it: a persistent, invisible
    /// ample set; the cycle proviso is the one of the model's safe steps. The private steps that
    /// follow it run in the same transition (<see cref="Semantics.ExecuteMerged"/>). Off: --no-por,
    /// --por-steps safe, or for --reduction-effect.
    /// </summary>
    public bool PrivateSteps { get; init; } = true;

    /// <summary>
    /// With <see cref="PartialOrder"/>: the reduction on the steps the model marks safe (Step.Local,
    /// Step.SafeWhen). Off only to measure what the marks add to the private steps (check --por-steps private).
    /// </summary>
    public bool SafeSteps { get; init; } = true;

    [ThreadStatic]
    private static Footprint? footprint;

    /// <summary>
    /// Runs the enabled steps in order, recording each one's footprint, until one of a thread with a
    /// single alternative is private: then that step alone is the expansion (an ample set, as for a
    /// safe step). Otherwise every step is expanded, the ones already run reused.
    /// </summary>
    private void ExpandPrivateOrFully(in Parent parent, Fingerprinter fp, Expansion x, List<(int Tid, int Alt)> enabled)
    {
        var record = footprint ??= new Footprint();
        var done = ran ??= [];
        done.Clear();
        for (int i = 0; i < enabled.Count; i++)
        {
            var (tid, alt) = enabled[i];
            bool single = (i == 0 || enabled[i - 1].Tid != tid) && (i + 1 == enabled.Count || enabled[i + 1].Tid != tid);
            var next = Execute(parent.State, tid, alt, out var ctx, single ? record : null);
            if (single && record.Private)
            {
                x.Local = true;
                Successor(parent, tid, alt, fp, x, next, ctx);
                done.Clear();
                return;
            }
            done.Add((next, ctx));
        }
        for (int i = 0; i < enabled.Count; i++)
            if (!Successor(parent, enabled[i].Tid, enabled[i].Alt, fp, x, done[i].Next, done[i].Ctx)) break;
        done.Clear();
    }

    [ThreadStatic]
    private static List<(KernelState Next, StepContext Ctx)>? ran;

    private void Expand(in Parent parent, int depth, Fingerprinter fp, List<(int Tid, int Alt)> enabled, Expansion x)
    {
        var state = parent.State;
        Visit?.Invoke(state);
        int firstLocal = Semantics.Enabled(state, enabled, findSafe: PartialOrder && SafeSteps);
        if (enabled.Count == 0)
        {
            x.Terminal = true;
            x.Quiescent = invariants.AtQuiescence(state);
        }
        else if (depth >= bounds.MaxDepth) x.AtBound = true;
        else if (PartialOrder && firstLocal is var lt and >= 0)
        {
            x.Local = true;
            foreach (var (tid, alt) in enabled)
                if (tid == lt && !Successor(parent, tid, alt, fp, x)) break;
        }
        else if (PartialOrder && PrivateSteps) ExpandPrivateOrFully(parent, fp, x, enabled);
        else ExpandFully(parent, fp, x, enabled);
    }

    /// <summary>Adds the successor by (tid, alt) to x; false when it breaks an invariant (its encoding is not kept).</summary>
    private bool Successor(in Parent parent, int tid, int alt, Fingerprinter fp, Expansion x)
    {
        var next = Execute(parent.State, tid, alt, out var ctx);
        return Successor(parent, tid, alt, fp, x, next, ctx);
    }

    /// <summary>As above, for a step already run: next is its state, ctx its context.</summary>
    private bool Successor(in Parent parent, int tid, int alt, Fingerprinter fp, Expansion x, KernelState next, StepContext ctx)
    {
        if (invariants.AfterStep(next, ctx.Events) is { } v)
        {
            x.Add(tid, alt, default, [], v);
            return false;
        }
        var f = Key(next, fp.Of(next, parent.State, parent.Bytes, parent.Parts));
        x.Add(tid, alt, f, fp.Last, null);
        return true;
    }

    /// <summary>Every enabled step (but thread skip's), up to and including the first that breaks an invariant.</summary>
    private void ExpandFully(in Parent parent, Fingerprinter fp, Expansion x, List<(int Tid, int Alt)>? enabled, int skip = -1)
    {
        if (enabled is null)
        {
            enabled = [];
            Semantics.Enabled(parent.State, enabled);
        }
        foreach (var (tid, alt) in enabled)
            if (tid != skip && !Successor(parent, tid, alt, fp, x)) return;
    }
}
