namespace ModelCheck.Model.Variants;

/// <summary>DontcacheSync (the flusher-kick series): generic_write_sync's DONTCACHE branch flushes inline or kicks the flusher.</summary>
public sealed class DontcacheSync(DontcacheSyncMode value)
{
    public bool InlineFlush { get; } = value == DontcacheSyncMode.InlineFlush;
}

/// <summary>DropbehindIrq (the dropbehind-deferral and BIO_COMPLETE_IN_TASK series): what folio_end_dropbehind does outside task context.</summary>
public sealed class DropbehindIrq(DropbehindIrqMode value)
{
    public bool Batches { get; } = value is DropbehindIrqMode.GlobalBatch or DropbehindIrqMode.PerCpuBatch;
    public bool PerCpu { get; } = value == DropbehindIrqMode.PerCpuBatch;

    /// <summary>BIO_COMPLETE_IN_TASK exists: flagged bios complete from a per-CPU list in task context.</summary>
    public bool CompleteInTask { get; } = value == DropbehindIrqMode.CompleteInTask;
}

/// <summary>IoendDontcache: how iomap marks a writeback bio that carries dropbehind folios.</summary>
public sealed class IoendDontcache(IoendDontcacheMode value)
{
    /// <summary>IOMAP_IOEND_DONTCACHE from folio_test_dropbehind, a no-merge flag (6.15.3+).</summary>
    public bool IoendFlag { get; } = value == IoendDontcacheMode.IoendFlag;

    /// <summary>Willy's per-folio check: the bio is flagged if any folio in it is dropbehind.</summary>
    public bool PerFolio { get; } = value == IoendDontcacheMode.PerFolioBioFlag;
}

/// <summary>XfsDontcacheWq: XFS routes DONTCACHE ioends to its completion workqueue (removed by the BIO_COMPLETE_IN_TASK series patch 2/3).</summary>
public sealed class XfsDontcacheWq(XfsDontcacheWqMode value)
{
    public bool Present { get; } = value == XfsDontcacheWqMode.Present;
}

/// <summary>DropbehindRecheck: the 2025 fix re-checks dirty and writeback under the folio lock.</summary>
public sealed class DropbehindRecheck(DropbehindRecheckMode value)
{
    public bool On { get; } = value == DropbehindRecheckMode.On;
}

/// <summary>The dropbehind and DONTCACHE switches of one variant.</summary>
public sealed class DropbehindPolicy(Variant v)
{
    public DontcacheSync Sync { get; } = new(v.Get(Switches.DontcacheSync));
    public DropbehindIrq Irq { get; } = new(v.Get(Switches.DropbehindIrq));
    public IoendDontcache Ioend { get; } = new(v.Get(Switches.IoendDontcache));
    public XfsDontcacheWq XfsWq { get; } = new(v.Get(Switches.XfsDontcacheWq));
    public DropbehindRecheck Recheck { get; } = new(v.Get(Switches.DropbehindRecheck));
}
