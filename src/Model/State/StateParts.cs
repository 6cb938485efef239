using System.Runtime.InteropServices;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.State;

/// <summary>
/// The state's parts, each declared once: its name, its canonical encoding, its decoding, and the
/// copy-on-write instance a successor may still share with its parent (then its bytes are copied
/// from the parent's encoding instead of encoded again). A new field is one edit to its part.
/// </summary>
public sealed partial class KernelState
{
    private delegate void EncodePart(KernelState s, ref Encoder e);

    private delegate void DecodePart(KernelState s, ref Decoder d);

    /// <summary>One part: Instance is null for the parts every step copies (the inode, the pcs), which are always encoded.</summary>
    private sealed record Part(string Name, EncodePart Encode, DecodePart Decode, Func<KernelState, KernelState, bool>? SharedWith = null);

    private static readonly Part[] Parts =
    [
        new("inode", static (KernelState s, ref Encoder e) => s.inode.Encode(ref e),
            static (KernelState s, ref Decoder d) => s.inode = StateDecoder.InodeOf(ref d)),
        new("folios and cached data", static (KernelState s, ref Encoder e) =>
            {
                var g = s.Geo;
                for (int i = 0; i < s.folios.Length; i++)
                {
                    s.folios[i].Encode(ref e);
                    if (s.folios[i].Present) e.Bytes(s.cacheData.AsSpan(g.FirstUnitOfFolio(i), g.UnitsPerFolio));
                }
            },
            static (KernelState s, ref Decoder d) =>
            {
                var g = s.Geo;
                s.folios = new Folio[g.Folios];
                s.cacheData = new byte[g.Units];
                Array.Fill(s.cacheData, DataTag.None);
                for (int i = 0; i < g.Folios; i++)
                {
                    s.folios[i] = StateDecoder.FolioOf(ref d);
                    if (s.folios[i].Present) d.Bytes(g.UnitsPerFolio).CopyTo(s.cacheData, g.FirstUnitOfFolio(i));
                }
            },
            static (s, p) => ReferenceEquals(s.folios, p.folios) && ReferenceEquals(s.cacheData, p.cacheData)),
        new("extents", static (KernelState s, ref Encoder e) => e.Bytes(MemoryMarshal.AsBytes(s.extents.AsSpan())),
            static (KernelState s, ref Decoder d) => s.extents = MemoryMarshal.Cast<byte, ExtentType>(d.Bytes(s.Geo.Blocks)).ToArray(),
            static (s, p) => ReferenceEquals(s.extents, p.extents)),
        new("cow fork", static (KernelState s, ref Encoder e) => e.Bytes(MemoryMarshal.AsBytes(s.cow.AsSpan())),
            static (KernelState s, ref Decoder d) => s.cow = MemoryMarshal.Cast<byte, CowType>(d.Bytes(s.Geo.Blocks)).ToArray(),
            static (s, p) => ReferenceEquals(s.cow, p.cow)),
        new("disk", static (KernelState s, ref Encoder e) => e.Bytes(s.disk),
            static (KernelState s, ref Decoder d) => s.disk = d.Bytes(s.Geo.Units),
            static (s, p) => ReferenceEquals(s.disk, p.disk)),
        new("cow disk", static (KernelState s, ref Encoder e) => e.Bytes(s.cowDisk),
            static (KernelState s, ref Decoder d) => s.cowDisk = d.Bytes(s.Geo.Units),
            static (s, p) => ReferenceEquals(s.cowDisk, p.cowDisk)),
        ListPart("bios", static s => s.bios, static (s, l) => s.bios = l,
            static (Bio b, ref Encoder e) => b.Encode(ref e), static (KernelState s, ref Decoder d) => StateDecoder.BioOf(ref d, s.Geo),
            static (s, p) => ReferenceEquals(s.bios, p.bios)),
        ListPart("work", static s => s.work, static (s, l) => s.work = l,
            static (WorkItem w, ref Encoder e) => w.Encode(ref e),
            static (KernelState s, ref Decoder d) =>
            {
                var kind = (WorkKind)d.Byte();
                int owner = d.Byte() - 1;
                return new WorkItem(kind, owner, d.Bool() ? StateDecoder.BioOf(ref d, s.Geo) : null);
            },
            static (s, p) => ReferenceEquals(s.work, p.work)),
        ListPart("fuse requests", static s => s.fuseRequests, static (s, l) => s.fuseRequests = l,
            static (FuseRequest r, ref Encoder e) => r.Encode(ref e),
            static (KernelState s, ref Decoder d) => new FuseRequest(d.Byte(), d.Byte(), d.Bytes(s.Geo.UnitsPerFolio), d.Bool(), d.Byte() - 1),
            static (s, p) => ReferenceEquals(s.fuseRequests, p.fuseRequests)),
        ListPart("pending dropbehind", static s => s.pendingDropbehind, static (s, l) => s.pendingDropbehind = l,
            static (PendingDropbehind x, ref Encoder e) =>
            {
                e.Byte((byte)x.Folio);
                e.Byte((byte)x.Tid);
                e.Bool(x.PreFix);
            },
            static (KernelState _, ref Decoder d) => new PendingDropbehind(d.Byte(), d.Byte(), d.Bool()),
            static (s, p) => ReferenceEquals(s.pendingDropbehind, p.pendingDropbehind)),
        ListPart("dropbehind batch", static s => s.dropbehindBatch, static (s, l) => s.dropbehindBatch = l,
            static (int f, ref Encoder e) => e.Byte((byte)f), static (KernelState _, ref Decoder d) => d.Byte(),
            static (s, p) => ReferenceEquals(s.dropbehindBatch, p.dropbehindBatch)),
        new("pcs", static (KernelState s, ref Encoder e) =>
            {
                foreach (var t in s.Threads) t.Encode(ref e);
            },
            static (KernelState s, ref Decoder d) =>
            {
                s.Threads = new ThreadCursor[s.Machine.Threads.Length];
                for (int t = 0; t < s.Threads.Length; t++) s.Threads[t].Pc = (short)d.Small();
            }),
        new("locals", static (KernelState s, ref Encoder e) => e.Smalls(s.locals),
            static (KernelState s, ref Decoder d) =>
            {
                s.locals = new int[s.Machine.Threads.Length * s.Machine.LocalsPerThread];
                for (int i = 0; i < s.locals.Length; i++) s.locals[i] = d.Small();
            },
            static (s, p) => ReferenceEquals(s.locals, p.locals)),
        new("write-through contexts", static (KernelState s, ref Encoder e) =>
            {
                foreach (var w in s.wt) w.Encode(ref e);
            },
            static (KernelState s, ref Decoder d) =>
            {
                s.wt = new WtCtx[s.Machine.WriteCount + 1];
                for (int w = 0; w < s.wt.Length; w++) s.wt[w] = StateDecoder.WtOf(ref d);
            },
            static (s, p) => ReferenceEquals(s.wt, p.wt)),
        new("history", static (KernelState s, ref Encoder e) => s.history.Encode(ref e),
            static (KernelState s, ref Decoder d) => s.history = StateDecoder.HistoryOf(ref d, s.Machine),
            static (s, p) => ReferenceEquals(s.history, p.history)),
        new("peer model", static (KernelState s, ref Encoder e) => e.Byte(s.peerTruncSeq),
            static (KernelState s, ref Decoder d) => s.peerTruncSeq = d.Byte()),
    ];

    private delegate void EncodeItem<T>(T item, ref Encoder e);

    private delegate T DecodeItem<T>(KernelState s, ref Decoder d);

    /// <summary>A part that is a list: its count as a byte, then its items.</summary>
    private static Part ListPart<T>(string name, Func<KernelState, List<T>> get, Action<KernelState, List<T>> set,
        EncodeItem<T> encode, DecodeItem<T> decode, Func<KernelState, KernelState, bool> sharedWith) =>
        new(name,
            (KernelState s, ref Encoder e) =>
            {
                var list = get(s);
                e.Byte((byte)list.Count);
                foreach (var item in list) encode(item, ref e);
            },
            (KernelState s, ref Decoder d) =>
            {
                var list = new List<T>();
                for (int n = d.Byte(); n > 0; n--) list.Add(decode(s, ref d));
                set(s, list);
            },
            sharedWith);

    /// <summary>The encoding is these parts, in this order.</summary>
    public static int PartCount => Parts.Length;

    /// <summary>The parts' names, in encoding order.</summary>
    public static IEnumerable<string> PartNames => Parts.Select(p => p.Name);

    /// <summary>Canonical encoding: equal states encode to equal bytes.</summary>
    public void Encode(ref Encoder e)
    {
        foreach (var p in Parts) p.Encode(this, ref e);
    }

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
        for (int k = 0; k < Parts.Length; k++)
        {
            if (Parts[k].SharedWith is { } shares && shares(this, parent))
            {
                if (run < 0) run = k;
                continue;
            }
            if (run >= 0)
            {
                e.Bytes(parentBytes[parentParts[run]..parentParts[k]]);
                run = -1;
            }
            Parts[k].Encode(this, ref e);
        }
        if (run >= 0) e.Bytes(parentBytes[parentParts[run]..parentParts[Parts.Length]]);
    }

    /// <summary>Rebuilds a state from its encoding; parts, when it has room, receives where each part starts and the end.</summary>
    internal static KernelState DecodeParts(Machine m, ref Decoder d, Span<int> parts)
    {
        var s = new KernelState(m);
        bool mark = parts.Length > Parts.Length;
        for (int k = 0; k < Parts.Length; k++)
        {
            if (mark) parts[k] = d.Position;
            Parts[k].Decode(s, ref d);
        }
        if (!d.AtEnd) throw new ModelError("state encoding has trailing bytes");
        if (mark) parts[Parts.Length] = d.Position;
        return s;
    }
}

/// <summary>A read-only view of the history summaries (<see cref="KernelState.History"/>); steps write through <see cref="KernelState.H"/>.</summary>
public readonly struct HistoryView(History h)
{
    public int TruncSize => h.TruncSize;

    public bool SizeOpSince => h.SizeOpSince;

    public ReadOnlySpan<int> Floor => h.Floor;

    public ReadOnlySpan<byte> MustSurvive => h.MustSurvive;

    public ReadOnlySpan<int> WriteCut => h.WriteCut;

    public int Writes => h.Writes;

    public int NextRank => h.NextRank;

    public int Rank(int unit, byte tag) => h.Rank(unit, tag);

    public ReadOnlySpan<int> ZeroRank => h.ZeroRank;

    public bool FloorIsZeroing(int unit, int floor) => h.FloorIsZeroing(unit, floor);

    public int ErrOwed => h.ErrOwed;

    public bool ErrUnreported => h.ErrUnreported;

    /// <summary>Per unit: write data landed there past the on-disk size (empty unless the scenario checks crash-size).</summary>
    public ReadOnlySpan<byte> PastDiskEof => h.PastDiskEof;
}
