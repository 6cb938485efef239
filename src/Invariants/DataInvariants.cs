using ModelCheck.Model.Ops;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Invariants;

/// <summary>stale-data (kernel-reference §6.6, race §4.3).</summary>
public sealed class StaleData : Invariant
{
    public override string Id => "stale-data";
    public override string Title => "reads return only zeros or data some write put there";
    public override string Kind => "history";
    public override string Rationale =>
        "A newly allocated block holds the previous owner's bytes until it is written; XFS reports such " +
        "blocks as unwritten (reads as zeros) or IOMAP_F_NEW (partial blocks are zeroed, " +
        "fs/iomap/buffered-io.c::iomap_block_needs_zeroing) until real data covers them. Any byte a read " +
        "returns must therefore be zero or the data of a write. The model tags such bytes Stale.";

    public override Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        foreach (var e in events)
            if (e is ReadReturned r && r.Tag == DataTag.Stale)
                return Fail($"{s.Machine.Threads[r.Tid].Name}'s {r.Op} returned stale disk contents at {s.Geo.Bytes(r.Unit)}");
        return null;
    }
}

/// <summary>read-coherence (kernel-reference §6.5, race §4.2).</summary>
public sealed class ReadCoherence : Invariant
{
    public override string Id => "read-coherence";
    public override string Title => "a read never returns older data than a completed write or an earlier completed read";
    public override string Kind => "history";
    public override string Rationale =>
        "A read that starts after a write completed, or after another read returned newer data, must not " +
        "return older data. Buffered reads see the page cache; O_DIRECT reads are ordered against it only " +
        "by filemap_write_and_wait_range (PG_dirty and PG_writeback, mm/filemap.c::kiocb_write_and_wait), so " +
        "XFS ends PG_writeback only after unwritten extents are converted (fs/xfs/xfs_aops.c::xfs_end_ioend_write). " +
        "The model keeps per unit the newest version a completed write or read established and compares every " +
        "byte a later read returns against it.";

    public override Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        foreach (var e in events)
            if (e is ReadReturned r && r.Rank < r.FloorRank && !r.FloorIsZeroing) // a zeroed range's floor: zeroed-range
            {
                string newer = DescribeRank(s, r.Unit, r.FloorRank);
                return Fail($"{s.Machine.Threads[r.Tid].Name}'s {r.Op} returned {DataTag.Name(r.Tag)} at {s.Geo.Bytes(r.Unit)} " +
                            $"after {newer} had been returned or written there");
            }
        return null;
    }

    private static string DescribeRank(KernelState s, int unit, int rank)
    {
        for (int w = 1; w <= s.History.Writes; w++)
            if (s.History.Rank(unit, DataTag.Write(w)) == rank) return "W" + w;
        return "newer data";
    }
}

/// <summary>zeroed-range: bytes an operation defined as zero read as zero until written.</summary>
public sealed class ZeroedRange : Invariant
{
    public override string Id => "zeroed-range";
    public override string Title => "bytes the kernel defines as zero (a returned hole punch or zero range, the bytes a growing i_size exposes) read as zero until something writes them";
    public override string Kind => "history";
    public override string Rationale =>
        "Once fallocate(FALLOC_FL_PUNCH_HOLE) returns, its range below EOF is a hole (partial blocks zeroed), " +
        "so a read that starts later returns zeros there until a write lands. The page cache is truncated before " +
        "the blocks are freed (xfs_flush_unmap_range, then xfs_unmap_extent): a path that adds a folio and maps the " +
        "old blocks in between (readahead without the invalidate_lock, before 5.15) leaves the old bytes cached " +
        "over the hole. Likewise, when i_size grows (an extending write, a truncate up), the bytes between the old " +
        "EOF and the new one that the growing operation does not write are zeros: whatever the cache held past the " +
        "old EOF (a store through mmap into the EOF page) is not part of the file, and the kernel must zero it " +
        "before the size exposes it (xfs_file_write_zero_eof, ext4's EOF block zeroing). The model ranks the zeros " +
        "as a version when the punch returns or when i_size grows, and reports a later read that returns anything older.";

    public override Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        foreach (var e in events)
            if (e is ReadReturned r && r.FloorIsZeroing && r.Rank < r.FloorRank)
                return Fail($"{s.Machine.Threads[r.Tid].Name}'s {r.Op} returned {DataTag.Name(r.Tag)} at {s.Geo.Bytes(r.Unit)}, " +
                            "which was zeros before the read started (a returned hole punch or zero range, or past the old EOF when i_size grew), and nothing has written since");
        return null;
    }
}

/// <summary>error-reported: a writeback error reaches the next fsync of every file description it is owed to.</summary>
public sealed class ErrorReported : Invariant
{
    public override string Id => "error-reported";
    public override string Title => "a writeback error is reported by the next fsync of every file description open when it happened, and of one opened later if nobody has seen it yet";
    public override string Kind => "history";
    public override string Rationale =>
        "A failed writeback leaves the folio clean: the data is gone and the error is all the kernel keeps. " +
        "mapping->wb_err is an errseq_t (lib/errseq.c): file_check_and_advance_wb_err reports an error to each " +
        "file description once, whichever process wrote the data, and errseq_sample lets a description opened " +
        "after an error nobody has seen report it (\"errseq: Always report a writeback error once\", 4.16). An " +
        "fsync that returns 0 to a description owed an error tells the application its data is safe when it is not.";

    public override Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        foreach (var e in events)
            if (e is FsyncReturned f && f.Owed && !f.Error)
                return Fail($"{s.Machine.Threads[f.Tid].Name}'s fsync returned 0, but a writeback error happened while its file was open and was never reported to it");
        return null;
    }
}

/// <summary>lost-write (kernel-reference §6.3, races §4.8, §4.9a).</summary>
public sealed class LostWrite : Invariant
{
    public override string Id => "lost-write";
    public override string Title => "data of a completed write stays reachable, and is on disk after fsync or sync";
    public override string Kind => "history";
    public override string Rationale =>
        "Until truncated or overwritten, the data of a completed write is in a dirty folio (PG_dirty, which " +
        "writeback finds through the DIRTY mark), in a locked folio, behind a dirty PTE (unmap moves it into " +
        "the folio), in a bio in flight, or on disk in a written extent. A clean folio is reclaimable " +
        "(mm/vmscan.c::shrink_folio_list), so clean cached data that is not on disk can be lost at any time " +
        "(§4.8). fsync and sync(2) return only once every such write is on disk (mm/filemap.c::" +
        "file_write_and_wait_range); a store that fsync leaves behind is lost (§4.9a).";

    public override Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        var h = s.History;
        foreach (var e in events)
            if (e is DurabilityPoint d)
                for (int u = 0; u < d.Required.Length; u++)
                    if (d.Required[u] != DataTag.None && PageCache.DiskRead(s, u) != d.Required[u])
                        return Fail($"{s.Machine.Threads[d.Tid].Name}'s {d.Op} returned but {DataTag.Name(d.Required[u])} at {s.Geo.Bytes(u)}, " +
                                    $"written before it started, is not on disk (disk has {DataTag.Name(PageCache.DiskRead(s, u))})");
        for (int u = 0; u < h.MustSurvive.Length; u++)
        {
            byte tag = h.MustSurvive[u];
            if (tag == DataTag.None) continue;
            bool onDisk = PageCache.DiskRead(s, u) == tag;
            if (!onDisk && !Reachable(s, u, tag))
                return Fail($"{DataTag.Name(tag)} at {s.Geo.Bytes(u)} is neither on disk nor in a dirty, locked or " +
                            "writeback folio: nothing will write it");
        }
        return null;
    }

    private static bool Reachable(KernelState s, int u, byte tag)
    {
        var g = s.Geo;
        foreach (var bio in s.Bios)
        {
            int u0 = g.FirstUnitOfBlock(bio.FirstBlock);
            if (u >= u0 && u < u0 + bio.Data.Length && bio.Data[u - u0] == tag) return true;
        }
        foreach (var r in s.FuseRequests)
        {
            int u0 = g.FirstUnitOfBlock(r.FirstBlock);
            if (u >= u0 && u < u0 + r.Data.Length && r.Data[u - u0] == tag) return true;
        }
        foreach (var w in s.Work)
            if (w.Ioend is { } io)
            {
                int u0 = g.FirstUnitOfBlock(io.FirstBlock);
                if (u >= u0 && u < u0 + io.Data.Length && io.Data[u - u0] == tag) return true;
            }
        // on disk in an unwritten extent whose write-through ->end_io is still to convert it
        foreach (var w in s.Wt)
            if (w.Active && w.Unwritten && !w.Completed && w.Written > 0 && s.Disk[u] == tag
                && g.BlockOfUnit(u) >= g.BlockOfUnit(w.Pos) && g.BlockOfUnit(u) <= g.BlockOfUnit(w.Pos + w.Written - 1)) return true;
        var f = s.Folios[g.FolioOfUnit(u)];
        if (!f.Present || s.CacheData[u] != tag) return false;
        // under writeback with this block in its I/O: the bio (submitted or still being built) writes it
        bool inIo = f.Writeback && (f.WritebackMask & g.BlockBit(g.BlockOfUnit(u))) != 0;
        return f.Dirty || f.Locked || f.PteDirty || inIo;
    }
}

/// <summary>stable-pages (kernel-reference §6.9, race §4.9b).</summary>
public sealed class StablePages : Invariant
{
    public override string Id => "stable-pages";
    public override string Title => "folio contents do not change under an I/O that needs stable pages";
    public override string Kind => "safety";
    public override string Rationale =>
        "AS_STABLE_WRITES promises that a folio does not change while it is under writeback: writers and " +
        "page faults wait in folio_wait_stable (mm/page-writeback.c). RWF_WRITETHROUGH sets the bit for the " +
        "duration of its I/O (the write-through series, mapping_set_stable_writes); the bit must stay set while any such I/O " +
        "is in flight, and no write or store may change a folio under it, or checksums and protection " +
        "information computed from the DMA source fail.";

    public override Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        foreach (var e in events)
            if (e is StablePagesBroken b) return Fail(b.Message);
        for (int i = 0; i < s.Folios.Length; i++)
        {
            var f = s.Folios[i];
            if (f.Present && f.Writeback && f.StableIo && !s.Inode.StableWrites)
                return Fail($"AS_STABLE_WRITES is clear while F{i}'s stable-write I/O is in flight");
        }
        return null;
    }
}

/// <summary>folio-flags (kernel-reference §6.1, 6.2, races §4.11 and the double writeback).</summary>
public sealed class FolioFlags : Invariant
{
    public override string Id => "folio-flags";
    public override string Title => "folio flag rules the kernel asserts";
    public override string Kind => "safety";
    public override string Rationale =>
        "PG_writeback goes from clear to set only on a locked folio that is not under writeback " +
        "(mm/page-writeback.c::__folio_start_writeback, VM_BUG_ON_FOLIO); a folio leaves the page cache only " +
        "when locked and not under writeback, since writeback holds no reference of its own " +
        "(mm/filemap.c::folio_end_writeback); a folio under writeback carries the WRITEBACK mark. A kernel " +
        "assertion a variant can reach is a kernel bug and is reported here with its trace.";

    public override Violation? AfterStep(KernelState s, IReadOnlyList<ModelEvent> events)
    {
        foreach (var e in events)
            if (e is FolioFlagsBroken b) return Fail(b.Message);
        for (int i = 0; i < s.Folios.Length; i++)
        {
            var f = s.Folios[i];
            if (f.Present && f.Writeback != f.TagWriteback)
                return Fail($"F{i}: PG_writeback={f.Writeback} but WRITEBACK mark={f.TagWriteback}");
        }
        return null;
    }
}
