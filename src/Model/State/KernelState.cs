using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.State;

/// <summary>
/// The whole modelled kernel state: inode, mapping (folios and their data), extents, disk,
/// bios and work in flight, threads, and history summaries. Steps mutate a fresh clone, so
/// every state the engines keep is a value that never changes after it is built.
/// </summary>
public sealed class KernelState
{
    public required Machine Machine { get; init; }

    /// <summary>A state with empty parts; the caller sets what it needs.</summary>
    public KernelState()
    {
        bios = [];
        work = [];
        fuseRequests = [];
        pendingDropbehind = [];
        dropbehindBatch = [];
        history = new();
    }

    /// <summary>A state whose every part the caller sets (clone, decoder): builds no empty parts first.</summary>
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
    public Inode Inode;
    private Folio[] folios = [];

    /// <summary>The page cache: folios by index.</summary>
    public Folio[] Folios { get => folios; init => folios = value; }

    public Folio[] FoliosW => Own(ref folios, FoliosBit, static x => (Folio[])x.Clone());

    private byte[] cacheData = [];

    /// <summary>Cached data per unit (meaningful where the folio is present).</summary>
    public byte[] CacheData { get => cacheData; init => cacheData = value; }

    public byte[] CacheDataW => Own(ref cacheData, CacheBit, static x => (byte[])x.Clone());

    /// <summary>Which copy-on-write parts this state still shares with the state it was cloned from.</summary>
    private int shared;

    private const int ExtentsBit = 1, CowBit = 2, DiskBit = 4, CowDiskBit = 8, BiosBit = 16, WorkBit = 32, FuseBit = 64,
        PendingBit = 128, BatchBit = 256, WtBit = 512, FoliosBit = 1024, CacheBit = 2048, LocalsBit = 4096, HistoryBit = 8192,
        AllShared = (HistoryBit << 1) - 1;

    /// <summary>
    /// The copy-on-write rule: a state shares its parent's arrays until a step writes one; the
    /// <c>...W</c> accessors copy it on that first write. Reads use the plain accessors.
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

    public ExtentType[] Extents { get => extents; init => extents = value; }

    public ExtentType[] ExtentsW => Own(ref extents, ExtentsBit, static x => (ExtentType[])x.Clone());

    private CowType[] cow = [];

    public CowType[] Cow { get => cow; init => cow = value; }

    public CowType[] CowW => Own(ref cow, CowBit, static x => (CowType[])x.Clone());

    private byte[] disk = [];

    /// <summary>Data-fork disk blocks, per unit.</summary>
    public byte[] Disk { get => disk; init => disk = value; }

    public byte[] DiskW => Own(ref disk, DiskBit, static x => (byte[])x.Clone());

    private byte[] cowDisk = [];

    /// <summary>COW-fork staging blocks, per unit.</summary>
    public byte[] CowDisk { get => cowDisk; init => cowDisk = value; }

    public byte[] CowDiskW => Own(ref cowDisk, CowDiskBit, static x => (byte[])x.Clone());

    private List<Bio> bios;

    public List<Bio> Bios { get => bios; init => bios = value; }

    public List<Bio> BiosW => Own(ref bios, BiosBit, static x => [.. x]);

    private List<WorkItem> work;

    public List<WorkItem> Work { get => work; init => work = value; }

    public List<WorkItem> WorkW => Own(ref work, WorkBit, static x => [.. x]);

    private List<FuseRequest> fuseRequests;

    public List<FuseRequest> FuseRequests { get => fuseRequests; init => fuseRequests = value; }

    public List<FuseRequest> FuseRequestsW => Own(ref fuseRequests, FuseBit, static x => [.. x]);

    private List<PendingDropbehind> pendingDropbehind;

    /// <summary>folio_end_dropbehind still to run in the context (thread) that ended writeback.</summary>
    public List<PendingDropbehind> PendingDropbehind { get => pendingDropbehind; init => pendingDropbehind = value; }

    public List<PendingDropbehind> PendingDropbehindW => Own(ref pendingDropbehind, PendingBit, static x => [.. x]);

    private List<int> dropbehindBatch;

    /// <summary>The dropbehind-deferral series' deferral batch (global, or the device CPU's list).</summary>
    public List<int> DropbehindBatch { get => dropbehindBatch; init => dropbehindBatch = value; }

    public List<int> DropbehindBatchW => Own(ref dropbehindBatch, BatchBit, static x => [.. x]);

    private WtCtx[] wt = [];

    /// <summary>Write-through contexts by write id.</summary>
    public WtCtx[] Wt { get => wt; init => wt = value; }

    public WtCtx[] WtW => Own(ref wt, WtBit, static x => (WtCtx[])x.Clone());

    public ThreadCursor[] Threads = [];

    private int[] locals = [];

    /// <summary>Every thread's locals, LocalsPerThread slots each.</summary>
    public int[] Locals
    {
        get => locals;
        init => locals = value;
    }

    private History history;

    /// <summary>The history summaries, for reading. A step that changes them uses <see cref="H"/>.</summary>
    public History History
    {
        get => history;
        init => history = value;
    }

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
    };

    /// <summary>A thread's local, for reading.</summary>
    public int Local(int tid, int slot) => locals[(tid * Machine.LocalsPerThread) + slot];

    /// <summary>A thread's local, for writing: the locals are copied on the first write after a clone.</summary>
    public ref int LocalW(int tid, int slot) =>
        ref Own(ref locals, LocalsBit, static x => (int[])x.Clone())[(tid * Machine.LocalsPerThread) + slot];

    public ref Folio FolioAt(int index) => ref FoliosW[index];

    /// <summary>Canonical encoding: equal states encode to equal bytes.</summary>
    public void Encode(ref Encoder e)
    {
        for (int k = 0; k < PartCount; k++) EncodePart(k, ref e);
    }

    /// <summary>The encoding is these parts, in this order (<see cref="StateDecoder"/> can report where each starts).</summary>
    public const int PartCount = 15;

    /// <summary>
    /// The encoding of a successor of parent, whose encoding is parentBytes with its parts starting
    /// at parentParts (PartCount + 1 offsets, the last one its end): a part this state still shares
    /// with the parent (the same instance, by the copy-on-write rule unchanged) is copied from the
    /// parent's bytes, adjacent ones in one copy; the others are encoded. Gives exactly the bytes of
    /// <see cref="Encode"/>, for less work when a step changes a few parts.
    /// </summary>
    public void EncodeFrom(ref Encoder e, KernelState parent, ReadOnlySpan<byte> parentBytes, ReadOnlySpan<int> parentParts)
    {
        int run = -1; // first part of the pending run of copied parts
        for (int k = 0; k < PartCount; k++)
        {
            if (SharesPart(k, parent))
            {
                if (run < 0) run = k;
                continue;
            }
            if (run >= 0)
            {
                e.Bytes(parentBytes[parentParts[run]..parentParts[k]]);
                run = -1;
            }
            EncodePart(k, ref e);
        }
        if (run >= 0) e.Bytes(parentBytes[parentParts[run]..parentParts[PartCount]]);
    }

    private bool SharesPart(int k, KernelState p) => k switch
    {
        1 => ReferenceEquals(folios, p.folios) && ReferenceEquals(cacheData, p.cacheData),
        2 => ReferenceEquals(extents, p.extents),
        3 => ReferenceEquals(cow, p.cow),
        4 => ReferenceEquals(disk, p.disk),
        5 => ReferenceEquals(cowDisk, p.cowDisk),
        6 => ReferenceEquals(bios, p.bios),
        7 => ReferenceEquals(work, p.work),
        8 => ReferenceEquals(fuseRequests, p.fuseRequests),
        9 => ReferenceEquals(pendingDropbehind, p.pendingDropbehind),
        10 => ReferenceEquals(dropbehindBatch, p.dropbehindBatch),
        12 => ReferenceEquals(locals, p.locals),
        13 => ReferenceEquals(wt, p.wt),
        14 => ReferenceEquals(history, p.history),
        _ => false, // the inode (a value) and the threads' pcs (copied by every step) are always encoded
    };

    private void EncodePart(int k, ref Encoder e)
    {
        switch (k)
        {
            case 0:
                Inode.Encode(ref e);
                break;
            case 1:
                for (int i = 0; i < Folios.Length; i++)
                {
                    Folios[i].Encode(ref e);
                    if (Folios[i].Present) e.Bytes(CacheData.AsSpan(Geo.FirstUnitOfFolio(i), Geo.UnitsPerFolio));
                }
                break;
            case 2:
                e.Bytes(MemoryMarshal.AsBytes(Extents.AsSpan()));
                break;
            case 3:
                e.Bytes(MemoryMarshal.AsBytes(Cow.AsSpan()));
                break;
            case 4:
                e.Bytes(Disk);
                break;
            case 5:
                e.Bytes(CowDisk);
                break;
            case 6:
                e.Byte((byte)Bios.Count);
                foreach (var b in Bios) b.Encode(ref e);
                break;
            case 7:
                e.Byte((byte)Work.Count);
                foreach (var w in Work) w.Encode(ref e);
                break;
            case 8:
                e.Byte((byte)FuseRequests.Count);
                foreach (var r in FuseRequests) r.Encode(ref e);
                break;
            case 9:
                e.Byte((byte)PendingDropbehind.Count);
                foreach (var p in PendingDropbehind)
                {
                    e.Byte((byte)p.Folio);
                    e.Byte((byte)p.Tid);
                    e.Bool(p.PreFix);
                }
                break;
            case 10:
                e.Byte((byte)DropbehindBatch.Count);
                foreach (var f in DropbehindBatch) e.Byte((byte)f);
                break;
            case 11:
                foreach (var t in Threads) t.Encode(ref e);
                break;
            case 12:
                e.Smalls(Locals);
                break;
            case 13:
                foreach (var w in Wt) w.Encode(ref e);
                break;
            default:
                History.Encode(ref e);
                break;
        }
    }

    public byte[] EncodeToArray()
    {
        var e = new Encoder(new byte[256]);
        Encode(ref e);
        return e.Written.ToArray();
    }
}
