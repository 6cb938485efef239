namespace ModelCheck.Model.Scenario;

/// <summary>Operation names, as used in scenario files and by --ops.</summary>
public enum OpKind
{
    BufferedWrite,
    DontcacheWrite,
    WriteThrough,
    AioWriteThrough,
    BufferedRead,
    DioRead,
    DioWrite,
    Truncate,
    Fsync,
    MmapStore,
    Sync,
    MemoryPressure,
    MmapRead,
    Migrate,
    PunchHole,
    Readahead,
    Open,
    ZeroRange,
    AioDioWrite,
    AioWait,
    BenchWriter,
    BenchTruncate,
    BenchFlusher,
    BenchEndio,
    CollapseRange,
    InsertRange,
    BhWrite,
}

/// <summary>The operations' names and facts, from their declarations (<see cref="Operations"/>).</summary>
public static class OpNames
{
    public static readonly IReadOnlyDictionary<string, OpKind> ByName = Operations.All.ToDictionary(o => o.Name, o => o.Kind);

    public static string Name(OpKind k) => Operations.Of(k).Name;

    public static bool HasRange(OpKind k) => Operations.Of(k).Shape == OpShape.Range;

    public static bool IsWrite(OpKind k) => Operations.Of(k).Writes;

    /// <summary>The SPIN peer model's processes (file.fs: bench).</summary>
    public static bool IsBench(OpKind k) => Operations.Of(k).Peer;
}

/// <summary>One operation of a user thread; sizes in bytes. Line is the scenario file line.</summary>
public sealed record OpSpec(OpKind Kind, long Offset, long Length, long Size, bool MayBlock, int Line);

public sealed record ThreadSpec(string Name, IReadOnlyList<OpSpec> Ops);

public enum ExtentKind { Hole, Delalloc, Unwritten, Written }

/// <summary>An initial extent; Data is the initial tag of its disk blocks ("W0" by default for written).</summary>
public sealed record ExtentSpec(long Offset, long Length, ExtentKind Type, string Data, bool CowPrealloc, int Line = 0);

/// <summary>An initially cached range: clean (data from disk) or dirty.</summary>
public sealed record CachedSpec(long Offset, long Length, bool Dirty, bool Mapped, bool Reclaim = false, int Line = 0);

public sealed record FileSpec(
    long BlockSize,
    long FolioSize,
    long MaxSize,
    long Size,
    IReadOnlyList<ExtentSpec> Extents,
    IReadOnlyList<CachedSpec> Cached,
    bool StableWrites = false,
    string Fs = "xfs",
    long? DiskSize = null)
{
    /// <summary>The initial on-disk size (XFS i_disk_size, ext4 i_disksize): the scenario's, else i_size.</summary>
    public long InitialDiskSize => DiskSize ?? Size;

    public bool Fuse => Fs == "fuse";

    public bool Blockdev => Fs == "blockdev";

    /// <summary>The SPIN peer model, not a file system.</summary>
    public bool Bench => Fs == "bench";
}

public sealed record ActorsSpec(int FlusherPasses, string DeviceContext, string Memcg, int ServerThreads = 1, bool ServerAnswers = true, int DropbehindBatch = 2);

public sealed record BoundsSpec(int MaxDepth, int MaxStates);

/// <summary>An expect line: under Variant, the run violates Invariant (or holds when null).</summary>
public sealed record ExpectSpec(IReadOnlyDictionary<string, string> Variant, string? Violates, int Line, string Text);

public sealed record ScenarioSpec(
    string Id,
    string Title,
    string Race,
    string Description,
    FileSpec File,
    IReadOnlyList<ThreadSpec> Threads,
    ActorsSpec Actors,
    IReadOnlyList<string> Invariants,
    BoundsSpec Bounds,
    IReadOnlyList<ExpectSpec> Expect,
    string SourcePath,
    string SourceText,
    IReadOnlyList<string>? Faults = null,
    int FaultLimit = 1)
{
    /// <summary>Environment faults the scenario enables as nondeterministic choices.</summary>
    public static IReadOnlyList<string> KnownFaults => [.. Variants.Faults.All.Select(f => f.Name)];
}
