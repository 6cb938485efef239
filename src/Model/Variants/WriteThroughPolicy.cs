using ModelCheck.Model.State;

namespace ModelCheck.Model.Variants;

/// <summary>WtWritebackEnd: PG_writeback ends in the bio completion (as posted) or only after ->end_io (as XFS writeback).</summary>
public sealed class WtWritebackEnd(WtWritebackEndMode value)
{
    public bool AtBioEnd { get; } = value == WtWritebackEndMode.AtBioEnd;
}

/// <summary>WtCowConvert: a COW extent over a data-fork hole becomes written at iomap_begin (prototype) or at submission (patch 3/5).</summary>
public sealed class WtCowConvert(WtCowConvertMode value)
{
    public bool AtIomapBegin { get; } = value == WtCowConvertMode.AtIomapBegin;
}

/// <summary>WtDirtyClear: a partial write-through clears PG_dirty unconditionally, or only when no block stays dirty (patch 1/5).</summary>
public sealed class WtDirtyClear(WtDirtyClearMode value)
{
    private readonly bool wholeFolio = value == WtDirtyClearMode.WholeFolio;

    public bool ClearsPgDirty(bool fullyWritten, int dirtyBlocksLeft) => wholeFolio || fullyWritten || dirtyBlocksLeft == 0;
}

/// <summary>WtMkclean: write-through write-protects user PTEs (folio_mkclean) before folio_start_writeback.</summary>
public sealed class WtMkclean(WtMkcleanMode value)
{
    public bool On { get; } = value == WtMkcleanMode.On;
}

/// <summary>
/// WtStableWrites: AS_STABLE_WRITES as one plain bit that every completion clears (as posted), or
/// counted per in-flight write-through and never clearing a bit the device preset.
/// </summary>
public sealed class WtStableWrites(WtStableWritesMode value)
{
    private readonly bool counted = value == WtStableWritesMode.Counted;

    public void Set(ref Inode inode)
    {
        inode.StableWrites = true;
        if (counted) inode.StableCount++;
    }

    public void Clear(ref Inode inode)
    {
        if (!counted)
        {
            inode.StableWrites = false; // mapping_clear_stable_writes
            return;
        }
        inode.StableCount--;
        if (inode.StableCount == 0 && !inode.DeviceStable) inode.StableWrites = false;
    }
}

/// <summary>WtWaitWriteback: iomap_folio_prepare_writethrough waits for writeback already in flight.</summary>
public sealed class WtWaitWriteback(WtWaitWritebackMode value)
{
    public bool Waits { get; } = value == WtWaitWritebackMode.On;
}

/// <summary>WtWqInitError: when sb_init_dio_done_wq fails, patch 4/5 returns without inode_dio_end (leak) or releases it (fixed).</summary>
public sealed class WtWqInitError(WtWqInitErrorMode value)
{
    public bool ReleasesDioRef { get; } = value == WtWqInitErrorMode.Fixed;
}

/// <summary>WtTowrite: whether a write-through that keeps PG_dirty also keeps the TOWRITE mark (keepwrite).</summary>
public sealed class WtTowrite(WtTowriteMode value)
{
    public bool KeepWhenDirty { get; } = value == WtTowriteMode.Keep;
}

/// <summary>The write-through switches of one variant.</summary>
public sealed class WriteThroughPolicy(Variant v)
{
    public WriteThroughDioAccounting Dio { get; } = WriteThroughDioAccounting.For(v.Get(Switches.WtAioDioCount));
    public WtWritebackEnd WritebackEnd { get; } = new(v.Get(Switches.WtWritebackEnd));
    public WtCowConvert CowConvert { get; } = new(v.Get(Switches.WtCowConvert));
    public WtDirtyClear DirtyClear { get; } = new(v.Get(Switches.WtDirtyClear));
    public WtMkclean Mkclean { get; } = new(v.Get(Switches.WtMkclean));
    public WtStableWrites Stable { get; } = new(v.Get(Switches.WtStableWrites));
    public WtWaitWriteback WaitWriteback { get; } = new(v.Get(Switches.WtWaitWriteback));
    public WtWqInitError WqInitError { get; } = new(v.Get(Switches.WtWqInitError));
    public WtTowrite Towrite { get; } = new(v.Get(Switches.WtTowrite));
}
