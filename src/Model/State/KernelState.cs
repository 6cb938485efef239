using System.Diagnostics.CodeAnalysis;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.State;

/// <summary>
/// The whole modelled kernel state: inode, mapping (folios and their data), extents, disk,
/// bios and work in flight, threads, and history summaries. Steps mutate a fresh clone, so
/// every state the engines keep is a value that never changes after it is built.
/// </summary>
public sealed partial class KernelState
{
    public required Machine Machine { get; init; }

    /// <summary>A state whose every part the caller sets (clone, builder, decoder): builds no empty parts first.</summary>
    [SetsRequiredMembers]
    internal KernelState(Machine machine)
    {
        Machine = machine;
        bios = null!;
        work = null!;
        fuseRequests = null!;
        pendingDropbehind = null!;
        dropbehindBatch = null!;
        history = null!;
    }

    /// <summary>
    /// The initial state of a machine: every part empty or as the scenario starts (the caller then
    /// writes through the <c>...W</c> accessors, which own every part of a fresh state).
    /// </summary>
    internal static KernelState Initial(Machine m, History history)
    {
        var g = m.Geometry;
        return new KernelState(m)
        {
            folios = new Folio[g.Folios],
            cacheData = Enumerable.Repeat(DataTag.None, g.Units).ToArray(),
            extents = new ExtentType[g.Blocks],
            cow = new CowType[g.Blocks],
            disk = Enumerable.Repeat(DataTag.Stale, g.Units).ToArray(),
            cowDisk = Enumerable.Repeat(DataTag.Stale, g.Units).ToArray(),
            bios = [],
            work = [],
            fuseRequests = [],
            pendingDropbehind = [],
            dropbehindBatch = [],
            Threads = new ThreadCursor[m.Threads.Length],
            locals = new int[m.Threads.Length * m.LocalsPerThread],
            wt = new WtCtx[m.WriteCount + 1],
            history = history,
        };
    }

    /// <summary>The inode: a value, copied with the state, so a step writes its own copy directly.</summary>
    public Inode Inode;

    private Folio[] folios = [];

    /// <summary>The page cache: folios by index, for reading. A step writes through <see cref="FoliosW"/>.</summary>
    public ReadOnlySpan<Folio> Folios => folios;

    public Folio[] FoliosW => Own(ref folios, FoliosBit, static x => (Folio[])x.Clone());

    private byte[] cacheData = [];

    /// <summary>Cached data per unit (meaningful where the folio is present).</summary>
    public ReadOnlySpan<byte> CacheData => cacheData;

    public byte[] CacheDataW => Own(ref cacheData, CacheBit, static x => (byte[])x.Clone());

    /// <summary>Which copy-on-write parts this state still shares with the state it was cloned from.</summary>
    private int shared;

    private const int ExtentsBit = 1, CowBit = 2, DiskBit = 4, CowDiskBit = 8, BiosBit = 16, WorkBit = 32, FuseBit = 64,
        PendingBit = 128, BatchBit = 256, WtBit = 512, FoliosBit = 1024, CacheBit = 2048, LocalsBit = 4096, HistoryBit = 8192,
        AllShared = (HistoryBit << 1) - 1;

    /// <summary>
    /// The copy-on-write rule: a state shares its parent's parts until a step writes one; the
    /// <c>...W</c> accessors copy it on that first write. The plain accessors are read-only views, so
    /// writing a part shared with the parent does not compile.
    /// </summary>
    private T Own<T>(ref T field, int bit, Func<T, T> copy)
    {
        if ((shared & bit) != 0)
        {
            field = copy(field);
            shared &= ~bit;
        }
        return field;
    }

    private ExtentType[] extents = [];

    public ReadOnlySpan<ExtentType> Extents => extents;

    public ExtentType[] ExtentsW => Own(ref extents, ExtentsBit, static x => (ExtentType[])x.Clone());

    private CowType[] cow = [];

    public ReadOnlySpan<CowType> Cow => cow;

    public CowType[] CowW => Own(ref cow, CowBit, static x => (CowType[])x.Clone());

    private byte[] disk = [];

    /// <summary>Data-fork disk blocks, per unit.</summary>
    public ReadOnlySpan<byte> Disk => disk;

    public byte[] DiskW => Own(ref disk, DiskBit, static x => (byte[])x.Clone());

    private byte[] cowDisk = [];

    /// <summary>COW-fork staging blocks, per unit.</summary>
    public ReadOnlySpan<byte> CowDisk => cowDisk;

    public byte[] CowDiskW => Own(ref cowDisk, CowDiskBit, static x => (byte[])x.Clone());

    private List<Bio> bios;

    public ListView<Bio> Bios => new(bios);

    public List<Bio> BiosW => Own(ref bios, BiosBit, static x => [.. x]);

    private List<WorkItem> work;

    public ListView<WorkItem> Work => new(work);

    public List<WorkItem> WorkW => Own(ref work, WorkBit, static x => [.. x]);

    private List<FuseRequest> fuseRequests;

    public ListView<FuseRequest> FuseRequests => new(fuseRequests);

    public List<FuseRequest> FuseRequestsW => Own(ref fuseRequests, FuseBit, static x => [.. x]);

    private List<PendingDropbehind> pendingDropbehind;

    /// <summary>folio_end_dropbehind still to run in the context (thread) that ended writeback.</summary>
    public ListView<PendingDropbehind> PendingDropbehind => new(pendingDropbehind);

    public List<PendingDropbehind> PendingDropbehindW => Own(ref pendingDropbehind, PendingBit, static x => [.. x]);

    private List<int> dropbehindBatch;

    /// <summary>The dropbehind-deferral series' deferral batch (global, or the device CPU's list).</summary>
    public ListView<int> DropbehindBatch => new(dropbehindBatch);

    public List<int> DropbehindBatchW => Own(ref dropbehindBatch, BatchBit, static x => [.. x]);

    private WtCtx[] wt = [];

    /// <summary>Write-through contexts by write id.</summary>
    public ReadOnlySpan<WtCtx> Wt => wt;

    public WtCtx[] WtW => Own(ref wt, WtBit, static x => (WtCtx[])x.Clone());

    /// <summary>The threads' pcs: copied by every clone (every step moves one), so always the state's own.</summary>
    public ThreadCursor[] Threads = [];

    private int[] locals = [];

    private History history;

    /// <summary>The history summaries, for reading. A step that changes them uses <see cref="H"/>.</summary>
    public HistoryView History => new(history);

    /// <summary>The history summaries for writing: copied on the first write after a clone (they rarely change).</summary>
    public History H => Own(ref history, HistoryBit, static x => x.Clone());

    public Geometry Geo => Machine.Geometry;

    public KernelState Clone() => new(Machine)
    {
        Inode = Inode,
        folios = folios,
        cacheData = cacheData,
        extents = extents,
        cow = cow,
        disk = disk,
        cowDisk = cowDisk,
        bios = bios,
        work = work,
        fuseRequests = fuseRequests,
        pendingDropbehind = pendingDropbehind,
        dropbehindBatch = dropbehindBatch,
        wt = wt,
        shared = AllShared,
        Threads = (ThreadCursor[])Threads.Clone(),
        locals = locals,
        history = history,
        PeerTruncSeq = PeerTruncSeq,
    };

    /// <summary>A thread's local, for reading.</summary>
    public int Local(int tid, int slot) => locals[(tid * Machine.LocalsPerThread) + slot];

    /// <summary>A thread's local, for writing: the locals are copied on the first write after a clone.</summary>
    public ref int LocalW(int tid, int slot) =>
        ref Own(ref locals, LocalsBit, static x => (int[])x.Clone())[(tid * Machine.LocalsPerThread) + slot];

    public ref Folio FolioAt(int index) => ref FoliosW[index];

    public byte[] EncodeToArray()
    {
        var e = new Encoder(new byte[256]);
        Encode(ref e);
        return e.Written.ToArray();
    }
}
