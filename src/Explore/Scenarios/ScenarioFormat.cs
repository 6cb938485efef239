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

    private static Shape Ranged(string op, string path) => new(op, path, [Offset, Length]);

    private static Shape Plain(string op, string path) => new(op, path, []);

    /// <summary>Every operation a user thread can run, with the kernel path it models.</summary>
    public static readonly IReadOnlyList<Shape> Operations =
    [
        Ranged("buffered-write", "pwrite(2): xfs_file_buffered_write takes the i_rwsem exclusive, iomap_file_buffered_write maps (delalloc over holes) and copies per folio (iomap_write_begin/iomap_write_end), marks the folio dirty and raises i_size"),
        Ranged("dontcache-write", "pwritev2(RWF_DONTCACHE): the buffered write with its folios marked dropbehind, then generic_write_sync's DONTCACHE branch (switch DontcacheSync); the folios are dropped at writeback completion (folio_end_dropbehind, switch DropbehindIrq)"),
        Ranged("writethrough", "pwritev2(RWF_WRITETHROUGH), synchronous (the write-through series): copy, folio_clear_dirty_for_writethrough, folio_start_writeback, bio submission and wait under the i_rwsem, ->end_io"),
        Ranged("aio-writethrough", "io_submit of an RWF_WRITETHROUGH write: as writethrough, but it returns -EIOCBQUEUED after submission and drops the i_rwsem; ->end_io runs from the dio-done workqueue"),
        Ranged("buffered-read", "pread(2): xfs_file_buffered_read (i_rwsem shared, switch ReadLock) then filemap_read: per folio find or create and read it, copy, drop a clean dropbehind folio"),
        Ranged("dio-read", "pread(2) with O_DIRECT: xfs_file_dio_read takes the i_rwsem shared, iomap_dio_rw flushes the range, maps it and samples the disk when the bio completes"),
        Ranged("dio-write", "pwrite(2) with O_DIRECT: xfs_file_dio_write (i_rwsem shared for an aligned overwrite, exclusive otherwise), flush and invalidate, block mapping, submission, completion, ->end_io (unwritten conversion, i_size) and the post-write invalidation"),
        new("truncate", "ftruncate(2): do_truncate, xfs_vn_setattr_size: inode_dio_wait, i_size_write, truncate_inode_pages_range (wait on writeback per folio), xfs_itruncate_extents",
            [new("size", new SizeType(), "the new i_size (within file.max_size)", Required: true)]),
        Plain("fsync", "fsync(2): xfs_file_fsync, file_write_and_wait_range: write back every dirty folio (WB_SYNC_ALL, TOWRITE tags) and wait for writeback"),
        Ranged("mmap-store", "a store through a shared writable mapping: a write fault (->page_mkwrite: iomap_page_mkwrite, folio_wait_stable) makes the PTE writable and the folio dirty; a later store through a still-writable PTE dirties nothing. Inside one 4K page"),
        Ranged("mmap-read", "a read fault through a mapping: filemap_fault finds or reads the folio; no i_rwsem. Inside one folio"),
        Plain("sync", "sync(2): sync_inodes_sb starts writeback of the super block and wait_sb_inodes waits for every inode's writeback (switches FuseWriteback, FuseSync)"),
        Plain("memory-pressure", "direct reclaim over the file's folios: shrink_folio_list (writeback folios: the three cases of the kernel reference, memcg kind from actors.memcg), then __remove_mapping of clean unmapped folios"),
        Ranged("migrate", "page migration of the range's folios in MIGRATE_SYNC mode: migrate_pages, migrate_folio_unmap waits for writeback (switch FuseWriteback)"),
        Ranged("punch-hole", "fallocate(FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE): xfs_file_fallocate takes the i_rwsem and the invalidate lock exclusive, flushes and waits on the range, truncates its page cache, zeroes partial blocks and frees the whole blocks' extents"),
        Ranged("bench-writer", "the SPIN peer model's writer process (file.fs: bench only)"),
        Plain("bench-truncate", "the SPIN peer model's truncate process (file.fs: bench only)"),
        Plain("bench-flusher", "the SPIN peer model's flusher process (file.fs: bench only)"),
        Plain("bench-endio", "the SPIN peer model's end-io process (file.fs: bench only)"),
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
        new("mapped", new BoolType(), "the folios are mapped in a shared mapping with writable PTEs", Default: "false"),
        new("reclaim", new BoolType(), "PG_reclaim is already set (an earlier reclaim pass saw the dirty folio); dirty folios only", Default: "false"),
    ]);

    private static readonly MapType File = new(
    [
        new("block_size", new SizeType(), "file system block size: a power of two from 512 to 64K", Default: "4K"),
        new("folio_size", new SizeType(), "page-cache folio size: a power of two, at least block_size, at most 8 blocks", Default: "block_size"),
        new("max_size", new SizeType(), "the largest file size the scenario reaches: a multiple of folio_size", Required: true),
        new("size", new SizeType(), "initial i_size (at most max_size)", Default: "0"),
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
        new("invariants", new SeqType(new StrType(InvariantCatalog.All.Select(i => new FieldChoice(i.Id, i.Title)).ToList())), "the invariants checked; folio-flags (the kernel's own assertions) is checked whether listed or not", Default: "all"),
        new("bounds", Bounds, "search bounds"),
        new("expect", new SeqType(new StrType(Pattern: @"^\s*\S+\s+(holds|violates\s+\S+)\s*$", PatternDoc: "'<Switch=value,...|default> holds' or '<...> violates <invariant>'")), "the verdict each variant must give; `check FILE` and `matrix` compare against them"),
        new("faults", new SeqType(new StrType(Model.Variants.Faults.All.Select(f => new FieldChoice(f.Name, f.Meaning)).ToList())), "environment faults the search may inject"),
    ]);

    public static Shape? FindOperation(string name) => Operations.FirstOrDefault(o => o.Name == name);

    /// <summary>Every operation named in OpNames is declared here, and nothing else.</summary>
    public static bool CoversEveryOperation() =>
        OpNames.ByName.Keys.Order().SequenceEqual(Operations.Select(o => o.Name).Order());
}
