namespace ModelCheck.Model.State;

/// <summary>
/// What one step read and wrote of the state, recorded by the state's accessors while the step's
/// guard and effect ran (<see cref="Steps.Semantics.FootprintOf"/>). The granularity is the one
/// that decides whether two kernel critical sections commute: one folio (its flags, locks, counts
/// and cached data), the disk blocks and the extent map under one folio, each group of inode
/// fields (i_size, i_disk_size, i_rwsem, invalidate_lock, i_dio_count, the mapping's flags, the
/// error state, i_private_lock), each list of work in flight, the history summaries, and per
/// thread its pc with its own locals apart from its history slots (which a completion or a shift
/// may write for it). A write through a <c>ref</c> accessor counts as a write, whether or not it
/// changed anything, so two steps that touch the same part by reference never commute.
/// </summary>
public sealed class Footprint
{
    /// <summary>Folios beyond this share the components of folio index modulo it (coarser, still sound).</summary>
    public const int FolioSlots = 16;

    public const int FolioBase = 0;
    public const int DiskBase = 16;
    public const int ExtentBase = 32;
    public const int ISize = 48, IDiskSize = 49, IRwsem = 50, InvalidateLock = 51, DioCount = 52, MappingFlags = 53,
        Errors = 54, PrivateLock = 55, Bios = 56, Work = 57, FuseRequests = 58, PendingDropbehind = 59,
        DropbehindBatch = 60, WriteThrough = 61, History = 62, Peer = 63;

    /// <summary>A thread's pc and its locals below the history slots: no other thread's step may touch them.</summary>
    public const int ThreadBase = 64;

    /// <summary>A thread's history slots (floors, AIO in flight): other threads' steps may write them.</summary>
    public const int ThreadHistoryBase = 96;

    public const int ThreadSlots = 32;

    public UInt128 Reads;
    public UInt128 Writes;

    /// <summary>The thread whose step is being recorded.</summary>
    public int Tid { get; internal set; }

    /// <summary>Whether the step emitted events (what the invariants judge besides the state).</summary>
    public bool Events { get; set; }

    public static UInt128 Bit(int component) => UInt128.One << component;

    /// <summary>Every inode field group (i_size .. i_private_lock): the whole inode read or written at once.</summary>
    public static readonly UInt128 InodeFields = ((UInt128.One << (PrivateLock + 1)) - 1) & ~((UInt128.One << ISize) - 1);

    /// <summary>The components of the folios that elements start..start+length-1 lie under (perFolio elements a folio).</summary>
    public static UInt128 Range(int start, int length, int perFolio, int component)
    {
        var set = UInt128.Zero;
        if (length <= 0) return set;
        int last = (start + length - 1) / perFolio;
        for (int f = start / perFolio; f <= last && f - (start / perFolio) < FolioSlots; f++) set |= Bit(component + (f % FolioSlots));
        return set;
    }

    public void Read(int component) => Reads |= Bit(component);

    public void Write(int component) => Writes |= Bit(component);

    public void Reset(int tid)
    {
        Reads = Writes = UInt128.Zero;
        Tid = tid;
        Events = false;
    }

    /// <summary>
    /// Whether the two steps (of different threads) are independent where both were recorded: neither
    /// writes what the other reads or writes. Then each leaves the other enabled with the same
    /// alternatives (guards' reads are reads), and both orders reach the same state. A step that emits
    /// events is independent of nothing: an invariant judges its events against the state after it,
    /// so what the invariant reads there counts too, and it is not recorded.
    /// </summary>
    public static bool Independent(Footprint a, Footprint b) =>
        !a.Events && !b.Events && (a.Writes & (b.Reads | b.Writes)) == UInt128.Zero && (b.Writes & a.Reads) == UInt128.Zero;

    /// <summary>
    /// The step touched nothing but its own thread's pc and private locals and emitted no event: no
    /// step of another thread can change what it does or be changed by it, and no invariant sees it.
    /// </summary>
    public bool Private => !Events && ((Reads | Writes) & ~Bit(ThreadBase + (Tid % ThreadSlots))) == UInt128.Zero;

    public static readonly string[] Names = BuildNames();

    private static string[] BuildNames()
    {
        var n = new string[128];
        for (int i = 0; i < FolioSlots; i++)
        {
            n[FolioBase + i] = $"folio {i}";
            n[DiskBase + i] = $"disk under folio {i}";
            n[ExtentBase + i] = $"extents under folio {i}";
        }
        string[] named = ["i_size", "i_disk_size", "i_rwsem", "invalidate_lock", "i_dio_count", "mapping flags", "wb_err/AS_EIO",
            "i_private_lock", "bios", "work", "fuse requests", "pending dropbehind", "dropbehind batch", "write-through contexts",
            "history", "peer model"];
        for (int i = 0; i < named.Length; i++) n[ISize + i] = named[i];
        for (int t = 0; t < ThreadSlots; t++)
        {
            n[ThreadBase + t] = $"T{t} pc and locals";
            n[ThreadHistoryBase + t] = $"T{t} history slots";
        }
        return n;
    }

    /// <summary>The components of a set, named (for reports and test messages).</summary>
    public static string Describe(UInt128 set)
    {
        var parts = new List<string>();
        for (int i = 0; i < 128; i++)
            if (((set >> i) & UInt128.One) != UInt128.Zero) parts.Add(Names[i]);
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
    }

    public override string ToString() => $"T{Tid} reads {Describe(Reads)}; writes {Describe(Writes)}";
}
