using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Traces;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Runs;

/// <summary>Checkpoints of a long exhaustive search (<see cref="ParallelExplorer.CheckpointFile"/>): where, how often, resume or not, and the interrupt that writes one and stops.</summary>
public sealed record Checkpointing(string? File, TimeSpan Every, bool Resume, CancellationToken Interrupt);

/// <summary>Runs the exhaustive engine on one scenario under one variant and saves the trace.</summary>
public static class Checker
{
    public static (RunRow Row, ExploreResult Result, TraceFile? Trace) Check(
        ScenarioSpec spec, Variant variant, Bounds? bounds = null, string? traceOut = null,
        ExpectSpec? expect = null, Action<SearchProgress>? progress = null, bool partialOrder = true, int workers = 1,
        long frontierMemory = 1L << 30, long? maxMemory = null, Checkpointing? checkpoint = null, bool symmetry = true, bool privateSteps = true, bool safeSteps = true,
        int? preemptionBound = null)
    {
        var initial = MachineBuilder.Build(spec, variant);
        var invariants = InvariantSet.For(spec);
        var b = bounds ?? new Bounds(spec.Bounds.MaxDepth, spec.Bounds.MaxStates);
        var explorer = new ParallelExplorer(invariants, b, workers)
        {
            Progress = progress, PartialOrder = partialOrder, PrivateSteps = privateSteps, SafeSteps = safeSteps, Symmetry = symmetry, FrontierMemory = frontierMemory, MaxMemory = maxMemory ?? ParallelExplorer.DefaultMaxMemory,
            CheckpointFile = checkpoint?.File, CheckpointEvery = checkpoint?.Every ?? TimeSpan.FromMinutes(5), Resume = checkpoint?.Resume ?? false,
            Interrupt = checkpoint?.Interrupt ?? default,
            CheckpointKey = $"{spec.Id} {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(spec.SourceText)))} " +
                            $"{variant} depth {b.MaxDepth} states {b.MaxStates} reduction {partialOrder} private {privateSteps} safe {safeSteps} symmetry {symmetry}",
        };
        PreemptionBoundedExplorer? bounded = preemptionBound is { } k ? new(invariants, b, k) { MaxMemory = maxMemory ?? ParallelExplorer.DefaultMaxMemory } : null;
        var result = bounded?.Run(initial) ?? explorer.Run(initial);
        TraceFile? trace = null;
        if (result.Violation is { } v)
        {
            trace = TraceFile.Of(spec, variant, "exhaustive", 0, result.Trace, v);
            if (traceOut is not null) trace.Save(traceOut);
        }
        string verdict = result.Verdict switch
        {
            Verdict.Violated => "violated",
            Verdict.Holds => "holds",
            _ => "incomplete",
        };
        string? expected = expect is null ? null : expect.Violates is null ? "holds" : "violates " + expect.Violates;
        bool? asExpected = expect is null ? null
            : expect.Violates is null ? result.Verdict == Verdict.Holds
            : result.Violation?.Invariant == expect.Violates;
        var row = new RunRow
        {
            Scenario = spec.Id, Variant = variant.Explicit, Engine = "exhaustive", Verdict = verdict,
            Invariant = result.Violation?.Invariant, Message = result.Violation?.Message, Complete = result.Complete,
            States = result.States, Transitions = result.Transitions, Depth = result.MaxDepth, TraceLength = result.Trace.Count,
            Seconds = Math.Round(result.Seconds, 3), StatesPerSecond = Math.Round(result.StatesPerSecond),
            BytesPerState = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / Math.Max(1, result.States),
            Reduction = bounded is null ? Reduction(initial.Machine, partialOrder, symmetry, privateSteps, safeSteps)
                : $"preemption-bounded: every schedule with at most {preemptionBound} preemptions (a step by another thread while the last one could go on), " +
                  $"{bounded.DistinctStates:N0} distinct kernel states, each stored once per thread that ran last; no partial-order or symmetry reduction",
            PreemptionBound = preemptionBound,
            Preemptions = bounded?.ViolationPreemptions,
            Trace = trace is null ? null : traceOut, Expected = expected, AsExpected = asExpected,
            StoppedBy = result.Complete || result.Violation is not null ? null
                : explorer.Interrupted ? "interrupted" : explorer.StoppedByMemory || bounded?.StoppedByMemory == true ? "max-memory" : "max-states or max-depth",
        };
        return (row, result, trace);
    }

    public static string PortablePath(string path) => TraceFile.PortablePath(path);

    /// <summary>
    /// How many states each reduction that applied to a search removed: the search again without
    /// it (symmetry; the private steps; with the model's safe steps, the whole partial-order
    /// reduction; one at a time, the others left as they were), compared with reduced, the row of
    /// the reduced search. Null when no reduction applied. A different verdict without a reduction
    /// is reported as such: it would mean the reduction is unsound.
    /// </summary>
    public static string? ReductionEffect(ScenarioSpec spec, Variant variant, Bounds bounds, RunRow reduced, bool partialOrder, bool symmetry, int workers = 1)
    {
        var m = MachineBuilder.Build(spec, variant).Machine;
        var parts = new List<string>();
        void Without(string name, bool por, bool sym, bool priv = true)
        {
            var (row, _, _) = Check(spec, variant, bounds, partialOrder: por, workers: workers, symmetry: sym, privateSteps: priv);
            long with = reduced.States ?? 0, without = row.States ?? 0;
            string effect = row.Verdict switch
            {
                // both searches stop at their first violation: states up to it, not the whole space
                "violated" => $"without {name} the search found {row.Invariant} after {without:N0} states (with it: {with:N0})",
                "incomplete" => $"without {name} the search stopped at its bound after {without:N0} states: {name} removed at least {Math.Max(0, without - with):N0}",
                _ => $"{name} removed {without - with:N0} of {without:N0} states ({(double)without / Math.Max(1, with):0.00}x fewer)",
            };
            if (row.Verdict != "incomplete" && reduced.Verdict != "incomplete" && (row.Verdict != reduced.Verdict || row.Invariant != reduced.Invariant))
                effect += $"; THE VERDICT DIFFERS without it: {row.Verdict} {row.Invariant} (report this: the reduction is unsound here)";
            parts.Add(effect);
        }
        if (symmetry && m.SymmetryClasses.Count > 0) Without("symmetry", partialOrder, false);
        if (partialOrder) Without("the private steps", true, symmetry, priv: false);
        if (partialOrder && m.HasLocalSteps) Without("partial-order reduction (safe and private steps)", false, symmetry);
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>
    /// What persistent sets knowing every thread's future would store (<see cref="PersistentSetBound"/>:
    /// the unreduced search learns the futures, a second search uses them), against the unreduced
    /// search, and what refused the sets in the states where none was smaller than the full
    /// expansion. reduced is the row of the search as run; a different verdict of the bound search is
    /// reported (it would mean a footprint the recording missed).
    /// </summary>
    public static string ReductionBound(ScenarioSpec spec, Variant variant, Bounds bounds, RunRow reduced)
    {
        var r = PersistentSetBound.Measure(MachineBuilder.Build(spec, variant), InvariantSet.For(spec), bounds.MaxStates);
        if (!r.Learned) return $"none: the unreduced search stopped at its bound after {r.FullStates:N0} states, so the threads' futures are not known";
        string found = r.Violation is { } v
            ? $"with them the search found {v.Invariant} after {r.BoundStates:N0} states"
            : $"persistent sets knowing every thread's future (learned from the unreduced search of {r.FullStates:N0} states) store {r.BoundStates:N0} ({(double)r.FullStates / Math.Max(1, r.BoundStates):0.00}x fewer)";
        long refused = r.Refusals.Values.Sum();
        string why = refused == 0 ? "" : "; in the states no smaller set could expand, the set grown from each enabled thread was refused: " +
            string.Join(", ", r.Refusals.Where(x => x.Value > 0).Select(x => $"{x.Key} {100.0 * x.Value / refused:0}%")) +
            $" of {refused:N0} (invariants read {Footprint.Describe(r.InvariantReads)})";
        string verdict = r.Violation is null ? "holds" : "violated";
        if (reduced.Verdict != "incomplete" && (reduced.Verdict != verdict || reduced.Invariant != r.Violation?.Invariant))
            why += $"; THE VERDICT DIFFERS from the search's {reduced.Verdict} {reduced.Invariant} (report this: a footprint is missing)";
        return $"{found}, {r.Reduced:N0} of them expanded by a smaller set{why}; with no step visible (sound for deadlocks only) {r.BlindStates:N0} states " +
               $"({(double)r.FullStates / Math.Max(1, r.BlindStates):0.00}x fewer)";
    }

    /// <summary>
    /// What the search's reductions are: partial-order reduction on the steps that turn out private
    /// as they run (their recorded footprint is their own thread's pc and locals: expanded alone, the
    /// private steps after one in the same transition) and on the steps the model marks safe
    /// (Step.Local, Step.SafeWhen; the kernel model marks none), and symmetry over interchangeable
    /// threads (the same operations, none writing data).
    /// </summary>
    public static string Reduction(Model.Steps.Machine m, bool partialOrder, bool symmetry = true, bool privateSteps = true, bool safeSteps = true)
    {
        int safe = m.Threads.Sum(t => t.Program.Count(p => p.Local || p.SafeWhen is not null));
        string por = !partialOrder ? "off (--no-por)"
            : (privateSteps ? "partial-order reduction on private steps (recorded footprints)" : "private steps off")
              + (safe == 0 ? "" : safeSteps ? $" and statement merging of {safe} safe steps" : $" (the model's {safe} safe steps not used)");
        if (m.SymmetryClasses.Count == 0) return por;
        string classes = string.Join("; ", m.SymmetryClasses.Select(c => string.Join(", ", c.Select(t => m.Threads[t].Name))));
        return por + (symmetry ? $"; symmetry over interchangeable threads {classes}" : $"; symmetry off (--no-symmetry; interchangeable: {classes})");
    }
}
