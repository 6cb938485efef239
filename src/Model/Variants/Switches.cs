namespace ModelCheck.Model.Variants;

/// <summary>One value of a switch: its name as written in variants and expect lines, and what the kernel does with it.</summary>
public sealed record SwitchValue(string Name, string Meaning);

/// <summary>A named kernel behaviour a patch thread (or its review) changes, with its named values.</summary>
public abstract record SwitchDef(string Name, IReadOnlyList<SwitchValue> Choices, string Default, string Meaning)
{
    /// <summary>The value names, in the order they are documented.</summary>
    public IReadOnlyList<string> Values { get; } = Choices.Select(c => c.Name).ToArray();

    public SwitchValue Value(string name) => Choices.First(c => c.Name == name);
}

/// <summary>
/// A switch typed by its enum: the enum's members, in declaration order, are its values, each
/// named and explained by its <see cref="ValueAttribute"/>.
/// </summary>
public sealed record Switch<T> : SwitchDef where T : struct, Enum
{
    private static readonly (T Member, SwitchValue Value)[] Members =
        [.. typeof(T).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .OrderBy(f => f.MetadataToken)
            .Select(f => ((T)f.GetValue(null)!, f.GetCustomAttributes(typeof(ValueAttribute), false) is [ValueAttribute a]
                ? new SwitchValue(a.Name, a.Meaning)
                : throw new InvalidOperationException($"{typeof(T).Name}.{f.Name} has no [Value] attribute")))];

    public Switch(string name, T @default, string meaning)
        : base(name, [.. Members.Select(m => m.Value)], NameOf(@default), meaning)
    {
    }

    /// <summary>The enum member of a value name the variant already validated.</summary>
    public T Parse(string value) => Members.First(m => m.Value.Name == value).Member;

    public static string NameOf(T member) => Members.First(m => EqualityComparer<T>.Default.Equals(m.Member, member)).Value.Name;
}

/// <summary>
/// The switches the model implements (docs/scenario-catalog.md, Switches). `modelcheck switches`
/// and docs/variants.md are generated from these declarations.
/// </summary>
public static class Switches
{
    public static readonly Switch<WtAioDioCountMode> WtAioDioCount = new("WtAioDioCount", WtAioDioCountMode.On,
        "aio write-through takes an i_dio_count reference (the write-through series patch 4/5)");

    public static readonly Switch<WtWritebackEndMode> WtWritebackEnd = new("WtWritebackEnd", WtWritebackEndMode.AtBioEnd,
        "where write-through ends PG_writeback relative to ->end_io");

    public static readonly Switch<WtCowConvertMode> WtCowConvert = new("WtCowConvert", WtCowConvertMode.AtSubmit,
        "when a COW extent over a data-fork hole is converted to written");

    public static readonly Switch<WtDirtyClearMode> WtDirtyClear = new("WtDirtyClear", WtDirtyClearMode.PerBlock,
        "how a partial write-through clears PG_dirty");

    public static readonly Switch<WtMkcleanMode> WtMkclean = new("WtMkclean", WtMkcleanMode.On,
        "write-through write-protects user mappings before its I/O");

    public static readonly Switch<WtStableWritesMode> WtStableWrites = new("WtStableWrites", WtStableWritesMode.PlainBit,
        "how write-through sets and clears the mapping's stable-writes bit");

    public static readonly Switch<WtWaitWritebackMode> WtWaitWriteback = new("WtWaitWriteback", WtWaitWritebackMode.On,
        "write-through waits for writeback in flight");

    public static readonly Switch<WtWqInitErrorMode> WtWqInitError = new("WtWqInitError", WtWqInitErrorMode.Leak,
        "the dio-done workqueue allocation failure path of patch 4/5");

    public static readonly Switch<FuseWritebackMode> FuseWriteback = new("FuseWriteback", FuseWritebackMode.NoTempPageMergedFlag,
        "FUSE writeback with or without temporary pages, and which waits the mapping flag skips (the FUSE temp-page series)");

    public static readonly Switch<FuseSyncMode> FuseSync = new("FuseSync", FuseSyncMode.Wait,
        "whether sync(2) on FUSE waits for writeback");

    public static readonly Switch<ReadLockMode> ReadLock = new("ReadLock", ReadLockMode.IRwsemShared,
        "the inode lock a buffered read takes");

    public static readonly Switch<DontcacheSyncMode> DontcacheSync = new("DontcacheSync", DontcacheSyncMode.KickFlusher,
        "who writes back after a DONTCACHE write");

    public static readonly Switch<DropbehindIrqMode> DropbehindIrq = new("DropbehindIrq", DropbehindIrqMode.CompleteInTask,
        "what folio_end_dropbehind does outside task context (the dropbehind-deferral and BIO_COMPLETE_IN_TASK series)");

    public static readonly Switch<IoendDontcacheMode> IoendDontcache = new("IoendDontcache", IoendDontcacheMode.IoendFlag,
        "how iomap marks a writeback bio that carries dropbehind folios");

    public static readonly Switch<XfsDontcacheWqMode> XfsDontcacheWq = new("XfsDontcacheWq", XfsDontcacheWqMode.Removed,
        "XFS's workqueue routing of DONTCACHE ioends");

    public static readonly Switch<DropbehindRecheckMode> DropbehindRecheck = new("DropbehindRecheck", DropbehindRecheckMode.On,
        "the dropbehind invalidation's re-check under the folio lock (the 2025 fix)");

    public static readonly Switch<WtTowriteMode> WtTowrite = new("WtTowrite", WtTowriteMode.Clear,
        "whether a partial write-through clears the TOWRITE mark");

    public static readonly Switch<BenchFixMode> BenchFix = new("BenchFix", BenchFixMode.On,
        "the SPIN peer model's FIX (bench scenarios only)");

    public static readonly Switch<IsizeExtendedMode> IsizeExtended = new("IsizeExtended", IsizeExtendedMode.WriteProtect,
        "what happens to the old EOF folio when i_size grows past a block boundary inside it (pagecache_isize_extended)");

    public static readonly Switch<ZeroRangeDirtyMode> ZeroRangeDirty = new("ZeroRangeDirty", ZeroRangeDirtyMode.Flush,
        "how iomap_zero_range treats dirty page cache over holes and unwritten mappings");

    public static readonly Switch<FillInvalidateLockMode> FillInvalidateLock = new("FillInvalidateLock", FillInvalidateLockMode.Filemap,
        "whether the paths that add folios to read them in (readahead, read, fault) take the invalidate_lock shared");

    public static readonly Switch<FadviseLockMode> FadviseLock = new("FadviseLock", FadviseLockMode.IRwsemShared,
        "the inode lock the file system takes around readahead(2) and fadvise(WILLNEED)");

    public static readonly Switch<WbErrReportingMode> WbErrReporting = new("WbErrReporting", WbErrReportingMode.Errseq,
        "how a writeback error reaches fsync: per file description (errseq) or a flag the first caller clears");

    public static readonly Switch<IomapValidityMode> IomapValidity = new("IomapValidity", IomapValidityMode.IfSeq,
        "whether a buffered write revalidates the block mapping it cached when it moves on to the next folio");

    public static readonly Switch<DioInvalidateMode> DioInvalidate = new("DioInvalidate", DioInvalidateMode.AtCompletion,
        "when an O_DIRECT write invalidates the page cache over its range: at completion after ->end_io, before ->end_io, or (AIO) right after submission");

    public static readonly Switch<DiskSizeUpdateMode> DiskSizeUpdate = new("DiskSizeUpdate", DiskSizeUpdateMode.IoCompletion,
        "when writeback raises the on-disk size (what a crash recovers): at I/O completion (XFS) or at submission (ext4, implied by file.fs: ext4)");

    public static readonly Switch<TruncateUpFlushMode> TruncateUpFlush = new("TruncateUpFlush", TruncateUpFlushMode.DiskEof,
        "whether an XFS truncate writes back the data between the on-disk size and the new size before it logs the new size");

    public static readonly Switch<MkwriteLockMode> MkwriteLock = new("MkwriteLock", MkwriteLockMode.Locked,
        "whether a write fault holds the folio lock from ->page_mkwrite until the folio is dirtied and its PTE writable");

    public static readonly Switch<BufferMigrationMode> BufferMigration = new("BufferMigration", BufferMigrationMode.BhMigrate,
        "how a norefs migration of a block device folio keeps __find_get_block from taking a buffer reference after it checked there were none");

    public static readonly IReadOnlyList<SwitchDef> All =
        [BenchFix, WtTowrite, DontcacheSync, DropbehindIrq, IoendDontcache, XfsDontcacheWq, DropbehindRecheck, FuseWriteback, FuseSync, ReadLock, WtAioDioCount, WtWritebackEnd, WtCowConvert, WtDirtyClear, WtMkclean, WtStableWrites, WtWaitWriteback, WtWqInitError, IsizeExtended, ZeroRangeDirty, FillInvalidateLock, FadviseLock, WbErrReporting, IomapValidity, DioInvalidate, DiskSizeUpdate, TruncateUpFlush, MkwriteLock, BufferMigration];

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
        ReadTakesIrwsem = Get(Switches.ReadLock) == ReadLockMode.IRwsemShared;
        IsizeExtended = Get(Switches.IsizeExtended);
        ZeroRangeDirty = Get(Switches.ZeroRangeDirty);
        BenchFix = Get(Switches.BenchFix) == BenchFixMode.On;
        FillTakesInvalidateLock = Get(Switches.FillInvalidateLock) == FillInvalidateLockMode.Filemap;
        FadviseTakesIrwsem = Get(Switches.FadviseLock) == FadviseLockMode.IRwsemShared;
        WbErrReporting = Get(Switches.WbErrReporting);
        WriteRevalidatesIomap = Get(Switches.IomapValidity) == IomapValidityMode.IfSeq;
        DioInvalidatesAtCompletion = Get(Switches.DioInvalidate) != DioInvalidateMode.Submitter;
        DioInvalidatesBeforeEndIo = Get(Switches.DioInvalidate) == DioInvalidateMode.BeforeEndIo;
        DiskSizeAtSubmission = Get(Switches.DiskSizeUpdate) == DiskSizeUpdateMode.Submission;
        TruncateUpFlushes = Get(Switches.TruncateUpFlush) == TruncateUpFlushMode.DiskEof;
        MkwriteLocked = Get(Switches.MkwriteLock) == MkwriteLockMode.Locked;
        BufferMigration = Get(Switches.BufferMigration);
    }

    /// <summary>BufferMigration: how buffer migration excludes new buffer references (BH_Migrate, the kernel here).</summary>
    public BufferMigrationMode BufferMigration { get; }

    /// <summary>
    /// MkwriteLock: a write fault keeps the folio locked from ->page_mkwrite until it is dirtied (2.6.30
    /// on); unlocked, the fault's PTE install and dirtying and folio_clear_dirty_for_io's two halves are
    /// separate steps that can interleave.
    /// </summary>
    public bool MkwriteLocked { get; }

    /// <summary>DiskSizeUpdate: writeback raises the on-disk size at submission (ext4), not at I/O completion (XFS).</summary>
    public bool DiskSizeAtSubmission { get; }

    /// <summary>TruncateUpFlush: xfs_setattr_size writes back [i_disk_size, new size) before logging the size.</summary>
    public bool TruncateUpFlushes { get; }

    // resolved once: the guards that read them run for every thread of every state the search visits

    /// <summary>IsizeExtended: what pagecache_isize_extended does (nothing before 3.18).</summary>
    public IsizeExtendedMode IsizeExtended { get; }

    /// <summary>ZeroRangeDirty: iomap_zero_range flushes dirty cache over holes, or the folio batch zeroes it in memory.</summary>
    public ZeroRangeDirtyMode ZeroRangeDirty { get; }

    /// <summary>FillInvalidateLock: the generic fill paths take the invalidate_lock shared (5.15 on).</summary>
    public bool FillTakesInvalidateLock { get; }

    /// <summary>FadviseLock: xfs_file_fadvise holds the i_rwsem shared around readahead (XFS, 5.5 on).</summary>
    public bool FadviseTakesIrwsem { get; }

    /// <summary>WbErrReporting: how writeback errors reach fsync (errseq_t per file description, 4.13 on; AS_EIO before).</summary>
    public WbErrReportingMode WbErrReporting { get; }

    /// <summary>IomapValidity: a buffered write revalidates its cached mapping per folio (6.1 on).</summary>
    public bool WriteRevalidatesIomap { get; }

    /// <summary>DioInvalidate: an AIO O_DIRECT write invalidates the cache at completion (4.14 on), or its submitter does.</summary>
    public bool DioInvalidatesAtCompletion { get; }

    /// <summary>DioInvalidate=before-end-io: the completion invalidates before ->end_io converts the extents (before 2017).</summary>
    public bool DioInvalidatesBeforeEndIo { get; }

    /// <summary>BenchFix: the SPIN peer model's FIX.</summary>
    public bool BenchFix { get; }

    /// <summary>ReadLock: a buffered read holds the i_rwsem shared (XFS), or takes no inode lock (ext4).</summary>
    public bool ReadTakesIrwsem { get; }

    public static Variant Default { get; } = new();

    /// <summary>Only the switches set explicitly.</summary>
    public IReadOnlyDictionary<string, string> Explicit => values;

    /// <summary>The value's name (as written in variants and traces).</summary>
    public string Get(SwitchDef def) => values.TryGetValue(def.Name, out var v) ? v : def.Default;

    /// <summary>The value, typed.</summary>
    public T Get<T>(Switch<T> def) where T : struct, Enum => def.Parse(Get((SwitchDef)def));

    public WriteThroughPolicy WriteThrough { get; }

    public FuseWriteback Fuse { get; }

    public DropbehindPolicy Dropbehind { get; }

    public override string ToString() =>
        values.Count == 0 ? "default" : string.Join(",", values.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>Parses "A=x,B=y" or a list of "A=x" items; "default" (as in expect lines) sets nothing.</summary>
    public static Variant Parse(IEnumerable<string> items)
    {
        var d = new Dictionary<string, string>();
        foreach (var item in items.SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (item == "default") continue; // as in expect lines: every switch at its default

            int eq = item.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"variant item '{item}' is not Switch=value");
            d[item[..eq].Trim()] = item[(eq + 1)..].Trim();
        }
        return new Variant(d);
    }
}
