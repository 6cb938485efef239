using ModelCheck.Invariants;

namespace ModelCheck.Explore.Engines.Exhaustive;

public enum Verdict { Holds, Violated, Incomplete }

/// <summary>One scheduling decision: which thread ran, and which of its alternatives.</summary>
public sealed record Choice(string Thread, int Alt, string Function);

public sealed record ExploreResult(
    Verdict Verdict,
    Violation? Violation,
    IReadOnlyList<Choice> Trace,
    long States,
    long Transitions,
    int MaxDepth,
    double Seconds,
    bool Complete)
{
    public double StatesPerSecond => Seconds > 0 ? States / Seconds : States;
}

public sealed record Bounds(int MaxDepth, int MaxStates)
{
    public static readonly Bounds Default = new(400, 2_000_000);
}
