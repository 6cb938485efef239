using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;

namespace ModelCheck.Explore.Scenarios;

/// <summary>The type of a field of a scenario file.</summary>
public abstract record FieldType;

/// <summary>A string; with choices, one of them (each with its meaning); with a pattern, matching it.</summary>
public sealed record StrType(IReadOnlyList<FieldChoice>? Choices = null, string? Pattern = null, string? PatternDoc = null) : FieldType;

public sealed record FieldChoice(string Name, string Meaning);

/// <summary>A non-negative integer within [Min, Max].</summary>
public sealed record IntType(int Min, int Max) : FieldType;

/// <summary>A byte size: 4096, 4K or 1M, at most <see cref="YamlNodes.MaxBytes"/>.</summary>
public sealed record SizeType : FieldType;

public sealed record BoolType : FieldType;

public sealed record MapType(IReadOnlyList<Field> Fields) : FieldType;

public sealed record SeqType(FieldType Item, int MinItems = 0) : FieldType;

/// <summary>A mapping whose Key field picks one of several shapes (an operation: `op` picks which fields it takes).</summary>
public sealed record TaggedMapType(string Key, IReadOnlyList<Field> Common, IReadOnlyList<Shape> Shapes) : FieldType;

public sealed record Shape(string Name, string KernelPath, IReadOnlyList<Field> Fields);

public sealed record Field(string Name, FieldType Type, string Doc, bool Required = false, string? Default = null);

/// <summary>
/// The scenario file format, declared once: the JSON Schema (`modelcheck schema`),
/// docs/scenario-format.md and the loader's first pass (every problem of a file, each with its
/// line) all come from this declaration.
/// </summary>
public static class ScenarioFormat
{
    /// <summary>A scenario id names trace files ("id.variant.json"): safe characters, and short enough for a file name.</summary>
    public const string IdPattern = "^[a-z0-9][a-z0-9._-]{0,99}$";

    private static readonly Field Offset = new("offset", new SizeType(), "first byte of the range", Required: true);
    private static readonly Field Length = new("length", new SizeType(), "bytes in the range (non-empty, inside file.max_size)", Required: true);

    private static readonly Field Size = new("size", new SizeType(), "the new i_size (within file.max_size)", Required: true);

    /// <summary>Every operation a user thread can run, with the kernel path it models (from <see cref="Model.Scenario.Operations"/>).</summary>
    public static readonly IReadOnlyList<Shape> Operations =
    [
        .. Model.Scenario.Operations.All.Select(o => new Shape(o.Name, o.KernelPath, o.Shape switch
        {
            OpShape.Range => [Offset, Length],
            OpShape.Size => [Size],
            _ => [],
        })),
    ];

    private static readonly MapType Extent = new(
    [
        new("offset", new SizeType(), "first byte (block aligned)", Required: true),
        new("length", new SizeType(), "bytes (a multiple of block_size)", Required: true),
        new("type", new StrType([new("hole", "no blocks"), new("delalloc", "reserved, not allocated"), new("unwritten", "allocated, reads as zeros; the disk holds the previous owner's bytes (Stale)"), new("written", "allocated and holding data")]), "what ->iomap_begin reports for the range", Required: true),
        new("data", new StrType([new("W0", "data of an earlier write"), new("0", "zeros"), new("Stale", "a previous owner's bytes")]), "what the disk blocks hold (written extents only)", Default: "W0"),
        new("cow_prealloc", new BoolType(), "a COW fork preallocation (unwritten) lies over the range", Default: "false"),
    ]);

    private static readonly MapType Cached = new(
    [
        new("offset", new SizeType(), "first byte (folio aligned)", Required: true),
        new("length", new SizeType(), "bytes (a multiple of folio_size)", Required: true),
        new("dirty", new BoolType(), "the folios are dirty with data W0 (else clean, read from disk)", Default: "false"),
        new("mapped", new BoolType(), "the folios are mapped in a shared mapping, their PTEs read-only and clean (the first store faults into page_mkwrite)", Default: "false"),
        new("reclaim", new BoolType(), "PG_reclaim is already set (an earlier reclaim pass saw the dirty folio); dirty folios only", Default: "false"),
    ]);

    private static readonly MapType File = new(
    [
        new("block_size", new SizeType(), "file system block size: a power of two from 512 to 64K", Default: "4K"),
        new("folio_size", new SizeType(), "page-cache folio size: a power of two, at least block_size, at most 8 blocks", Default: "block_size"),
        new("max_size", new SizeType(), "the largest file size the scenario reaches: a multiple of folio_size", Required: true),
        new("size", new SizeType(), "initial i_size (at most max_size)", Default: "0"),
        new("disk_size", new SizeType(), "initial on-disk size (XFS i_disk_size, ext4 i_disksize), at most size: what a crash would recover; dirty cached data past it was written by an extension not yet on disk", Default: "size"),
        new("extents", new SeqType(Extent), "initial extents, not overlapping; unlisted blocks are holes"),
        new("cached", new SeqType(Cached), "initially cached folio ranges"),
        new("stable_writes", new BoolType(), "the device requires stable writes: AS_STABLE_WRITES preset at inode setup (SB_I_STABLE_WRITES)", Default: "false"),
        new("fs", new StrType([.. Model.Filesystems.Filesystems.All.Select(f => new FieldChoice(f.Name, f.Description))]), "the file system", Default: "xfs"),
    ]);

    private static readonly TaggedMapType Op = new("op",
        [new("may_block", new BoolType(), "blocking forever is documented behaviour for this call (e.g. fsync on a FUSE file whose server never answers): blocked-forever does not count it", Default: "false")],
        Operations);

    private static readonly MapType Thread = new(
    [
        new("name", new StrType(), "thread name, unique; not flusher, IRQ, wq, bio-task or server*", Required: true),
        new("ops", new SeqType(Op, 1), "the operations the thread runs in order", Required: true),
    ]);

    private static readonly MapType Actors = new(
    [
        new("flusher", new IntType(0, 16), "passes of the BDI flusher (wb_workfn, WB_SYNC_NONE writeback of the dirty folios)", Default: "0"),
        new("device", new StrType([new("irq", "bios complete in IRQ context"), new("task", "bios complete in task context")]), "the context of bio completions", Default: "irq"),
        new("memcg", new StrType([new("v2", "cgroup v2 reclaim"), new("legacy", "legacy memcg reclaim (waits on writeback folios with PG_reclaim)")]), "the kind of reclaim memory-pressure enters", Default: "v2"),
        new("fuse_server", new MapType(
        [
            new("threads", new IntType(1, 4), "server threads", Default: "1"),
            new("behaviour", new StrType([new("answers", "answers every request"), new("slow", "answers, after any delay"), new("never", "never answers a WRITE")]), "how the server answers", Default: "answers"),
        ]), "the FUSE server (file.fs: fuse)"),
        new("dropbehind_batch", new IntType(1, 31), "capacity of the dropbehind deferral batch (the kernel's holds 31)", Default: "2"),
    ]);

    private static readonly MapType Bounds = new(
    [
        new("max_depth", new IntType(1, 1_000_000), "steps along one path before the search stops (exit 5)", Default: "400"),
        new("max_states", new IntType(1, 1_000_000_000), "distinct states before the search stops (exit 5)", Default: "2000000"),
    ]);

    /// <summary>The root of a scenario file.</summary>
    public static MapType Root { get; } = new(
    [
        new("id", new StrType(Pattern: IdPattern, PatternDoc: "at most 100 lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"), "the scenario id: names its traces and pages", Required: true),
        new("title", new StrType(), "one line", Default: "the id"),
        new("race", new StrType(), "the section of docs/kernel-reference.md §4 describing the race (e.g. 4.1)"),
        new("description", new StrType(), "what the scenario models and why, for its doc page"),
        new("file", File, "the file and its initial state", Required: true),
        new("threads", new SeqType(Thread, 1), "user threads", Required: true),
        new("actors", Actors, "system actors beside the threads"),
        new("invariants", new SeqType(new StrType(InvariantCatalog.All.Select(i => new FieldChoice(i.Id, i.Title)).ToList())), "the invariants checked; folio-flags (the kernel's own assertions) is checked whether listed or not", Default: "all but crash-size"),
        new("bounds", Bounds, "search bounds"),
        new("expect", new SeqType(new StrType(Pattern: @"^\s*\S+\s+(holds|violates\s+\S+)\s*$", PatternDoc: "'<Switch=value,...|default> holds' or '<...> violates <invariant>'")), "the verdict each variant must give; `check FILE` and `matrix` compare against them"),
        new("faults", new SeqType(new StrType(Model.Variants.Faults.All.Select(f => new FieldChoice(f.Name, f.Meaning)).ToList())), "environment faults the search may inject"),
        new("fault_limit", new IntType(1, 8), "how many bios each I/O error fault (writeback-io-error, read-io-error) may fail in one run", Default: "1"),
    ]);

    public static Shape? FindOperation(string name) => Operations.FirstOrDefault(o => o.Name == name);

    /// <summary>Every operation named in OpNames is declared here, and nothing else.</summary>
    public static bool CoversEveryOperation() =>
        OpNames.ByName.Keys.Order().SequenceEqual(Operations.Select(o => o.Name).Order());
}
