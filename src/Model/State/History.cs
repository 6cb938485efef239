namespace ModelCheck.Model.State;

/// <summary>
/// The smallest summaries of the operation history that the history invariants need
/// (docs/design.md, "Keep history small"). Events themselves go into the trace, not the state.
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
    /// <summary>
    /// Per unit and write id: when that write's data landed in that unit (0 = never). A unit's
    /// versions are ordered by landing, so concurrent writes are ordered as the cache saw them.
    /// </summary>
    public int[] UnitRank = [];
    public int Writes;
    /// <summary>Per write id in progress: the lowest size a concurrent truncate cut the file to since it started.</summary>
    public int[] WriteCut = [];
    public int NextRank = 1;
    /// <summary>
    /// Per unit: the rank at which an operation that returned defined the unit as zero (a hole
    /// punched over it), or 0. Zeros read there are that version; anything older under it is not.
    /// </summary>
    public int[] ZeroRank = [];
    /// <summary>Per thread (a bit each): its open file has a writeback error owed to its next fsync.</summary>
    public int ErrOwed;
    /// <summary>A writeback error happened that no fsync has reported to anybody yet.</summary>
    public bool ErrUnreported;
    /// <summary>Per unit: the data a failed writeback bio lost there (DataTag.None: none); a write completing later owes nothing for it.</summary>
    public byte[] ErrLost = [];
    /// <summary>
    /// Per unit, kept only when a scenario checks crash-size (else empty): 1 when write data landed
    /// there while the unit lay at or past the on-disk size, so a crash recovering a size over it
    /// must find that data (or a later version) on disk, not a hole or unwritten block.
    /// </summary>
    public byte[] PastDiskEof = [];

    public History Clone() => new()
    {
        TruncSize = TruncSize,
        SizeOpSince = SizeOpSince,
        Floor = Floor.AsSpan().ToArray(),
        MustSurvive = MustSurvive.AsSpan().ToArray(),
        UnitRank = UnitRank.AsSpan().ToArray(),
        Writes = Writes,
        WriteCut = WriteCut.AsSpan().ToArray(),
        NextRank = NextRank,
        ZeroRank = ZeroRank.AsSpan().ToArray(),
        ErrOwed = ErrOwed,
        ErrUnreported = ErrUnreported,
        ErrLost = ErrLost.AsSpan().ToArray(),
        PastDiskEof = PastDiskEof.AsSpan().ToArray(),
    };

    public int Rank(int unit, byte tag) =>
        DataTag.IsWrite(tag) ? UnitRank[(unit * (Writes + 1)) + DataTag.WriteId(tag)]
        : tag == DataTag.Zero && unit < ZeroRank.Length ? ZeroRank[unit]
        : 0;

    /// <summary>The floor of this unit is the zeros a returned operation defined (not a write or a read).</summary>
    public bool FloorIsZeroing(int unit, int floor) => floor > 0 && unit < ZeroRank.Length && ZeroRank[unit] == floor;

    public void Landed(int unit, byte tag)
    {
        if (!DataTag.IsWrite(tag) || DataTag.WriteId(tag) == 0) return;
        UnitRank[(unit * (Writes + 1)) + DataTag.WriteId(tag)] = NextRank++;
    }

    public void Encode(ref Encoder e)
    {
        e.Short(TruncSize + 1);
        e.Bool(SizeOpSince);
        e.Smalls(Floor);
        e.Bytes(MustSurvive);
        e.Smalls(UnitRank);
        foreach (var c in WriteCut) e.Byte((byte)c);
        e.Smalls(ZeroRank);
        e.Short(NextRank);
        e.Int(ErrOwed);
        e.Bool(ErrUnreported);
        e.Bytes(ErrLost);
        e.Bytes(PastDiskEof);
    }
}
