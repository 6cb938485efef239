namespace ModelCheck.Model.State;

/// <summary>Program counter of one thread (user thread or system actor).</summary>
public struct ThreadCursor
{
    public short Pc;

    public readonly void Encode(ref Encoder e) => e.Small(Pc);
}
