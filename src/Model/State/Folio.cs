namespace ModelCheck.Model.State;

/// <summary>
/// One page-cache folio: flags, xarray marks, per-block (ifs) bits and the user PTE state.
/// A value type: the state copies folios by value. Data lives in <see cref="KernelState.CacheData"/>.
/// </summary>
public struct Folio
{
    public bool Present;
    /// <summary>PG_locked owner thread, or -1.</summary>
    public sbyte LockOwner;
    /// <summary>Per-block uptodate bits (PG_uptodate is "all set").</summary>
    public byte UptodateMask;
    /// <summary>Per-block ifs dirty bits.</summary>
    public byte DirtyMask;
    public bool Dirty;       // PG_dirty
    public bool Writeback;   // PG_writeback
    public bool Dropbehind;  // PG_dropbehind
    public bool Reclaim;     // PG_reclaim
    public bool TagDirty;    // xarray DIRTY mark
    public bool TagToWrite;  // xarray TOWRITE mark
    public bool TagWriteback;// xarray WRITEBACK mark
    public bool PteMapped;
    /// <summary>Which of the folio's pages have a writable PTE (PTEs are per page, the folio may span several).</summary>
    public byte PteWritablePages;

    /// <summary>Any page writable; setting false write-protects every page.</summary>
    public bool PteWritable
    {
        readonly get => PteWritablePages != 0;
        set => PteWritablePages = value ? (byte)0xFF : (byte)0;
    }
    public bool PteDirty;
    /// <summary>Contents came from DONTCACHE I/O and no other user touched the folio since.</summary>
    public bool DontcacheOrigin;
    /// <summary>Why a dropbehind invalidation was skipped (for the leak message), 0 = none.</summary>
    public byte LeakCause;
    /// <summary>The blocks a writeback bio now in flight carries (for stable-pages and lost-write).</summary>
    public byte WritebackMask;
    /// <summary>The I/O in flight needs stable pages (write-through).</summary>
    public bool StableIo;

    /// <summary>Folio-private buffer heads are attached (folio_buffers; the block device's buffer cache).</summary>
    public bool Buffers;

    /// <summary>Sum of the buffers' b_count: references taken by __find_get_block / __getblk, dropped by brelse.</summary>
    public byte BhRefs;

    /// <summary>BH_Migrate on the head buffer: a norefs migration is under way (2025 on), atomic lookups bail.</summary>
    public bool BhMigrate;

    /// <summary>
    /// Migration copied the folio and replaced it in the mapping, but the buffers still point into the
    /// old folio (before folio_set_bh moves them): a write through a buffer now lands in the old copy.
    /// </summary>
    public bool BhOnOldFolio;

    public readonly bool Locked => LockOwner >= 0;

    public readonly bool Uptodate(Geometry g) => UptodateMask == g.AllBlocksMask;

    public static Folio New(int owner) => new() { Present = true, LockOwner = (sbyte)owner };

    public readonly void Encode(ref Encoder e)
    {
        if (!Present)
        {
            // an absent folio has no state but its lock (the SPIN peer model's locked[] outlives present[])
            e.Byte(0);
            e.Byte((byte)(LockOwner + 1));
            return;
        }
        int flags = 1
            | (Dirty ? 2 : 0) | (Writeback ? 4 : 0) | (Dropbehind ? 8 : 0) | (Reclaim ? 16 : 0)
            | (TagDirty ? 32 : 0) | (TagToWrite ? 64 : 0) | (TagWriteback ? 128 : 0)
            | (PteMapped ? 256 : 0) | (PteWritable ? 512 : 0) | (PteDirty ? 1024 : 0)
            | (DontcacheOrigin ? 2048 : 0) | (StableIo ? 4096 : 0)
            | (Buffers ? 8192 : 0) | (BhMigrate ? 16384 : 0) | (BhOnOldFolio ? 32768 : 0);
        e.Short(flags);
        e.Byte((byte)(LockOwner + 1));
        e.Byte(UptodateMask);
        e.Byte(DirtyMask);
        e.Byte(LeakCause);
        e.Byte(WritebackMask);
        e.Byte(PteWritablePages);
        e.Byte(BhRefs);
    }
}
