using ModelCheck.Explore.Engines.Generate;
using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Properties;

/// <summary>
/// A reduction's soundness on generated scenarios: the search with it and the search without it
/// end with the same verdict and the same violated invariant, and with it never store more states.
/// Counts what it compared, and where both hold, the states each stored.
/// </summary>
internal sealed class VerdictComparison(string reduction)
{
    public int Compared { get; private set; }

    /// <summary>Searches where the reduction stored fewer states.</summary>
    public int Reduced { get; private set; }

    public long States { get; private set; }

    public long StatesWithout { get; private set; }

    /// <summary>True (for FsCheck); throws naming the scenario where the two differ.</summary>
    public bool Same(GenScenario g, RunRow with, RunRow without)
    {
        if (with.Verdict == "incomplete" || without.Verdict == "incomplete") return true;
        Compared++;
        if (with.Verdict != without.Verdict || with.Invariant != without.Invariant)
            throw new InvalidOperationException($"{g}: {with.Verdict} {with.Invariant} with {reduction}, {without.Verdict} {without.Invariant} without");
        if (with.Verdict != "holds") return true;
        if (with.States > without.States) throw new InvalidOperationException($"{g}: {with.States} states with {reduction}, {without.States} without");
        if (with.States < without.States) Reduced++;
        States += with.States ?? 0;
        StatesWithout += without.States ?? 0;
        return true;
    }
}
