namespace ModelCheck.Model.Variants;

/// <summary>
/// A named kernel: one value for every switch, plus the operations that kernel does not have.
/// A profile fills the switches a variant leaves unset, so `--profile v6.18 --variant X=y` is the
/// 6.18 kernel with one behaviour changed. Resolved profiles are written into traces switch by
/// switch, so a trace replays without knowing the profile it came from.
/// </summary>
public sealed record KernelProfile(string Name, string Meaning, IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> MissingOps, string MissingWhy)
{
    /// <summary>The variant: the profile's values under the explicit ones.</summary>
    public Variant Resolve(IReadOnlyDictionary<string, string>? explicitValues = null)
    {
        var d = new Dictionary<string, string>(Values);
        foreach (var (k, v) in explicitValues ?? new Dictionary<string, string>()) d[k] = v;
        return new Variant(d);
    }
}

public static class KernelProfiles
{
    private static readonly string[] WriteThroughOps = ["writethrough", "aio-writethrough"];

    /// <summary>
    /// The kernel this project is tested on (6.18.44): DONTCACHE flushes inline and skips the
    /// invalidation outside task context; XFS routes DONTCACHE ioends to its workqueue, iomap flags
    /// them (6.15.3+), the invalidation re-checks dirty and writeback (6.15.3+); FUSE has no temp
    /// pages, the merged reclaim flag and SB_I_NO_DATA_INTEGRITY (76f9377cd2ab, stable 6.18); no
    /// RWF_WRITETHROUGH (every RWF bit from 0x200 up is EOPNOTSUPP).
    /// </summary>
    public static readonly KernelProfile V618 = new("v6.18",
        "the kernel here (6.18): inline DONTCACHE flush, dropbehind skipped outside task context, XFS completion workqueue, FUSE without temp pages whose syncfs does not wait, no write-through",
        new Dictionary<string, string>
        {
            ["DontcacheSync"] = "inline-flush",
            ["DropbehindIrq"] = "skip",
            ["IoendDontcache"] = "ioend-flag",
            ["XfsDontcacheWq"] = "present",
            ["DropbehindRecheck"] = "on",
            ["FuseWriteback"] = "no-temp-page+merged-flag",
            ["FuseSync"] = "no-data-integrity",
        },
        WriteThroughOps, "6.18 has no RWF_WRITETHROUGH (pwritev2 returns EOPNOTSUPP for every flag from 0x200 up)");

    /// <summary>The seeds' patches as posted: every switch at its default.</summary>
    public static readonly KernelProfile Posted = new("posted",
        "the seed patches as posted (every switch at its default; the catalog's expect lines start from it)",
        new Dictionary<string, string>(), [], "");

    /// <summary>Every finding's fix applied.</summary>
    public static readonly KernelProfile Fixed = new("fixed",
        "every finding's fix: write-through counted in i_dio_count, PG_writeback ended after ->end_io, stable writes counted, waits before writeback, dropbehind completed in task context, the FUSE temp-page series' sync and migration skips",
        new Dictionary<string, string>
        {
            ["WtAioDioCount"] = "on",
            ["WtWritebackEnd"] = "after-end-io",
            ["WtCowConvert"] = "at-submit",
            ["WtDirtyClear"] = "per-block",
            ["WtMkclean"] = "on",
            ["WtStableWrites"] = "counted",
            ["WtWaitWriteback"] = "on",
            ["WtWqInitError"] = "fixed",
            ["WtTowrite"] = "keep",
            ["DontcacheSync"] = "kick-flusher",
            ["DropbehindIrq"] = "complete-in-task",
            ["IoendDontcache"] = "ioend-flag",
            ["XfsDontcacheWq"] = "removed",
            ["DropbehindRecheck"] = "on",
            ["FuseWriteback"] = "no-temp-page+indeterminate",
            ["FuseSync"] = "wait",
        },
        [], "");

    public static readonly IReadOnlyList<KernelProfile> All = [V618, Posted, Fixed];

    public static KernelProfile? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>The profile by name, or an ArgumentException naming the known ones.</summary>
    public static KernelProfile Get(string name) =>
        Find(name) ?? throw new ArgumentException($"unknown profile '{name}' (profiles: {string.Join(", ", All.Select(p => p.Name))})");
}
