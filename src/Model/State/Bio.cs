namespace ModelCheck.Model.State;

public enum BioKind : byte
{
    /// <summary>iomap writeback ioend (flusher, fsync, DIO flush, sync).</summary>
    Writeback,
    /// <summary>RWF_WRITETHROUGH bio (iomap_writethrough_submit_bio).</summary>
    WriteThrough,
    /// <summary>A synchronous O_DIRECT write's bio (iomap_dio_bio_iter); Owner is the submitter, who waits for it.</summary>
    Direct,
    /// <summary>
    /// A read bio of readahead (iomap_readahead); Data holds, per unit of its blocks, DataTag.None
    /// where the device's read fills the folio at completion (the mapping was sampled at submission).
    /// </summary>
    Read,
}

/// <summary>
/// A bio in flight. Immutable, so states share it. The data is the folio contents snapshotted
/// at submission (the DMA source). Completion order is chosen by the device actor. Completed is
/// only for the SPIN peer model, whose per-folio bio slots (wbdata[f], wbseq[f]) outlive their
/// completion; the kernel model removes a bio when it completes. Error: the device failed it
/// (bi_status BLK_STS_IOERR), as the completion work that still has to run it sees it. Owner: the
/// thread that waits for it by name (an O_DIRECT or write-through submitter), or <see cref="NoOwner"/>.
/// </summary>
public sealed record Bio(
    BioKind Kind,
    int Owner,
    int FirstBlock,
    int BlockCount,
    byte[] Data,
    int[] Folios,
    bool ToCow,
    bool Unwritten,
    int IoEndUnit,
    bool NeedsWq,
    bool Dontcache,
    bool CompleteInTask = false,
    bool Completed = false,
    bool Error = false,
    bool Aio = false)
{
    /// <summary>The owner of a bio or work item nobody waits for by name (writeback, readahead, end_io work).</summary>
    public const int NoOwner = -1;

    public void Encode(ref Encoder e)
    {
        e.Byte((byte)Kind);
        e.Byte((byte)(Owner + 1));
        e.Byte((byte)FirstBlock);
        e.Byte((byte)BlockCount);
        e.Bytes(Data);
        e.Byte((byte)Folios.Length);
        foreach (var f in Folios) e.Byte((byte)f);
        e.Byte((byte)((ToCow ? 1 : 0) | (Unwritten ? 2 : 0) | (NeedsWq ? 4 : 0) | (Dontcache ? 8 : 0) | (CompleteInTask ? 16 : 0) | (Completed ? 32 : 0) | (Error ? 64 : 0) | (Aio ? 128 : 0)));
        e.Short(IoEndUnit);
    }

    public string Describe(Geometry g) =>
        $"bio[{(Kind switch { BioKind.WriteThrough => "wt", BioKind.Direct => "dio", BioKind.Read => "read", _ => "wb" })} blk {FirstBlock}{(BlockCount > 1 ? "-" + (FirstBlock + BlockCount - 1) : "")}" +
        (Kind == BioKind.Read ? "]" : $" = {string.Join(",", Data.Select(DataTag.Name))}]");
}

/// <summary>A FUSE WRITE request queued for the server; Server is the thread handling it, or -1.</summary>
public sealed record FuseRequest(int Folio, int FirstBlock, byte[] Data, bool TempPage, int Server)
{
    public void Encode(ref Encoder e)
    {
        e.Byte((byte)Folio);
        e.Byte((byte)FirstBlock);
        e.Bytes(Data);
        e.Bool(TempPage);
        e.Byte((byte)(Server + 1));
    }
}

public enum WorkKind : byte
{
    /// <summary>xfs_end_io: XFS completion work for append/unwritten/shared ioends.</summary>
    XfsEndIo,
    /// <summary>iomap_writethrough_complete_work on sb->s_dio_done_wq.</summary>
    WriteThroughComplete,
    /// <summary>bio_complete_work_fn: a BIO_COMPLETE_IN_TASK bio's end_io, deferred from IRQ (the BIO_COMPLETE_IN_TASK series).</summary>
    BioCompleteInTask,
    /// <summary>The dropbehind-deferral series' dropbehind work item: drain the batch.</summary>
    DropbehindWork,
    /// <summary>iomap_dio_complete_work on sb->s_dio_done_wq: an asynchronous O_DIRECT write's completion.</summary>
    DioComplete,
}

/// <summary>A folio_end_dropbehind that the context which ended writeback still has to run.</summary>
public readonly record struct PendingDropbehind(int Folio, int Tid, bool PreFix);

/// <summary>A queued work item; immutable.</summary>
public sealed record WorkItem(WorkKind Kind, int Owner, Bio? Ioend)
{
    public void Encode(ref Encoder e)
    {
        e.Byte((byte)Kind);
        e.Byte((byte)(Owner + 1));
        if (Ioend is null) e.Byte(0);
        else
        {
            e.Byte(1);
            Ioend.Encode(ref e);
        }
    }
}

/// <summary>The write-through context (wt_ctx) of one in-flight RWF_WRITETHROUGH call.</summary>
public struct WtCtx
{
    public bool Active;
    public byte Ref;
    public int Pos;         // units
    public int Written;     // units
    public int NewISize;    // units
    public bool Aio;
    public bool Waiting;    // sync: waiter still set
    public bool DioRef;     // took an i_dio_count reference
    public bool Unwritten;  // IOMAP_DIO_UNWRITTEN
    public bool Completed;  // ->end_io ran
    public byte WriteId;
    public byte FolioMask;  // folios whose writeback the ctx still has to end (WtWritebackEnd=after-end-io)
    public bool Cow;        // IOMAP_DIO_COW

    public readonly void Encode(ref Encoder e)
    {
        if (!Active) { e.Byte(0); return; }
        e.Byte((byte)(1 | (Aio ? 2 : 0) | (Waiting ? 4 : 0) | (DioRef ? 8 : 0) | (Unwritten ? 16 : 0) | (Completed ? 32 : 0)));
        e.Byte(Ref);
        e.Short(Pos);
        e.Short(Written);
        e.Short(NewISize);
        e.Byte(WriteId);
        e.Byte(FolioMask);
        e.Bool(Cow);
    }
}
