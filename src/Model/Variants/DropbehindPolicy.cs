namespace ModelCheck.Model.Variants;

/// <summary>DontcacheSync (the flusher-kick series): generic_write_sync's DONTCACHE branch flushes inline or kicks the flusher.</summary>
public sealed class DontcacheSync(string value)
{
    public bool InlineFlush { get; } = value == "inline-flush";
}

/// <summary>DropbehindIrq (the dropbehind-deferral and BIO_COMPLETE_IN_TASK series): what folio_end_dropbehind does outside task context.</summary>
public sealed class DropbehindIrq(string value)
{
    public bool Batches { get; } = value is "global-batch" or "per-cpu-batch";
    public bool PerCpu { get; } = value == "per-cpu-batch";

    /// <summary>BIO_COMPLETE_IN_TASK exists: flagged bios complete from a per-CPU list in task context.</summary>
    public bool CompleteInTask { get; } = value == "complete-in-task";
}

/// <summary>IoendDontcache: how iomap marks a writeback bio that carries dropbehind folios.</summary>
public sealed class IoendDontcache(string value)
{
    /// <summary>IOMAP_IOEND_DONTCACHE from folio_test_dropbehind, a no-merge flag (6.15.3+).</summary>
    public bool IoendFlag { get; } = value == "ioend-flag";

    /// <summary>Willy's per-folio check: the bio is flagged if any folio in it is dropbehind.</summary>
    public bool PerFolio { get; } = value == "per-folio-bio-flag";
}

/// <summary>XfsDontcacheWq: XFS routes DONTCACHE ioends to its completion workqueue (removed by the BIO_COMPLETE_IN_TASK series patch 2/3).</summary>
public sealed class XfsDontcacheWq(string value)
{
    public bool Present { get; } = value == "present";
}

/// <summary>DropbehindRecheck: the 2025 fix re-checks dirty and writeback under the folio lock.</summary>
public sealed class DropbehindRecheck(string value)
{
    public bool On { get; } = value == "on";
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
