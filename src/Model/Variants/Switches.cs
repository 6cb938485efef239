namespace ModelCheck.Model.Variants;

/// <summary>A named kernel behaviour a seed changes, with its named values.</summary>
public sealed record SwitchDef(string Name, string[] Values, string Default, string Meaning);

/// <summary>The switches the model implements (docs/scenario-catalog.md, Switches).</summary>
public static class Switches
{
    public static readonly SwitchDef WtAioDioCount = new(
        "WtAioDioCount", ["off", "on"], "on",
        "aio write-through takes an i_dio_count reference (the write-through series patch 4/5); off is 4/5 without inode_dio_begin/end");

    public static readonly SwitchDef WtWritebackEnd = new(
        "WtWritebackEnd", ["at-bio-end", "after-end-io"], "at-bio-end",
        "write-through ends PG_writeback in the bio completion, before ->end_io (as posted), or only after ->end_io");

    public static readonly SwitchDef WtCowConvert = new(
        "WtCowConvert", ["at-iomap-begin", "at-submit"], "at-submit",
        "when a COW extent over a data-fork hole is converted to written (the write-through series patch 3/5)");

    public static readonly SwitchDef WtDirtyClear = new(
        "WtDirtyClear", ["whole-folio", "per-block"], "per-block",
        "a partial write-through clears PG_dirty unconditionally, or only when no block stays dirty (patch 1/5)");

    public static readonly SwitchDef WtMkclean = new(
        "WtMkclean", ["off", "on"], "on",
        "write-through write-protects user PTEs (folio_mkclean) before starting writeback");

    public static readonly SwitchDef WtStableWrites = new(
        "WtStableWrites", ["plain-bit", "counted"], "plain-bit",
        "stable writes set and cleared as one mapping bit (as posted) or counted, preserving a device's preset bit");

    public static readonly SwitchDef WtWaitWriteback = new(
        "WtWaitWriteback", ["off", "on"], "on",
        "write-through waits for writeback already in flight on the folio before starting its own");

    public static readonly SwitchDef WtWqInitError = new(
        "WtWqInitError", ["leak", "fixed"], "leak",
        "on failure of the dio-done workqueue allocation, patch 4/5 returns without inode_dio_end (leak), or releases it");

    public static readonly SwitchDef FuseWriteback = new(
        "FuseWriteback", ["temp-page", "no-temp-page", "no-temp-page+indeterminate", "no-temp-page+merged-flag"],
        "no-temp-page+merged-flag",
        "FUSE writeback with temp pages; without; without plus the FUSE temp-page series' flag (reclaim, sync and migration skip); without plus the flag as merged (reclaim skip only)");

    public static readonly SwitchDef FuseSync = new(
        "FuseSync", ["wait", "no-data-integrity"], "wait",
        "sync(2)/syncfs on FUSE waits for the inode's writeback (wait_sb_inodes), or the super block has SB_I_NO_DATA_INTEGRITY and sync_inodes_sb only wakes the flusher (76f9377cd2ab, stable 6.18)");

    public static readonly SwitchDef ReadLock = new(
        "ReadLock", ["i-rwsem-shared", "none"], "i-rwsem-shared",
        "a buffered read takes the i_rwsem shared (XFS: xfs_file_buffered_read) or no inode lock at all (ext4 and most file systems: generic_file_read_iter)");

    public static readonly SwitchDef DontcacheSync = new(
        "DontcacheSync", ["inline-flush", "kick-flusher"], "kick-flusher",
        "generic_write_sync's DONTCACHE branch flushes the range in the writer (6.14) or wakes the flusher (the flusher-kick series)");

    public static readonly SwitchDef DropbehindIrq = new(
        "DropbehindIrq", ["skip", "global-batch", "per-cpu-batch", "complete-in-task"], "complete-in-task",
        "what folio_end_dropbehind does outside task context (the dropbehind-deferral and BIO_COMPLETE_IN_TASK series)");

    public static readonly SwitchDef IoendDontcache = new(
        "IoendDontcache", ["none", "ioend-flag", "per-folio-bio-flag"], "ioend-flag",
        "how iomap marks a writeback bio that carries dropbehind folios");

    public static readonly SwitchDef XfsDontcacheWq = new(
        "XfsDontcacheWq", ["present", "removed"], "removed",
        "XFS routes DONTCACHE ioends to its completion workqueue (removed by the BIO_COMPLETE_IN_TASK series patch 2/3)");

    public static readonly SwitchDef DropbehindRecheck = new(
        "DropbehindRecheck", ["off", "on"], "on",
        "the dropbehind invalidation re-checks dirty and writeback under the folio lock (the 2025 fix)");

    public static readonly SwitchDef WtTowrite = new(
        "WtTowrite", ["clear", "keep"], "clear",
        "a write-through that leaves the folio dirty starts writeback with folio_start_writeback, clearing TOWRITE (as posted), or keeps it (folio_start_writeback_keepwrite)");

    public static readonly SwitchDef BenchFix = new(
        "BenchFix", ["off", "on"], "on",
        "the SPIN peer model's FIX: the flusher skips folios beyond EOF and end-io extends i_size only if no truncate happened since");

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
