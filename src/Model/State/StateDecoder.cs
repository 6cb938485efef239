using ModelCheck.Model.Steps;

namespace ModelCheck.Model.State;

/// <summary>Reads back what <see cref="Encoder"/> wrote.</summary>
public ref struct Decoder(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> data = data;
    private int at;

    public readonly bool AtEnd => at == data.Length;

    /// <summary>Where the next read starts.</summary>
    public readonly int Position => at;

    public byte Byte() => data[at++];

    public bool Bool() => Byte() != 0;

    public int Short() => Byte() | (Byte() << 8);

    public int Int() => Short() | (Short() << 16);

    /// <summary>Reads what <see cref="Encoder.Small"/> wrote.</summary>
    public int Small()
    {
        byte b = Byte();
        return b != 255 ? b : Short();
    }

    public byte[] Bytes(int n)
    {
        var b = data.Slice(at, n).ToArray();
        at += n;
        return b;
    }
}

/// <summary>
/// Rebuilds a state from its canonical encoding. Its round trip (encode, decode, encode again gives
/// the same bytes and the same behaviour) is the test that the encoding is injective, which the
/// fingerprint set relies on: two different states must never share an encoding.
/// </summary>
public static class StateDecoder
{
    public static KernelState Decode(Machine m, ReadOnlySpan<byte> bytes) => Decode(m, bytes, []);

    /// <summary>
    /// As <see cref="Decode(Machine, ReadOnlySpan{byte})"/>; when parts has room for
    /// <see cref="KernelState.PartCount"/> + 1 offsets, it receives where each part of the encoding
    /// starts, and its end (for <see cref="KernelState.EncodeFrom"/>).
    /// </summary>
    public static KernelState Decode(Machine m, ReadOnlySpan<byte> bytes, Span<int> parts)
    {
        var d = new Decoder(bytes);
        return KernelState.DecodeParts(m, ref d, parts);
    }

    internal static Inode InodeOf(ref Decoder d)
    {
        var inode = new Inode
        {
            ISize = d.Short(),
            IDiskSize = d.Short(),
            IRwsem = RwSemOf(ref d),
            InvalidateLock = RwSemOf(ref d),
            DioCount = d.Byte(),
        };
        int flags = d.Byte();
        inode.StableWrites = (flags & 1) != 0;
        inode.WritebackMayDeadlock = (flags & 2) != 0;
        inode.DioDoneWq = (flags & 4) != 0;
        inode.DeviceStable = (flags & 8) != 0;
        inode.StableCount = d.Byte();
        inode.WbErr = d.Byte();
        int err = d.Byte();
        inode.AsEio = (err & 1) != 0;
        inode.IoErrors = (byte)(err >> 1);
        inode.PrivateLock = d.Byte();
        inode.ReadErrors = d.Byte();
        return inode;
    }

    internal static History HistoryOf(ref Decoder d, Machine m)
    {
        var g = m.Geometry;
        var h = new History { TruncSize = d.Short() - 1, SizeOpSince = d.Bool(), Writes = m.WriteCount };
        h.Floor = new int[g.Units];
        for (int u = 0; u < g.Units; u++) h.Floor[u] = d.Small();
        h.MustSurvive = d.Bytes(g.Units);
        h.UnitRank = new int[g.Units * (m.WriteCount + 1)];
        for (int i = 0; i < h.UnitRank.Length; i++) h.UnitRank[i] = d.Small();
        h.WriteCut = new int[m.WriteCount + 1];
        for (int w = 0; w < h.WriteCut.Length; w++) h.WriteCut[w] = d.Byte();
        h.ZeroRank = new int[g.Units];
        for (int u = 0; u < g.Units; u++) h.ZeroRank[u] = d.Small();
        h.NextRank = d.Short();
        h.ErrOwed = d.Int();
        h.ErrUnreported = d.Bool();
        h.ErrLost = d.Bytes(g.Units);
        h.PastDiskEof = d.Bytes(m.TracksCrashSize ? g.Units : 0);
        return h;
    }

    private static RwSem RwSemOf(ref Decoder d) => new() { Writer = (sbyte)(d.Byte() - 1), Readers = d.Int() };

    internal static Folio FolioOf(ref Decoder d)
    {
        int first = d.Byte();
        if (first == 0) return new Folio { LockOwner = (sbyte)(d.Byte() - 1) };
        int flags = first | (d.Byte() << 8);
        var f = new Folio
        {
            Present = true,
            Dirty = (flags & 2) != 0, Writeback = (flags & 4) != 0, Dropbehind = (flags & 8) != 0, Reclaim = (flags & 16) != 0,
            TagDirty = (flags & 32) != 0, TagToWrite = (flags & 64) != 0, TagWriteback = (flags & 128) != 0,
            PteMapped = (flags & 256) != 0, PteDirty = (flags & 1024) != 0,
            DontcacheOrigin = (flags & 2048) != 0, StableIo = (flags & 4096) != 0,
            Buffers = (flags & 8192) != 0, BhMigrate = (flags & 16384) != 0, BhOnOldFolio = (flags & 32768) != 0,
            LockOwner = (sbyte)(d.Byte() - 1),
            UptodateMask = d.Byte(), DirtyMask = d.Byte(), LeakCause = d.Byte(), WritebackMask = d.Byte(),
        };
        f.PteWritablePages = d.Byte();
        f.BhRefs = d.Byte();
        return f;
    }

    internal static Bio BioOf(ref Decoder d, Geometry g)
    {
        var kind = (BioKind)d.Byte();
        int owner = d.Byte() - 1;
        int first = d.Byte(), count = d.Byte();
        var data = d.Bytes(count * g.UnitsPerBlock);
        var folios = new int[d.Byte()];
        for (int i = 0; i < folios.Length; i++) folios[i] = d.Byte();
        int flags = d.Byte();
        return new Bio(kind, owner, first, count, data, folios, (flags & 1) != 0, (flags & 2) != 0, d.Short(), (flags & 4) != 0,
            (flags & 8) != 0, (flags & 16) != 0, (flags & 32) != 0, (flags & 64) != 0, (flags & 128) != 0);
    }

    internal static WtCtx WtOf(ref Decoder d)
    {
        int flags = d.Byte();
        if (flags == 0) return default;
        return new WtCtx
        {
            Active = true, Aio = (flags & 2) != 0, Waiting = (flags & 4) != 0, DioRef = (flags & 8) != 0,
            Unwritten = (flags & 16) != 0, Completed = (flags & 32) != 0,
            Ref = d.Byte(), Pos = d.Short(), Written = d.Short(), NewISize = d.Short(), WriteId = d.Byte(), FolioMask = d.Byte(), Cow = d.Bool(),
        };
    }
}
