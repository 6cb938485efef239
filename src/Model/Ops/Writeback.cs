using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

public enum SyncMode : byte { None, All }

/// <summary>
/// Writeback of a mapping (do_writepages -> iomap_writepages, reference section 2.3): tag,
/// find, lock, folio_prepare_writeback, folio_clear_dirty_for_io, EOF handling,
/// folio_start_writeback, map blocks (delalloc allocation), build and submit the ioend bio,
/// unlock. Used by the flusher (WB_SYNC_NONE) and by fsync, sync, DIO and truncate (WB_SYNC_ALL).
/// </summary>
public static class Writeback
{
    /// <summary>The flusher's passes so far (the scenario bounds them).</summary>
    private static readonly Local PassesDone = Local.Scratch(0, "wb_writeback passes");

    public delegate bool FolioFilter(KernelState s, int tid, int folio);

    public static readonly FolioFilter AllFolios = (_, _, _) => true;

    /// <summary>tag_pages_for_writeback: DIRTY -> TOWRITE for the range (WB_SYNC_ALL).</summary>
    public static void EmitTagPages(ProgramBuilder b, FolioFilter filter) =>
        b.Add("tag_pages_for_writeback",
            (s, tid) =>
            {
                // nothing dirty in the range: tagging is a no-op, not a step of its own
                for (int i = 0; i < s.Folios.Length; i++)
                    if (s.Folios[i].Present && s.Folios[i].TagDirty && filter(s, tid, i)) return Guard.Run;
                return Guard.Skip();
            },
            (s, c) =>
            {
                for (int i = 0; i < s.Folios.Length; i++)
                    if (s.Folios[i].Present && s.Folios[i].TagDirty && filter(s, c.Tid, i)) s.FoliosW[i].TagToWrite = true;
            });

    /// <summary>Writeback of every folio the filter admits, in index order.</summary>
    public static void EmitRange(ProgramBuilder b, SyncMode mode, FolioFilter filter)
    {
        if (mode == SyncMode.All) EmitTagPages(b, filter);
        for (int i = 0; i < b.Geo.Folios; i++) EmitFolio(b, i, mode, filter);
    }

    /// <summary>__filemap_fdatawait_range: wait for PG_writeback on each WRITEBACK-tagged folio in turn.</summary>
    public static void EmitWaitRange(ProgramBuilder b, FolioFilter filter)
    {
        for (int i = 0; i < b.Geo.Folios; i++)
        {
            int fi = i;
            b.Add("folio_wait_writeback",
                (s, tid) => s.Folios[fi].Present && s.Folios[fi].TagWriteback && filter(s, tid, fi)
                    ? Guard.Block(WaitKind.FolioWriteback, fi, static t => $"folio_wait_writeback(F{t})")
                    : Guard.Skip(),
                (_, _) => { },
                (_, _) => $"F{fi}");
        }
    }

    private static bool Tagged(Folio f, SyncMode mode) => f.Present && (mode == SyncMode.All ? f.TagToWrite : f.TagDirty);

    public static void EmitFolio(ProgramBuilder b, int i, SyncMode mode, FolioFilter filter)
    {
        var after = b.NewLabel();
        b.Add("folio_lock",
            (s, tid) => !Tagged(s.Folios[i], mode) || !filter(s, tid, i) ? Guard.Skip(after) : PageCache.LockGuard(s, i, tid),
            (s, c) => s.FoliosW[i].LockOwner = (sbyte)c.Tid,
            (_, _) => $"F{i} (writeback_get_folio)");
        // folio_prepare_writeback: a clean folio is skipped before the WB_SYNC_ALL wait for its
        // writeback ("did somebody else write it for us?"); only a dirty one under writeback waits
        Func<KernelState, int, Guard> prepare = (s, tid) => mode == SyncMode.All && s.Folios[i].Writeback && s.Folios[i].Dirty
            ? Guard.Block(WaitKind.FolioWriteback, i, static t => $"folio_wait_writeback(F{t}) [WB_SYNC_ALL]")
            : Guard.Run;
        if (!b.Variant.MkwriteLocked)
        {
            // a fault that dirties the folio without its lock (before 2.6.30) can run between
            // folio_clear_dirty_for_io's folio_mkclean and its test-and-clear: two steps
            b.Add("folio_mkclean", prepare, (s, c) =>
            {
                if (SkipsFolio(s, i, mode, c)) c.Goto(after);
                else if (PageCache.Mkclean(s, i)) PageCache.MarkDirty(s, i);
            }, (_, _) => $"F{i} (folio_clear_dirty_for_io)");
            b.Add(b.Fs.WritepagesFunction, (_, _) => Guard.Run, (s, c) =>
            {
                s.FoliosW[i].Dirty = false; // folio_test_clear_dirty
                s.Machine.Fs.Writepage(s, i, c);
            }, (_, _) => $"F{i} (folio_test_clear_dirty)");
        }
        else b.Add(b.Fs.WritepagesFunction, prepare, (s, c) => WriteFolio(s, i, mode, c), (_, _) => $"F{i}");
        b.Mark(after);
    }

    /// <summary>folio_prepare_writeback skips a clean folio, and a folio under writeback for WB_SYNC_NONE: unlocked, marks as they are.</summary>
    private static bool SkipsFolio(KernelState s, int i, SyncMode mode, StepContext c)
    {
        var f = s.Folios[i];
        if (f.Dirty && !(mode == SyncMode.None && f.Writeback)) return false;
        // the marks stay as they are (only __folio_start_writeback clears DIRTY and TOWRITE)
        s.FoliosW[i].LockOwner = -1;
        c.Note(f.Writeback ? "skip: under writeback" : "skip: not dirty");
        return true;
    }

    /// <summary>folio_prepare_writeback .. iomap_writeback_folio .. submit, then folio_unlock.</summary>
    public static void WriteFolio(KernelState s, int i, SyncMode mode, StepContext c)
    {
        if (SkipsFolio(s, i, mode, c)) return;
        // folio_clear_dirty_for_io: folio_mkclean, then test-and-clear PG_dirty
        if (PageCache.Mkclean(s, i)) PageCache.MarkDirty(s, i);
        s.FoliosW[i].Dirty = false;
        s.Machine.Fs.Writepage(s, i, c);
    }

    /// <summary>
    /// iomap_writepages for one folio (XFS, and the buffer_head path in this model):
    /// iomap_writeback_handle_eof, the EOF folio's tail zeroing, which blocks to write, then
    /// __folio_start_writeback and one bio per contiguous mapped run; the folio is unlocked.
    /// </summary>
    public static void IomapWritepage(KernelState s, int i, StepContext c)
    {
        var g = s.Geo;
        ref var f = ref s.FoliosW[i];
        int isize = s.Inode.ISize;
        int u0 = g.FirstUnitOfFolio(i);
        if (u0 >= isize)
        {
            // iomap_writeback_handle_eof: wholly beyond EOF, no I/O; truncate will remove it
            f.DirtyMask = 0;
            f.TagDirty = false;
            f.TagToWrite = false;
            f.LockOwner = -1;
            c.Note($"F{i} beyond EOF: cleaned without I/O");
            return;
        }
        if (u0 + g.UnitsPerFolio > isize) PageCache.ZeroCached(s, isize, u0 + g.UnitsPerFolio, dirty: false, c);
        int lastBlock = (isize + g.UnitsPerBlock - 1) / g.UnitsPerBlock; // exclusive
        int mask = 0;
        for (int k = 0; k < g.BlocksPerFolio; k++)
        {
            int blk = g.FirstBlockOfFolio(i) + k;
            bool dirtyBlock = g.BlocksPerFolio == 1 || (f.DirtyMask & (1 << k)) != 0;
            if (dirtyBlock && blk < lastBlock && s.Extents[blk] != ExtentType.Hole) mask |= 1 << k;
            else if (dirtyBlock && blk < lastBlock && s.Cow[blk] != CowType.None) mask |= 1 << k;
        }
        PageCache.StartWriteback(s, i, mask, stableIo: s.Inode.DeviceStable, c);
        f.DirtyMask = 0;
        if (mask == 0)
        {
            Completion.EndWriteback(s, i, c);
            f.LockOwner = -1;
            return;
        }
        SubmitRuns(s, i, mask, c);
        s.FoliosW[i].LockOwner = -1;
    }

    /// <summary>xfs_map_blocks + iomap_add_to_ioend + xfs_writeback_submit for each contiguous block run.</summary>
    private static void SubmitRuns(KernelState s, int i, int mask, StepContext c)
    {
        var g = s.Geo;
        int k = 0;
        while (k < g.BlocksPerFolio)
        {
            if ((mask & (1 << k)) == 0) { k++; continue; }
            int start = k;
            while (k < g.BlocksPerFolio && (mask & (1 << k)) != 0) k++;
            int b0 = g.FirstBlockOfFolio(i) + start, n = k - start;
            bool toCow = s.Cow[b0] != CowType.None;
            bool unwritten = false;
            for (int blk = b0; blk < b0 + n; blk++)
            {
                if (!toCow && s.Extents[blk] == ExtentType.Delalloc) s.Machine.Fs.AllocateDelalloc(s, blk, c);
                if (toCow && s.Cow[blk] == CowType.Unwritten)
                {
                    s.CowW[blk] = CowType.Written; // xfs_reflink_convert_cow at submission
                }
                unwritten |= !toCow && s.Extents[blk] == ExtentType.Unwritten;
            }
            int firstUnit = g.FirstUnitOfBlock(b0), units = n * g.UnitsPerBlock;
            var data = s.CacheData.Slice(firstUnit, units).ToArray();
            int ioEnd = Math.Min(firstUnit + units, s.Inode.ISize);
            if (s.Machine.Variant.DiskSizeAtSubmission) Completion.SetFileSize(s, ioEnd, c);
            var (needsWq, ioendDontcache, completeInTask) = s.Machine.Fs.CompletionRouting(s, i, unwritten || toCow || ioEnd > s.Inode.IDiskSize);
            var bio = new Bio(BioKind.Writeback, Bio.NoOwner, b0, n, data, [i], toCow, unwritten, ioEnd, needsWq, ioendDontcache, completeInTask);
            s.BiosW.Add(bio);
            c.Note("submit " + bio.Describe(g));
        }
    }

    /// <summary>
    /// xfs_bmapi_convert_delalloc: the whole delalloc extent that holds blk (contiguous delalloc
    /// blocks are one extent) is allocated at once, and in the data fork as unwritten
    /// (XFS_BMAPI_PREALLOC), so a crash never exposes the freshly allocated blocks' old contents;
    /// the ioend converts the blocks it wrote (xfs_iomap_write_unwritten) and the rest stay
    /// unwritten until their own writeback. The live kernel shows it (FIEMAP: written, unwritten).
    /// </summary>
    public static void ConvertDelallocExtent(KernelState s, int blk, StepContext c)
    {
        var g = s.Geo;
        int first = blk, last = blk;
        while (first > 0 && s.Extents[first - 1] == ExtentType.Delalloc && s.Cow[first - 1] == CowType.None) first--;
        while (last + 1 < g.Blocks && s.Extents[last + 1] == ExtentType.Delalloc && s.Cow[last + 1] == CowType.None) last++;
        for (int b = first; b <= last; b++)
        {
            s.ExtentsW[b] = ExtentType.Unwritten;
            for (int u = g.FirstUnitOfBlock(b); u < g.FirstUnitOfBlock(b + 1); u++) s.DiskW[u] = DataTag.Stale;
        }
        c.Note(first == last ? $"blk {blk} delalloc -> unwritten" : $"blks {first}-{last} delalloc -> unwritten");
    }

    /// <summary>The BDI flusher: WB_SYNC_NONE passes over DIRTY-tagged folios, as many as the scenario allows.</summary>
    public static ThreadInfo Flusher(Geometry g, int passes, Filesystems.FilesystemOps fs, Variants.Variant variant)
    {
        var b = new ProgramBuilder(g) { Fs = fs, Variant = variant };
        var top = b.MarkHere();
        b.Add("wb_workfn",
            (s, _) => PageCache.AnyFolio(s, f => f.TagDirty && f.Dirty) ? Guard.Skip() : Guard.Block(WaitKind.Idle, "no dirty folios"),
            (_, _) => { });
        EmitRange(b, SyncMode.None, AllFolios);
        b.Add("wb_writeback",
            (_, _) => Guard.Run,
            (s, c) =>
            {
                ref int done = ref PassesDone.Ref(s, c.Tid);
                done++;
                if (done < passes) c.Goto(top);
                else c.NextPc = short.MaxValue;
            },
            (s, tid) => $"pass {PassesDone.Get(s, tid) + 1}/{passes}");
        var (program, ops) = b.Build();
        return new ThreadInfo("flusher", ThreadKind.Actor, ExecContext.Task, program, ops);
    }
}
