using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Invariants;

/// <summary>A violated invariant: its stable id and what happened.</summary>
public sealed record Violation(string Invariant, string Message);

/// <summary>
/// One checked property. Safety and history invariants look at the state after every step and
/// at the events the step produced; liveness invariants look at quiescent states (no thread can
/// take a step).
/// </summary>
public abstract class Invariant
{
    public abstract string Id { get; }
    public abstract string Title { get; }
    public abstract string Kind { get; }

    /// <summary>The kernel rule the check encodes, with its source.</summary>
    public abstract string Rationale { get; }

    public virtual Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events) => null;

    public virtual Violation? AtQuiescence(KernelState s) => null;

    protected Violation Fail(string message) => new(Id, message);
}

/// <summary>The invariants by id (docs/scenario-catalog.md, Invariant ids).</summary>
public static class InvariantCatalog
{
    public static readonly IReadOnlyList<Invariant> All =
    [
        new ISizeRegression(),
        new CrashSize(),
        new StaleData(),
        new ReadCoherence(),
        new ZeroedRange(),
        new ErrorReported(),
        new LostWrite(),
        new StablePages(),
        new Deadlock(),
        new BlockedForever(),
        new DropbehindLeak(),
        new FolioFlags(),
    ];

    /// <summary>
    /// The ids a scenario checks when it names none: all but crash-size, which a scenario names to
    /// check. The kernel breaks crash-size by design wherever a later I/O logs a size over earlier
    /// data still in the cache (XFS) or the size is raised at submission (ext4; docs/findings.md),
    /// which is rarely the race a scenario is about.
    /// </summary>
    public static IReadOnlyList<string> DefaultIds { get; } = [.. All.Select(i => i.Id).Where(id => id != "crash-size")];

    public static Invariant? Find(string id) => All.FirstOrDefault(i => i.Id == id);

    public static IReadOnlyList<Invariant> Select(IEnumerable<string> ids) =>
        [.. ids.Select(id => Find(id) ?? throw new ArgumentException($"unknown invariant '{id}'"))];
}

/// <summary>Checks a chosen set of invariants.</summary>
public sealed class InvariantSet(IReadOnlyList<Invariant> invariants)
{
    /// <summary>
    /// The invariants a scenario names, plus folio-flags when it does not name it: a kernel
    /// assertion (VM_BUG_ON) the model reaches is a kernel bug whatever the scenario checks, as TLC
    /// treats a failed assert in a spec as an error whatever invariants are checked. The SPIN peer
    /// model (file.fs: bench) has abstract folios without the kernel's flags: only what it names.
    /// </summary>
    public static InvariantSet For(ScenarioSpec spec)
    {
        var selected = InvariantCatalog.Select(spec.Invariants);
        return spec.File.Bench || selected.Any(i => i is FolioFlags) ? new(selected) : new([.. selected, new FolioFlags()]);
    }

    public IReadOnlyList<Invariant> Items { get; } = invariants;

    public Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        foreach (var inv in Items)
            if (inv.AfterStep(s, events) is { } v) return v;
        return null;
    }

    public Violation? AtQuiescence(KernelState s)
    {
        foreach (var inv in Items)
            if (inv.AtQuiescence(s) is { } v) return v;
        return null;
    }
}
