namespace ModelCheck.Model.State;

/// <summary>
/// The smallest summaries of the operation history that the history invariants need
/// (design.md, "Keep history small"). Events themselves go into the trace, not the state.
/// </summary>
public sealed class History
{
    /// <summary>i_size set by the last completed truncate, or -1.</summary>
    public int TruncSize = -1;
    /// <summary>A size-changing operation started since that truncate returned.</summary>
    public bool SizeOpSince;
    /// <summary>Per unit: newest version rank a completed write or completed read established.</summary>
    public int[] Floor = [];
    /// <summary>Per unit: tag of the last completed write that must survive (DataTag.None if none).</summary>
    public byte[] MustSurvive = [];
    /// <summary>Per write id: version rank, assigned when the write starts (0 = not started).</summary>
    public int[] WriteRank = [];
    /// <summary>Per write id in progress: the lowest size a concurrent truncate cut the file to since it started.</summary>
    public int[] WriteCut = [];
    public int NextRank = 1;

    public History Clone() => new()
    {
        TruncSize = TruncSize,
        SizeOpSince = SizeOpSince,
        Floor = (int[])Floor.Clone(),
        MustSurvive = (byte[])MustSurvive.Clone(),
        WriteRank = (int[])WriteRank.Clone(),
        WriteCut = (int[])WriteCut.Clone(),
        NextRank = NextRank,
    };

    public int Rank(byte tag) => DataTag.IsWrite(tag) ? WriteRank[DataTag.WriteId(tag)] : 0;

    public void Encode(ref Encoder e)
    {
        e.Short(TruncSize + 1);
        e.Bool(SizeOpSince);
        foreach (var f in Floor) e.Byte((byte)f);
        e.Bytes(MustSurvive);
        foreach (var r in WriteRank) e.Byte((byte)r);
        foreach (var c in WriteCut) e.Byte((byte)c);
        e.Byte((byte)NextRank);
    }
}
