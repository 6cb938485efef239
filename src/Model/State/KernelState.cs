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
    private Inode inode;

    /// <summary>The inode for reading; a step writes through <see cref="InodeW"/> (both record what they touch).</summary>
    public InodeView Inode => new(this);

    /// <summary>The inode's fields by reference, for writing.</summary>
    public InodeWriter InodeW => new(this);

    internal ref Inode InodeRef => ref inode;

    /// <summary>
    /// Set while a step runs on this state when its footprint is wanted (<see cref="Semantics.FootprintOf"/>):
    /// the accessors add what they hand out to it. Null otherwise.
    /// </summary>
    internal Footprint? Recording;

    private Folio[] folios = [];

    /// <summary>The page cache: folios by index, for reading. A step writes through <see cref="FoliosW"/>.</summary>
    public TrackedView<Folio> Folios => new(this, folios, 1, Footprint.FolioBase);

    public TrackedWriter<Folio> FoliosW => new(this, Own(ref folios, FoliosBit, static x => x.AsSpan().ToArray()), 1, Footprint.FolioBase);

    private byte[] cacheData = [];

    /// <summary>Cached data per unit (meaningful where the folio is present).</summary>
    public TrackedView<byte> CacheData => new(this, cacheData, Geo.UnitsPerFolio, Footprint.FolioBase);

    public TrackedWriter<byte> CacheDataW => new(this, Own(ref cacheData, CacheBit, static x => x.AsSpan().ToArray()), Geo.UnitsPerFolio, Footprint.FolioBase);

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

    public TrackedView<ExtentType> Extents => new(this, extents, Geo.BlocksPerFolio, Footprint.ExtentBase);

    public TrackedWriter<ExtentType> ExtentsW => new(this, Own(ref extents, ExtentsBit, static x => x.AsSpan().ToArray()), Geo.BlocksPerFolio, Footprint.ExtentBase);

    private CowType[] cow = [];

    public TrackedView<CowType> Cow => new(this, cow, Geo.BlocksPerFolio, Footprint.ExtentBase);

    public TrackedWriter<CowType> CowW => new(this, Own(ref cow, CowBit, static x => x.AsSpan().ToArray()), Geo.BlocksPerFolio, Footprint.ExtentBase);

    private byte[] disk = [];

    /// <summary>Data-fork disk blocks, per unit.</summary>
    public TrackedView<byte> Disk => new(this, disk, Geo.UnitsPerFolio, Footprint.DiskBase);

    public TrackedWriter<byte> DiskW => new(this, Own(ref disk, DiskBit, static x => x.AsSpan().ToArray()), Geo.UnitsPerFolio, Footprint.DiskBase);

    private byte[] cowDisk = [];

    /// <summary>COW-fork staging blocks, per unit.</summary>
    public TrackedView<byte> CowDisk => new(this, cowDisk, Geo.UnitsPerFolio, Footprint.DiskBase);

    public TrackedWriter<byte> CowDiskW => new(this, Own(ref cowDisk, CowDiskBit, static x => x.AsSpan().ToArray()), Geo.UnitsPerFolio, Footprint.DiskBase);

    private List<Bio> bios;

    public ListView<Bio> Bios => new(Read(bios, Footprint.Bios));

    public List<Bio> BiosW => Written(Footprint.Bios, ref bios, BiosBit, static x => [.. x]);

    private List<WorkItem> work;

    public ListView<WorkItem> Work => new(Read(work, Footprint.Work));

    public List<WorkItem> WorkW => Written(Footprint.Work, ref work, WorkBit, static x => [.. x]);

    private List<FuseRequest> fuseRequests;

    public ListView<FuseRequest> FuseRequests => new(Read(fuseRequests, Footprint.FuseRequests));

    public List<FuseRequest> FuseRequestsW => Written(Footprint.FuseRequests, ref fuseRequests, FuseBit, static x => [.. x]);

    private List<PendingDropbehind> pendingDropbehind;

    /// <summary>folio_end_dropbehind still to run in the context (thread) that ended writeback.</summary>
    public ListView<PendingDropbehind> PendingDropbehind => new(Read(pendingDropbehind, Footprint.PendingDropbehind));

    public List<PendingDropbehind> PendingDropbehindW => Written(Footprint.PendingDropbehind, ref pendingDropbehind, PendingBit, static x => [.. x]);

    /// <summary>
    /// Whether thread tid owes a folio_end_dropbehind. Only tid's own steps add or remove its entries
    /// (the context that ended writeback runs the continuation), so this reads tid's own component,
    /// not the list's: another thread's entry coming or going does not change the answer.
    /// </summary>
    internal bool OwesContinuation(int tid)
    {
        Recording?.Read(Footprint.ThreadBase + (tid % Footprint.ThreadSlots));
        foreach (var p in pendingDropbehind)
            if (p.Tid == tid) return true;
        return false;
    }

    private List<int> dropbehindBatch;

    /// <summary>The dropbehind-deferral series' deferral batch (global, or the device CPU's list).</summary>
    public ListView<int> DropbehindBatch => new(Read(dropbehindBatch, Footprint.DropbehindBatch));

    public List<int> DropbehindBatchW => Written(Footprint.DropbehindBatch, ref dropbehindBatch, BatchBit, static x => [.. x]);

    private WtCtx[] wt = [];

    /// <summary>Write-through contexts by write id.</summary>
    public ReadOnlySpan<WtCtx> Wt => Read(wt, Footprint.WriteThrough);

    public WtCtx[] WtW => Written(Footprint.WriteThrough, ref wt, WtBit, static x => x.AsSpan().ToArray());

    /// <summary>
    /// The threads' pcs: copied by every clone (every step moves one), so always the state's own.
    /// Not recorded: a step's footprint counts its own pc, and no step may read another thread's
    /// (the private-step reduction relies on it; only the peer model's SafeWhen conditions do, and
    /// they run outside any step).
    /// </summary>
    public ThreadCursor[] Threads = [];

    private int[] locals = [];

    private History history;

    /// <summary>The history summaries, for reading. A step that changes them uses <see cref="H"/>.</summary>
    public HistoryView History => new(Read(history, Footprint.History));

    /// <summary>The history summaries for writing: copied on the first write after a clone (they rarely change).</summary>
    public History H => Written(Footprint.History, ref history, HistoryBit, static x => x.Clone());

    public Geometry Geo => Machine.Geometry;

    public KernelState Clone() => new(Machine)
    {
        inode = inode,
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
        Threads = Threads.AsSpan().ToArray(),
        locals = locals,
        history = history,
        peerTruncSeq = peerTruncSeq,
        Recording = Recording, // a step's clone records into its parent's footprint (Semantics.Execute clears it after)
    };

    /// <summary>A thread's local, for reading.</summary>
    public int Local(int tid, int slot)
    {
        if (Recording is { } r) r.Read(LocalComponent(r, tid, slot));
        return locals[(tid * Machine.LocalsPerThread) + slot];
    }

    /// <summary>A thread's local, for writing: the locals are copied on the first write after a clone.</summary>
    public ref int LocalW(int tid, int slot)
    {
        if (Recording is { } r) r.Write(LocalComponent(r, tid, slot));
        return ref Own(ref locals, LocalsBit, static x => x.AsSpan().ToArray())[(tid * Machine.LocalsPerThread) + slot];
    }

    /// <summary>
    /// The component of thread tid's local slot: its private part (below the history slots), which
    /// only its own steps may touch, or its history slots and declared shared slots (<see cref="Steps.Local.Shared"/>),
    /// which others' may write (a completion, a shift).
    /// </summary>
    private static int LocalComponent(Footprint r, int tid, int slot)
    {
        if (slot >= Ops.OpHistory.ScratchSlots || (Steps.Local.SharedSlots & (1 << slot)) != 0) return Footprint.ThreadHistoryBase + (tid % Footprint.ThreadSlots);
        if (tid != r.Tid)
            throw new ModelError($"a step of thread {r.Tid} touched thread {tid}'s private local {slot} (only history slots are shared)");
        return Footprint.ThreadBase + (tid % Footprint.ThreadSlots);
    }

    public ref Folio FolioAt(int index) => ref FoliosW[index];

    private T Read<T>(T part, int component)
    {
        Recording?.Read(component);
        return part;
    }

    private T Written<T>(int component, ref T field, int bit, Func<T, T> copy)
    {
        Recording?.Write(component);
        return Own(ref field, bit, copy);
    }

    public byte[] EncodeToArray()
    {
        var e = new Encoder(new byte[256]);
        Encode(ref e);
        return e.Written.ToArray();
    }
}
