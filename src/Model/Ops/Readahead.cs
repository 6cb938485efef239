using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// readahead(2) and posix_fadvise(POSIX_FADV_WILLNEED), both through vfs_fadvise: XFS holds the
/// i_rwsem shared around it (xfs_file_fadvise, switch FadviseLock); force_page_cache_ra clamps the
/// range to i_size and page_cache_ra_unbounded takes the invalidate_lock shared (switch FillInvalidateLock), adds a locked, not uptodate folio for every index not cached,
/// and read_pages hands them to -&gt;readahead (iomap_readahead): each block is mapped then
/// (xfs_read_iomap_begin), holes and unwritten blocks are zeroed in place, written blocks go into
/// a read bio per contiguous run. The invalidate_lock is dropped once the bios are submitted; the
/// device completes them later (iomap_read_end_io, folio_end_read: the bytes come from the disk
/// blocks mapped at submission, then PG_uptodate and the folio unlock). Until then the folio lock
/// belongs to the I/O, modelled as the device thread.
/// </summary>
public static class Readahead
{
    /// <summary>The folios page_cache_ra_unbounded added, one bit per folio, until read_pages submits them.</summary>
    private static readonly Local Added = Local.Scratch(0, "ractl: folios added");

    public const string Name = "readahead";

    public static void Emit(ProgramBuilder b, int from, int to)
    {
        var g = b.Geo;
        bool takes = b.Variant.FillTakesInvalidateLock;
        bool iolock = b.Variant.FadviseTakesIrwsem;
        int first = g.FolioOfUnit(from), last = g.FolioOfUnit(to - 1);
        if (iolock)
            b.Add("xfs_file_fadvise", InodeLock.Shared, (s, c) => s.InodeW.IRwsem.LockShared(c.Tid), (_, _) => "POSIX_FADV_WILLNEED: IOLOCK_SHARED");
        b.Add("page_cache_ra_unbounded",
            (s, _) => FillGuard(s, takes),
            (s, c) =>
            {
                if (takes) s.InodeW.InvalidateLock.LockShared(c.Tid);
                int added = 0;
                for (int i = first; i <= last && g.FirstUnitOfFolio(i) < s.Inode.ISize; i++)
                {
                    if (s.Folios[i].Present) continue; // cached already: read_pages of the batch before it, then skip it
                    PageCache.AddFolio(s, i, c.Tid, dropbehind: false);
                    added |= 1 << i;
                    c.Note($"F{i} added, locked, !uptodate");
                }
                if (added == 0) c.Note("nothing to read (cached, or at or past EOF)");
                Added.Set(s, c.Tid, added);
            },
            (_, _) => BufferedWrite.Range(g, from, to));
        b.Add("read_pages",
            (_, _) => Guard.Run,
            (s, c) =>
            {
                int added = Added.Get(s, c.Tid);
                if (added != 0) Submit(s, added, c);
                Added.Clear(s, c.Tid);
                if (takes) s.InodeW.InvalidateLock.Unlock(c.Tid);
                if (iolock) s.InodeW.IRwsem.Unlock(c.Tid); // generic_fadvise returned: xfs_iunlock
            },
            (_, _) => "iomap_readahead; submit_bio");
    }

    /// <summary>Filling folios: the invalidate_lock shared first, where the fill path takes it (FillInvalidateLock).</summary>
    public static Guard FillGuard(KernelState s, bool takesInvalidateLock) =>
        !takesInvalidateLock || s.Inode.InvalidateLock.CanRead ? Guard.Run : Guard.Block(WaitKind.InvalidateLock, "filemap_invalidate_lock_shared");

    /// <summary>
    /// page_cache_sync_ra from filemap_get_pages for a folio not cached: added locked and not
    /// uptodate, its blocks mapped and its read bio submitted (or zeroed at once where nothing is
    /// written). The caller holds what the fill needs (the invalidate_lock, in the same step).
    /// </summary>
    public static void SyncReadahead(KernelState s, int i, StepContext c)
    {
        PageCache.AddFolio(s, i, c.Tid, dropbehind: false);
        c.Note($"page_cache_sync_ra: F{i} added, locked, !uptodate");
        Submit(s, 1 << i, c);
    }

    /// <summary>
    /// iomap_readahead over the added folios: zero what is not a written extent, and send one read
    /// bio per run of contiguous written blocks; a folio with nothing to read ends at once.
    /// </summary>
    private static void Submit(KernelState s, int added, StepContext c)
    {
        var g = s.Geo;
        int runStart = -1;
        for (int blk = 0; blk <= g.Blocks; blk++)
        {
            bool read = blk < g.Blocks && (added & (1 << g.FolioOfBlock(blk))) != 0 && s.Extents[blk] == ExtentType.Written;
            if (read && runStart < 0) runStart = blk;
            if (read) continue;
            if (runStart >= 0) SubmitRun(s, runStart, blk, c);
            runStart = -1;
            if (blk < g.Blocks && (added & (1 << g.FolioOfBlock(blk))) != 0) ZeroBlock(s, blk);
        }
        for (int i = 0; i < g.Folios; i++)
            if ((added & (1 << i)) != 0 && s.Folios[i].Uptodate(g))
            {
                s.FoliosW[i].LockOwner = -1; // nothing to read: folio_end_read at once
                c.Note($"F{i} holes only: uptodate, unlocked");
            }
    }

    /// <summary>A hole, delalloc or unwritten block reads as zeros: iomap_readahead zeroes it in the folio.</summary>
    private static void ZeroBlock(KernelState s, int blk)
    {
        var g = s.Geo;
        for (int u = g.FirstUnitOfBlock(blk); u < g.FirstUnitOfBlock(blk + 1); u++) s.CacheDataW[u] = DataTag.Zero;
        s.FoliosW[g.FolioOfBlock(blk)].UptodateMask |= (byte)g.BlockBit(blk);
    }

    private static void SubmitRun(KernelState s, int b0, int b1, StepContext c)
    {
        var g = s.Geo;
        var data = new byte[g.FirstUnitOfBlock(b1) - g.FirstUnitOfBlock(b0)];
        Array.Fill(data, DataTag.None); // every unit comes from the disk at completion
        var folios = Enumerable.Range(g.FolioOfBlock(b0), g.FolioOfBlock(b1 - 1) - g.FolioOfBlock(b0) + 1).ToArray();
        foreach (int i in folios) s.FoliosW[i].LockOwner = (sbyte)s.Machine.DeviceTid; // the lock now belongs to the I/O
        var bio = new Bio(BioKind.Read, Bio.NoOwner, b0, b1 - b0, data, folios, false, false, g.FirstUnitOfBlock(b1), false, false);
        s.BiosW.Add(bio);
        c.Note("submit " + bio.Describe(g));
    }

    /// <summary>
    /// iomap_read_end_io with BLK_STS_IOERR (fault read-io-error): nothing is copied, the blocks stay
    /// not uptodate, and each folio's read ends without PG_uptodate (folio_end_read(folio, false)):
    /// unlocked, cached, not uptodate. Whoever reads it next reads it again.
    /// </summary>
    public static void EndReadError(KernelState s, Bio bio, StepContext c)
    {
        s.InodeW.ReadErrors++;
        c.Note($"fault {Variants.Faults.ReadIoError.Name} injected: BLK_STS_IOERR, nothing read");
        foreach (int i in bio.Folios)
        {
            if (!s.Folios[i].Present) continue;
            s.FoliosW[i].LockOwner = -1;
            c.Note($"folio_end_read(F{i}, false): not uptodate");
        }
    }

    /// <summary>iomap_read_end_io: copy the blocks' disk contents into the folios, then folio_end_read per folio whose every block is uptodate.</summary>
    public static void EndRead(KernelState s, Bio bio, StepContext c)
    {
        var g = s.Geo;
        int u0 = g.FirstUnitOfBlock(bio.FirstBlock);
        foreach (int i in bio.Folios)
        {
            if (!s.Folios[i].Present)
            {
                c.Emit(new FolioFlagsBroken(i, $"read completion for F{i}, which left the page cache while locked for read I/O"));
                continue;
            }
            ref var f = ref s.FoliosW[i];
            for (int blk = Math.Max(bio.FirstBlock, g.FirstBlockOfFolio(i)); blk < Math.Min(bio.FirstBlock + bio.BlockCount, g.FirstBlockOfFolio(i + 1)); blk++)
            {
                for (int u = g.FirstUnitOfBlock(blk); u < g.FirstUnitOfBlock(blk + 1); u++)
                    if (bio.Data[u - u0] == DataTag.None) s.CacheDataW[u] = s.Disk[u]; // the block mapped at submission, whatever its extent is now
                f.UptodateMask |= (byte)g.BlockBit(blk);
            }
            if (f.Uptodate(g))
            {
                f.LockOwner = -1;
                c.Note($"folio_end_read F{i}");
            }
        }
    }
}
