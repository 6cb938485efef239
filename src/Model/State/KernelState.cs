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
    public Inode Inode;
    public Folio[] Folios = [];
    /// <summary>Cached data per unit (meaningful where the folio is present).</summary>
    public byte[] CacheData = [];
    public ExtentType[] Extents = [];
    public CowType[] Cow = [];
    /// <summary>Data-fork disk blocks, per unit.</summary>
    public byte[] Disk = [];
    /// <summary>COW-fork staging blocks, per unit.</summary>
    public byte[] CowDisk = [];
    public List<Bio> Bios = [];
    public List<WorkItem> Work = [];
    public List<FuseRequest> FuseRequests = [];
    /// <summary>folio_end_dropbehind still to run in the context (thread) that ended writeback.</summary>
    public List<PendingDropbehind> PendingDropbehind = [];
    /// <summary>Seed 001's deferral batch (global, or the device CPU's list).</summary>
    public List<int> DropbehindBatch = [];
    public ThreadCursor[] Threads = [];
    public int[] Locals = [];
    public WtCtx[] Wt = [];
    private History history = new();
    private bool historyShared;

    /// <summary>The history summaries, for reading. A step that changes them uses <see cref="H"/>.</summary>
    public History History
    {
        get => history;
        init => history = value;
    }

    /// <summary>The history summaries for writing: copied on the first write after a clone (they rarely change).</summary>
    public History H
    {
        get
        {
            if (historyShared)
            {
                history = history.Clone();
                historyShared = false;
            }
            return history;
        }
    }

    public Geometry Geo => Machine.Geometry;

    public KernelState Clone() => new()
    {
        Machine = Machine,
        Inode = Inode,
        Folios = (Folio[])Folios.Clone(),
        CacheData = (byte[])CacheData.Clone(),
        Extents = (ExtentType[])Extents.Clone(),
        Cow = (CowType[])Cow.Clone(),
        Disk = (byte[])Disk.Clone(),
        CowDisk = (byte[])CowDisk.Clone(),
        Bios = [.. Bios],
        Work = [.. Work],
        FuseRequests = [.. FuseRequests],
        PendingDropbehind = [.. PendingDropbehind],
        DropbehindBatch = [.. DropbehindBatch],
        Threads = (ThreadCursor[])Threads.Clone(),
        Locals = (int[])Locals.Clone(),
        Wt = (WtCtx[])Wt.Clone(),
        history = history,
        historyShared = true,
    };

    public ref int Local(int tid, int slot) => ref Locals[(tid * Machine.LocalsPerThread) + slot];

    public ref Folio FolioAt(int index) => ref Folios[index];

    /// <summary>Canonical encoding: equal states encode to equal bytes.</summary>
    public void Encode(ref Encoder e)
    {
        Inode.Encode(ref e);
        for (int i = 0; i < Folios.Length; i++)
        {
            Folios[i].Encode(ref e);
            if (Folios[i].Present)
            {
                int u0 = Geo.FirstUnitOfFolio(i);
                e.Bytes(CacheData.AsSpan(u0, Geo.UnitsPerFolio));
            }
        }
        foreach (var x in Extents) e.Byte((byte)x);
        foreach (var x in Cow) e.Byte((byte)x);
        e.Bytes(Disk);
        e.Bytes(CowDisk);
        e.Byte((byte)Bios.Count);
        foreach (var b in Bios) b.Encode(ref e);
        e.Byte((byte)Work.Count);
        foreach (var w in Work) w.Encode(ref e);
        e.Byte((byte)FuseRequests.Count);
        foreach (var r in FuseRequests) r.Encode(ref e);
        e.Byte((byte)PendingDropbehind.Count);
        foreach (var p in PendingDropbehind)
        {
            e.Byte((byte)p.Folio);
            e.Byte((byte)p.Tid);
            e.Bool(p.PreFix);
        }
        e.Byte((byte)DropbehindBatch.Count);
        foreach (var f in DropbehindBatch) e.Byte((byte)f);
        foreach (var t in Threads) t.Encode(ref e);
        foreach (var l in Locals) e.Short(l);
        foreach (var w in Wt) w.Encode(ref e);
        History.Encode(ref e);
    }

    public byte[] EncodeToArray()
    {
        var e = new Encoder(new byte[256]);
        Encode(ref e);
        return e.Written.ToArray();
    }
}
