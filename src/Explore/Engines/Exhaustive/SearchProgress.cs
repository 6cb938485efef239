namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>
/// A progress sample of the exhaustive search: distinct states stored, transitions taken, states
/// discovered but not yet expanded (the BFS queue), the depth being expanded, seconds elapsed.
/// </summary>
public sealed record SearchProgress(long States, long Transitions, long Queue, int Depth, double Seconds)
{
    public double StatesPerSecond => Seconds > 0 ? States / Seconds : 0;
}
