using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// Operation begin/end bookkeeping for the history invariants: version ranks of writes, the
/// per-unit floor reads must not undercut, the writes that must survive, the last truncate.
/// </summary>
public static class OpHistory
{
    public const int Scratch0 = 0;
    public const int Scratch1 = 1;
    public const int Scratch2 = 2;
    public const int Scratch3 = 3;

    /// <summary>iomap_zero_range: 1 + the unit its flush starts at while the flush runs (0: no flush).</summary>
    public const int ZeroFlush = 4;
    public const int ScratchSlots = 5;

    /// <summary>
    /// Locals a thread needs: the scratch slots, and per unit a read's floor and what it saw (reads,
    /// fsync and sync use those). The SPIN peer model's processes (bench) use the scratch slots only,
    /// so its states do not carry slots that are always zero.
    /// </summary>
    public static int LocalsPerThread(Geometry g, bool bench) => bench ? ScratchSlots : ScratchSlots + (2 * g.Units) + 2;

    /// <summary>The slot of the thread's open file's f_wb_err (after the read history).</summary>
    public static int FileWbErrSlot(Geometry g) => ScratchSlots + (2 * g.Units);

    /// <summary>The slot counting the thread's asynchronous O_DIRECT writes not yet completed (io_getevents waits for it).</summary>
    public static int AioInFlightSlot(Geometry g) => ScratchSlots + (2 * g.Units) + 1;

    public static void SizeOpStarted(KernelState s) => s.H.SizeOpSince = true;

    /// <summary>truncate(n) started: data past n is being discarded, so it no longer has to survive.</summary>
    public static void TruncateStarted(KernelState s, int newSize)
    {
        var h = s.H;
        h.SizeOpSince = true;
        for (int w = 0; w < h.WriteCut.Length; w++)
            if (h.WriteCut[w] > newSize) h.WriteCut[w] = newSize;
        for (int u = newSize; u < s.Geo.Units; u++) h.MustSurvive[u] = DataTag.None;
    }

    public static void WriteStarted(KernelState s, int writeId, int from, int to)
    {
        var h = s.H;
        h.WriteCut[writeId] = s.Geo.Units + 1;
        h.SizeOpSince = true;
        for (int u = from; u < to; u++) h.MustSurvive[u] = DataTag.None;
    }

    /// <summary>The write's data landed in units [from, to) (cache or disk): each unit orders its versions by landing.</summary>
    public static void WriteApplied(KernelState s, byte tag, int from, int to)
    {
        for (int u = from; u < to; u++)
        {
            s.H.Landed(u, tag);
            LandedAt(s, u);
        }
    }

    /// <summary>
    /// Write data landed in unit u (cache or disk): past the on-disk size, a crash that recovers a
    /// size over u must find data there (crash-size). Kept only when the scenario checks it.
    /// </summary>
    public static void LandedAt(KernelState s, int u)
    {
        if (s.Machine.TracksCrashSize && u >= s.Inode.IDiskSize && s.History.PastDiskEof[u] == 0) s.H.PastDiskEof[u] = 1;
    }

    /// <summary>[from, to) no longer holds data a crash must recover: cut off, or defined as zeros.</summary>
    private static void ForgetPastDiskEof(History h, int from, int to)
    {
        for (int u = from; u < Math.Min(to, h.PastDiskEof.Length); u++) h.PastDiskEof[u] = 0;
    }

    /// <summary>
    /// The write returned to its caller (or its aio completed): its data must now be seen and kept,
    /// except where a truncate that ran concurrently with it cut the file (either order is legal there).
    /// </summary>
    public static void WriteDone(KernelState s, int writeId, int from, int to)
    {
        var h = s.H;
        byte tag = DataTag.Write(writeId);
        int limit = Math.Min(s.Inode.ISize, h.WriteCut[writeId]);
        h.WriteCut[writeId] = 0;
        var (punchFrom, punchTo) = PunchHole.InProgress(s);
        for (int u = from; u < to && u < limit; u++)
        {
            if (h.ErrLost[u] == tag) continue; // a writeback error already lost it: fsync owes the error instead
            if (u >= punchFrom && u < punchTo) continue; // a concurrent punch may discard it: either order is legal
            int rank = h.Rank(u, tag);
            h.Floor[u] = Math.Max(h.Floor[u], rank);
            // a newer write that already replaced this data wins (a store during a write-through, an
            // O_DIRECT write that landed on disk under a folio a read filled before it)
            if (Newer(s, u, tag, rank, PageCache.DiskRead(s, u))) continue;
            int fi = s.Geo.FolioOfUnit(u);
            bool cached = s.Folios[fi].Present && (s.Folios[fi].UptodateMask & (1 << (s.Geo.BlockOfUnit(u) - s.Geo.FirstBlockOfFolio(fi)))) != 0;
            if (cached && Newer(s, u, tag, rank, s.CacheData[u])) continue;
            h.MustSurvive[u] = tag;
        }
    }

    private static bool Newer(KernelState s, int u, byte tag, int rank, byte other) =>
        DataTag.IsWrite(other) && other != tag && s.History.Rank(u, other) > rank;

    public static void TruncateSetSize(KernelState s, int newSize)
    {
        var h = s.H;
        for (int w = 0; w < h.WriteCut.Length; w++)
            if (h.WriteCut[w] > newSize) h.WriteCut[w] = newSize;
        for (int u = newSize; u < s.Geo.Units; u++)
        {
            h.Floor[u] = 0;
            h.MustSurvive[u] = DataTag.None;
            h.ZeroRank[u] = 0;
        }
        ForgetPastDiskEof(h, newSize, s.Geo.Units);
    }

    /// <summary>
    /// An operation that defines [from, to) as zeros (a hole punch) returned: below EOF, zeros are
    /// now the newest version there, so a read that starts later must return them until a write lands.
    /// </summary>
    public static void Zeroed(KernelState s, int from, int to)
    {
        var h = s.H;
        int rank = h.NextRank++;
        for (int u = from; u < Math.Min(to, s.Inode.ISize); u++)
        {
            h.ZeroRank[u] = rank;
            h.Floor[u] = rank;
        }
        ForgetPastDiskEof(h, from, to);
    }

    /// <summary>
    /// i_size_write growing the file to newSize: the bytes between the old EOF and the new one that
    /// the growing operation does not write itself ([writeFrom, writeTo)) are zeros from now on
    /// (zeroed-range), whatever the cache held past the old EOF: a store through mmap past EOF is
    /// not part of the file, and the kernel must zero it before the size exposes it.
    /// </summary>
    public static void GrowSize(KernelState s, int newSize, int writeFrom, int writeTo, StepContext? note = null)
    {
        int old = s.Inode.ISize;
        if (newSize <= old) return;
        s.InodeW.ISize = newSize;
        note?.Note($"i_size_write({s.Geo.Bytes(newSize)})");
        var h = s.H;
        int rank = 0;
        for (int u = old; u < newSize; u++)
        {
            if (u >= writeFrom && u < writeTo) continue;
            // data an extending write still in flight put there (a concurrent AIO write past the
            // old EOF) is the file's, not garbage: it stays the newest version
            byte cached = s.CacheData[u];
            if (DataTag.IsWrite(cached) && DataTag.WriteId(cached) > 0 && h.WriteCut[DataTag.WriteId(cached)] != 0) continue;
            if (rank == 0) rank = h.NextRank++;
            h.ZeroRank[u] = rank;
            h.Floor[u] = rank;
            ForgetPastDiskEof(h, u, u + 1);
        }
    }

    /// <summary>
    /// A collapse or insert moved the data of units [src, src + count) to [dst, dst + count): each
    /// unit's versions, floor, owed data and zeros move with it; the units it left are forgotten.
    /// </summary>
    public static void ShiftUnits(KernelState s, int src, int dst, int count)
    {
        var h = s.H;
        int w = h.Writes + 1, units = s.Geo.Units;
        var floor = h.Floor.ToArray();
        var must = h.MustSurvive.ToArray();
        var zero = h.ZeroRank.ToArray();
        var lost = h.ErrLost.ToArray();
        var past = h.PastDiskEof.ToArray();
        var ranks = h.UnitRank.ToArray();
        for (int u = Math.Min(src, dst); u < units; u++)
        {
            int from = u - dst + src;
            bool moved = u >= dst && u < dst + count && from >= 0 && from < units;
            h.Floor[u] = moved ? floor[from] : 0;
            h.MustSurvive[u] = moved ? must[from] : DataTag.None;
            h.ZeroRank[u] = moved ? zero[from] : 0;
            h.ErrLost[u] = moved ? lost[from] : DataTag.None;
            if (past.Length > 0) h.PastDiskEof[u] = moved ? past[from] : (byte)0;
            for (int k = 0; k < w; k++) h.UnitRank[(u * w) + k] = moved ? ranks[(from * w) + k] : 0;
        }
        // a read (or fsync) in progress took its floors before the data moved: its units now hold
        // other data, so it is not judged there (it ran concurrently with the shift; either is legal)
        for (int t = 0; t < s.Threads.Length; t++)
        {
            if (s.Machine.Threads[t].Kind != Steps.ThreadKind.User) continue;
            for (int u = Math.Min(src, dst); u < units; u++)
            {
                if (s.Local(t, ScratchSlots + u) != 0) s.LocalW(t, ScratchSlots + u) = 0;
                if (s.Local(t, ScratchSlots + units + u) != 0) s.LocalW(t, ScratchSlots + units + u) = 0;
            }
        }
    }

    public static void TruncateDone(KernelState s, int newSize)
    {
        s.H.TruncSize = newSize;
        s.H.SizeOpSince = false;
    }

    /// <summary>Snapshot the floor a read must respect (at read start).</summary>
    public static void ReadStarted(KernelState s, int tid)
    {
        for (int u = 0; u < s.Geo.Units; u++)
        {
            s.LocalW(tid, ScratchSlots + u) = s.History.Floor[u];
            s.LocalW(tid, ScratchSlots + s.Geo.Units + u) = 0;
        }
    }

    /// <summary>The read copied this unit to the user buffer.</summary>
    public static void ReadUnit(KernelState s, int tid, string op, int unit, byte tag, StepContext c)
    {
        int rank = s.History.Rank(unit, tag);
        int floor = s.Local(tid, ScratchSlots + unit);
        c.Emit(new ReadReturned(tid, op, unit, tag, rank, floor, s.History.FloorIsZeroing(unit, floor)));
        ref int seen = ref s.LocalW(tid, ScratchSlots + s.Geo.Units + unit);
        seen = Math.Max(seen, rank + 1);
    }

    /// <summary>The read returned: later reads must not see older data than it did.</summary>
    public static void ReadDone(KernelState s, int tid)
    {
        for (int u = 0; u < s.Geo.Units; u++)
        {
            ref int seen = ref s.LocalW(tid, ScratchSlots + s.Geo.Units + u);
            if (seen > 0) s.H.Floor[u] = Math.Max(s.History.Floor[u], seen - 1);
            seen = 0;
            s.LocalW(tid, ScratchSlots + u) = 0;
        }
    }
}
