namespace ModelCheck.Model.Variants;

/// <summary>One value of a switch: its name as written in variants and expect lines, and what the kernel does with it.</summary>
public sealed record SwitchValue(string Name, string Meaning);

/// <summary>A named kernel behaviour a patch thread (or its review) changes, with its named values.</summary>
public sealed record SwitchDef(string Name, IReadOnlyList<SwitchValue> Choices, string Default, string Meaning)
{
    /// <summary>The value names, in the order they are documented.</summary>
    public IReadOnlyList<string> Values { get; } = Choices.Select(c => c.Name).ToArray();

    public SwitchValue Value(string name) => Choices.First(c => c.Name == name);
}

/// <summary>
/// The switches the model implements (docs/scenario-catalog.md, Switches). `modelcheck switches`
/// and docs/variants.md are generated from these declarations.
/// </summary>
public static class Switches
{
    private static SwitchValue V(string name, string meaning) => new(name, meaning);

    public static readonly SwitchDef WtAioDioCount = new("WtAioDioCount",
        [V("off", "aio write-through takes no i_dio_count reference: patch 4/5 without its inode_dio_begin/end (an ablation; patch 2/5 rejects aio)"),
         V("on", "aio write-through holds an i_dio_count reference from submission to its ->end_io (patch 4/5), so truncate's inode_dio_wait waits for it")],
        "on", "aio write-through takes an i_dio_count reference (the write-through series patch 4/5)");

    public static readonly SwitchDef WtWritebackEnd = new("WtWritebackEnd",
        [V("at-bio-end", "PG_writeback ends in the bio completion, before ->end_io converts unwritten extents and raises i_size (as posted)"),
         V("after-end-io", "PG_writeback ends only after ->end_io, as XFS's ordinary writeback does")],
        "at-bio-end", "where write-through ends PG_writeback relative to ->end_io");

    public static readonly SwitchDef WtCowConvert = new("WtCowConvert",
        [V("at-iomap-begin", "a COW extent over a data-fork hole is converted to written when the write maps it (the earlier prototype)"),
         V("at-submit", "the conversion happens at bio submission, after the data is in the folio (the write-through series patch 3/5)")],
        "at-submit", "when a COW extent over a data-fork hole is converted to written");

    public static readonly SwitchDef WtDirtyClear = new("WtDirtyClear",
        [V("whole-folio", "a partial write-through clears PG_dirty unconditionally"),
         V("per-block", "PG_dirty is cleared only when no block of the folio stays dirty (folio_clear_dirty_for_writethrough, patch 1/5)")],
        "per-block", "how a partial write-through clears PG_dirty");

    public static readonly SwitchDef WtMkclean = new("WtMkclean",
        [V("off", "write-through starts writeback with user PTEs still writable"),
         V("on", "write-through write-protects user PTEs (folio_mkclean) before starting writeback")],
        "on", "write-through write-protects user mappings before its I/O");

    public static readonly SwitchDef WtStableWrites = new("WtStableWrites",
        [V("plain-bit", "AS_STABLE_WRITES is set at submission and cleared at completion as one mapping bit (as posted): the first completion clears it for every other I/O and for a device's preset bit"),
         V("counted", "stable writes are counted per in-flight write-through and a device's preset bit is preserved")],
        "plain-bit", "how write-through sets and clears the mapping's stable-writes bit");

    public static readonly SwitchDef WtWaitWriteback = new("WtWaitWriteback",
        [V("off", "write-through calls folio_start_writeback on a folio that may already be under writeback (VM_BUG_ON_FOLIO in the kernel)"),
         V("on", "write-through waits for writeback already in flight on the folio before starting its own")],
        "on", "write-through waits for writeback in flight");

    public static readonly SwitchDef WtWqInitError = new("WtWqInitError",
        [V("leak", "when the dio-done workqueue cannot be allocated, patch 4/5 returns without inode_dio_end: i_dio_count leaks"),
         V("fixed", "the error path releases the i_dio_count reference")],
        "leak", "the dio-done workqueue allocation failure path of patch 4/5");

    public static readonly SwitchDef FuseWriteback = new("FuseWriteback",
        [V("temp-page", "FUSE copies each dirty folio to a temporary page and ends writeback at once (up to 0c58a97f919c)"),
         V("no-temp-page", "no temporary page: writeback lasts until the server answers the WRITE, and nothing skips the wait"),
         V("no-temp-page+indeterminate", "no temporary page plus AS_WRITEBACK_INDETERMINATE as posted: reclaim, sync(2) and migration skip the wait"),
         V("no-temp-page+merged-flag", "no temporary page plus the flag as merged: only reclaim skips the wait")],
        "no-temp-page+merged-flag", "FUSE writeback with or without temporary pages, and which waits the mapping flag skips (the FUSE temp-page series)");

    public static readonly SwitchDef FuseSync = new("FuseSync",
        [V("wait", "sync(2)/syncfs waits for the inode's writeback (wait_sb_inodes)"),
         V("no-data-integrity", "the super block has SB_I_NO_DATA_INTEGRITY: sync_inodes_sb only wakes the flusher and does not wait (76f9377cd2ab, stable 6.18)")],
        "wait", "whether sync(2) on FUSE waits for writeback");

    public static readonly SwitchDef ReadLock = new("ReadLock",
        [V("i-rwsem-shared", "a buffered read holds the i_rwsem shared (XFS: xfs_file_buffered_read)"),
         V("none", "a buffered read takes no inode lock (ext4 and most file systems: generic_file_read_iter)")],
        "i-rwsem-shared", "the inode lock a buffered read takes");

    public static readonly SwitchDef DontcacheSync = new("DontcacheSync",
        [V("inline-flush", "generic_write_sync's DONTCACHE branch writes the range back in the writer (filemap_flush_range, 6.14 on)"),
         V("kick-flusher", "it only wakes the flusher, which does the writeback (the flusher-kick series)")],
        "kick-flusher", "who writes back after a DONTCACHE write");

    public static readonly SwitchDef DropbehindIrq = new("DropbehindIrq",
        [V("skip", "folio_end_dropbehind outside task context skips the invalidation: the folio stays cached (6.14 on)"),
         V("global-batch", "it defers the folio to one global batch drained by a worker; a full batch skips (the dropbehind-deferral series v2)"),
         V("per-cpu-batch", "it defers to per-CPU batches (v3); a full batch skips"),
         V("complete-in-task", "the bio completes in task context (BIO_COMPLETE_IN_TASK), so the invalidation runs, still with a trylock that may fail")],
        "complete-in-task", "what folio_end_dropbehind does outside task context (the dropbehind-deferral and BIO_COMPLETE_IN_TASK series)");

    public static readonly SwitchDef IoendDontcache = new("IoendDontcache",
        [V("none", "iomap does not mark ioends that carry dropbehind folios: they complete in IRQ like any other (6.15-rc to 6.15.2)"),
         V("ioend-flag", "IOMAP_IOEND_DONTCACHE marks the ioend and such ioends are not merged with others (6.15.3 on)"),
         V("per-folio-bio-flag", "each folio is checked and the bio flagged when any is dropbehind (suggested in review)")],
        "ioend-flag", "how iomap marks a writeback bio that carries dropbehind folios");

    public static readonly SwitchDef XfsDontcacheWq = new("XfsDontcacheWq",
        [V("present", "XFS routes DONTCACHE ioends to its completion workqueue (task context)"),
         V("removed", "the routing is removed (the BIO_COMPLETE_IN_TASK series patch 2/3): the bio flag must move the completion instead")],
        "removed", "XFS's workqueue routing of DONTCACHE ioends");

    public static readonly SwitchDef DropbehindRecheck = new("DropbehindRecheck",
        [V("off", "the dropbehind invalidation removes the folio without re-checking dirty and writeback (before the 2025 fix)"),
         V("on", "it re-checks dirty and writeback under the folio lock and keeps a folio that went back under I/O (6.15.3 on)")],
        "on", "the dropbehind invalidation's re-check under the folio lock (the 2025 fix)");

    public static readonly SwitchDef WtTowrite = new("WtTowrite",
        [V("clear", "a write-through that leaves the folio dirty starts writeback with folio_start_writeback, clearing TOWRITE (as posted)"),
         V("keep", "it keeps TOWRITE (folio_start_writeback_keepwrite), so a running fsync still writes the folio")],
        "clear", "whether a partial write-through clears the TOWRITE mark");

    public static readonly SwitchDef BenchFix = new("BenchFix",
        [V("off", "the SPIN peer model without its fix"),
         V("on", "the flusher skips folios beyond EOF and end-io extends i_size only if no truncate happened since")],
        "on", "the SPIN peer model's FIX (bench scenarios only)");

    public static readonly IReadOnlyList<SwitchDef> All =
        [BenchFix, WtTowrite, DontcacheSync, DropbehindIrq, IoendDontcache, XfsDontcacheWq, DropbehindRecheck, FuseWriteback, FuseSync, ReadLock, WtAioDioCount, WtWritebackEnd, WtCowConvert, WtDirtyClear, WtMkclean, WtStableWrites, WtWaitWriteback, WtWqInitError];

    public static SwitchDef? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}

/// <summary>
/// A set of switch values. Unset switches take their default: today's kernel with every
/// posted patch applied.
/// </summary>
public sealed class Variant
{
    private readonly SortedDictionary<string, string> values;

    public Variant(IReadOnlyDictionary<string, string>? values = null)
    {
        this.values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in values ?? new Dictionary<string, string>())
        {
            var def = Switches.Find(k) ?? throw new ArgumentException($"unknown switch '{k}' (known: {string.Join(", ", Switches.All.Select(s => s.Name))})");
            if (!def.Values.Contains(v))
                throw new ArgumentException($"switch {k} has no value '{v}' (values: {string.Join("|", def.Values)})");
            this.values[k] = v;
        }
        WriteThrough = new WriteThroughPolicy(this);
        Fuse = new FuseWriteback(Get(Switches.FuseWriteback), Get(Switches.FuseSync));
        Dropbehind = new DropbehindPolicy(this);
        ReadTakesIrwsem = Get(Switches.ReadLock) == "i-rwsem-shared";
    }

    /// <summary>ReadLock: a buffered read holds the i_rwsem shared (XFS), or takes no inode lock (ext4).</summary>
    public bool ReadTakesIrwsem { get; }

    public static Variant Default { get; } = new();

    /// <summary>Only the switches set explicitly.</summary>
    public IReadOnlyDictionary<string, string> Explicit => values;

    public string Get(SwitchDef def) => values.TryGetValue(def.Name, out var v) ? v : def.Default;

    public WriteThroughPolicy WriteThrough { get; }

    public FuseWriteback Fuse { get; }

    public DropbehindPolicy Dropbehind { get; }

    public override string ToString() =>
        values.Count == 0 ? "default" : string.Join(",", values.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>Parses "A=x,B=y" or a list of "A=x" items.</summary>
    public static Variant Parse(IEnumerable<string> items)
    {
        var d = new Dictionary<string, string>();
        foreach (var item in items.SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            int eq = item.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"variant item '{item}' is not Switch=value");
            d[item[..eq].Trim()] = item[(eq + 1)..].Trim();
        }
        return new Variant(d);
    }
}
