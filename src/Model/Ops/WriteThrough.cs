using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Model.Ops;

/// <summary>
/// RWF_WRITETHROUGH (the write-through series v2, kernel-reference §3.1, the correction in kernel-reference §3.1). Under IOLOCK_EXCL: set up
/// the wt_ctx (ref 1; aio takes an i_dio_count reference per WtAioDioCount), set
/// AS_STABLE_WRITES, map with the direct-write iomap_begin (holes become unwritten), then per
/// folio: write_begin, copy and write_end (no i_size update), iomap_folio_prepare_writethrough
/// (mkclean, clear the written blocks' dirty bits, clear PG_dirty when none remain,
/// folio_start_writeback), unlock; one bio per iomap. Dropping the initial reference either
/// completes inline (the bio already ended) or, for aio, returns -EIOCBQUEUED and leaves
/// ->end_io to the dio-done workqueue, unordered with the submitter's unlock.
/// </summary>
public static class WriteThrough
{
    /// <summary>The bio being batched (bvec batching, one bio per iomap): its first block.</summary>
    private static readonly Local PendingFirst = Local.Scratch(0, "bio: first block");

    /// <summary>The bio being batched: its block count (0: none pending).</summary>
    private static readonly Local PendingBlocks = Local.Scratch(1, "bio: blocks");

    /// <summary>An aio call returned -EIOCBQUEUED: its completion, not the caller, finishes the write.</summary>
    private static readonly Local Queued = Local.Scratch(2, "-EIOCBQUEUED");

    /// <summary>iomap_begin converted a COW extent and reported IOMAP_F_NEW: write_begin will find the mapping stale.</summary>
    private static readonly Local StaleRemap = Local.Scratch(3, "IOMAP_F_STALE pending");

    public static void Emit(ProgramBuilder b, int from, int to, int writeId, bool aio)
    {
        var g = b.Geo;
        var unlock = b.NewLabel();
        b.Add("inode_lock", InodeLock.Exclusive, (s, c) =>
        {
            s.InodeW.IRwsem.Lock(c.Tid);
            OpHistory.WriteStarted(s, writeId, from, to);
        }, (_, _) => "xfs_file_buffered_write");
        b.Fs.EmitWriteZeroEof(b, from, direct: false);
        var failed = b.NewLabel();
        b.Add("iomap_file_writethrough_write", (_, _) => Guard.Run, (s, c) =>
        {
            var policy = s.Machine.Variant.WriteThrough;
            ref var w = ref s.WtW[writeId];
            w = new WtCtx
            {
                Active = true, Ref = 1, Pos = from, NewISize = s.Inode.ISize, Aio = aio, Waiting = !aio,
                WriteId = (byte)writeId,
            };
            if (aio)
            {
                w.DioRef = policy.Dio.Begin(ref s.InodeW.All);
                if (w.DioRef) c.Note($"inode_dio_begin (i_dio_count={s.Inode.DioCount})");
            }
            policy.Stable.Set(ref s.InodeW.All); // mapping_set_stable_writes
            if (aio && !s.Inode.DioDoneWq)
            {
                if (Faults.DioDoneWqAlloc.Fails(c))
                {
                    // sb_init_dio_done_wq failed: patch 4/5 clears stable writes and returns
                    c.Note("sb_init_dio_done_wq: -ENOMEM");
                    policy.Stable.Clear(ref s.InodeW.All);
                    if (w.DioRef && policy.WqInitError.ReleasesDioRef)
                    {
                        s.InodeW.DioCount--;
                        c.Note($"inode_dio_end (i_dio_count={s.Inode.DioCount})");
                    }
                    w = default;
                    c.Goto(failed);
                    return;
                }
                s.InodeW.DioDoneWq = true;
            }
        },
        (_, _) => (aio ? "aio " : "sync ") + BufferedWrite.Range(g, from, to),
        (s, _) => Faults.DioDoneWqAlloc.Alternatives(s, canFail: aio && !s.Inode.DioDoneWq));
        b.Add("xfs_direct_write_iomap_begin", (_, _) => Guard.Run, (s, c) =>
        {
            var policy = s.Machine.Variant.WriteThrough;
            ref var w = ref s.WtW[writeId];
            for (int blk = g.BlockOfUnit(from); blk <= g.BlockOfUnit(to - 1); blk++)
            {
                if (s.Cow[blk] != CowType.None)
                {
                    // a COW staging extent over the data fork: IOMAP_F_SHARED
                    w.Cow = true;
                    if (policy.CowConvert.AtIomapBegin && s.Cow[blk] == CowType.Unwritten)
                    {
                        s.CowW[blk] = CowType.Written; // xfs_reflink_allocate_cow(convert_now)
                        StaleRemap.Set(s, c.Tid, 1); // reported IOMAP_F_NEW; write_begin will find it stale
                        c.Note($"blk {blk} COW extent converted to written at iomap_begin (IOMAP_F_NEW)");
                    }
                    continue;
                }
                if (s.Extents[blk] is ExtentType.Hole or ExtentType.Delalloc)
                {
                    s.ExtentsW[blk] = ExtentType.Unwritten;
                    for (int u = g.FirstUnitOfBlock(blk); u < g.FirstUnitOfBlock(blk + 1); u++) s.DiskW[u] = DataTag.Stale;
                    c.Note($"blk {blk} allocated unwritten");
                }
                if (s.Extents[blk] == ExtentType.Unwritten) w.Unwritten = true;
            }
        }, (_, _) => BufferedWrite.Range(g, from, to));
        for (int fi = g.FolioOfUnit(from); fi <= g.FolioOfUnit(to - 1); fi++)
        {
            int i = fi;
            BufferedWrite.EmitWriteBegin(b, i, dontcache: false);
            // WtWaitWriteback=off leaves the wait out of the program
            b.Add("iomap_folio_prepare_writethrough",
                b.Variant.WriteThrough.WaitWriteback.Waits ? (s, _) => PageCache.WaitWriteback(s, i) : (_, _) => Guard.Run,
                (s, c) => CopyAndStart(s, i, from, to, writeId, c),
                (_, _) => $"F{i}");
        }
        b.Add("iomap_writethrough_submit_bio",
            (s, tid) => !PendingBlocks.IsSet(s, tid) ? Guard.Skip() : Guard.Run,
            (s, c) => SubmitBio(s, writeId, c));
        b.Add("iomap_file_writethrough_write", (_, _) => Guard.Run, (s, c) =>
        {
            ref var w = ref s.WtW[writeId];
            w.Ref--;
            if (w.Ref == 0)
            {
                c.Note("last reference: complete inline");
                Complete(s, writeId, c, fromWorker: false);
                c.Goto(unlock);
            }
            else if (aio)
            {
                c.Note("-EIOCBQUEUED");
                Queued.Set(s, c.Tid, 1);
                c.Goto(unlock);
            }
        }, (_, _) => "drop initial reference");
        if (!aio)
        {
            b.Add("iomap_writethrough_complete",
                (s, tid) => s.Wt[writeId].Waiting
                    ? Guard.Block(WaitKind.WriteThroughCompletion, tid, "wait for write-through bios (waiter)")
                    : Guard.Run,
                (s, c) => Complete(s, writeId, c, fromWorker: false));
        }
        b.Mark(unlock);
        b.Mark(failed);
        InodeLock.EmitUnlock(b, "inode_unlock", (s, c) =>
        {
            ref int queued = ref Queued.Ref(s, c.Tid);
            if (!s.Wt[writeId].Active && queued == 0) { } // the call failed before any I/O: nothing written
            else if (queued == 0)
            {
                OpHistory.WriteDone(s, writeId, from, to);
                s.WtW[writeId] = default;
            }
            queued = 0;
        });
    }

    /// <summary>Copy + write_end, then iomap_folio_prepare_writethrough, then __iomap_put_folio.</summary>
    private static void CopyAndStart(KernelState s, int i, int from, int to, int writeId, StepContext c)
    {
        var g = s.Geo;
        var policy = s.Machine.Variant.WriteThrough;
        ref int staleRemap = ref StaleRemap.Ref(s, c.Tid);
        if (staleRemap != 0)
        {
            // ->iomap_valid failed after the conversion: IOMAP_F_STALE, unlock, remap. The same COW
            // extent is now written and not NEW, so iomap_block_needs_zeroing is false.
            c.Note("IOMAP_F_STALE: remap finds the COW extent written, not NEW");
            staleRemap = 0;
        }
        BufferedWrite.CopyIntoFolio(s, i, from, to, DataTag.Write(writeId), c, cowSource: s.Wt[writeId].Cow);
        ref var w = ref s.WtW[writeId];
        int f0 = g.FirstUnitOfFolio(i), f1 = g.FirstUnitOfFolio(i + 1);
        int u0 = Math.Max(from, f0), u1 = Math.Min(to, f1);
        w.Written += u1 - u0;
        w.NewISize = Math.Max(w.NewISize, u1);
        ref var f = ref s.FoliosW[i];
        if (policy.Mkclean.On && PageCache.Mkclean(s, i))
        {
            PageCache.MarkDirty(s, i);
            c.Note("folio_mkclean found a dirty PTE: folio_mark_dirty");
        }
        int mask = 0;
        for (int k = 0; k < g.BlocksPerFolio; k++)
        {
            int blk = g.FirstBlockOfFolio(i) + k;
            if (g.FirstUnitOfBlock(blk + 1) > u0 && g.FirstUnitOfBlock(blk) < u1) mask |= 1 << k;
        }
        f.DirtyMask &= (byte)~mask;
        bool whole = u0 == f0 && u1 == f1;
        if (policy.DirtyClear.ClearsPgDirty(whole, f.DirtyMask))
        {
            if (f.DirtyMask != 0) c.Note("PG_dirty cleared with other blocks still dirty");
            f.Dirty = false; // folio_clear_dirty_for_writethrough
        }
        else c.Note("other blocks still dirty: PG_dirty kept");
        PageCache.StartWriteback(s, i, mask, stableIo: true, c, keepWrite: f.Dirty && policy.Towrite.KeepWhenDirty);
        w.FolioMask |= (byte)(1 << i);
        // bvec batching: one bio per iomap
        int firstBlock = g.FirstBlockOfFolio(i) + System.Numerics.BitOperations.TrailingZeroCount(mask);
        ref int pendingFirst = ref PendingFirst.Ref(s, c.Tid);
        ref int pendingCount = ref PendingBlocks.Ref(s, c.Tid);
        if (pendingCount == 0) pendingFirst = firstBlock;
        pendingCount = firstBlock + System.Numerics.BitOperations.PopCount((uint)mask) - pendingFirst;
        f.LockOwner = -1;
    }

    private static void SubmitBio(KernelState s, int writeId, StepContext c)
    {
        var g = s.Geo;
        ref int first = ref PendingFirst.Ref(s, c.Tid);
        ref int count = ref PendingBlocks.Ref(s, c.Tid);
        int u0 = g.FirstUnitOfBlock(first), n = count * g.UnitsPerBlock;
        var folios = Enumerable.Range(first, count).Select(g.FolioOfBlock).Distinct().ToArray();
        bool cow = s.Wt[writeId].Cow;
        if (cow)
        {
            // ->writethrough_submit = xfs_writethrough_submit: xfs_reflink_convert_cow for IOMAP_F_SHARED
            for (int blk = first; blk < first + count; blk++)
                if (s.Cow[blk] == CowType.Unwritten)
                {
                    s.CowW[blk] = CowType.Written;
                    c.Note($"xfs_reflink_convert_cow: blk {blk} COW extent written");
                }
        }
        var bio = new Bio(BioKind.WriteThrough, writeId, first, count, s.CacheData.Slice(u0, n).ToArray(), folios,
            ToCow: cow, Unwritten: s.Wt[writeId].Unwritten, IoEndUnit: u0 + n, NeedsWq: false, Dontcache: false);
        s.WtW[writeId].Ref++;
        s.BiosW.Add(bio);
        c.Note("submit_bio " + bio.Describe(g));
        first = 0;
        count = 0;
    }

    /// <summary>iomap_writethrough_bio_end_io: end writeback of every folio, drop the bio's reference.</summary>
    public static void BioEndIo(KernelState s, Bio bio, StepContext c)
    {
        ref var w = ref s.WtW[bio.Owner];
        if (s.Machine.Variant.WriteThrough.WritebackEnd.AtBioEnd)
        {
            Completion.FinishFolios(s, bio, c);
            foreach (int fi in bio.Folios)
                if (!s.Folios[fi].Writeback) w.FolioMask &= (byte)~(1 << fi);
        }
        if (!w.Active) throw new ModelError($"write-through bio of W{bio.Owner} without an active wt_ctx");
        w.Ref--;
        if (w.Ref > 0) return;
        // iomap_writethrough_done
        if (!w.Aio)
        {
            w.Waiting = false;
            c.Note("wake the waiter");
        }
        else
        {
            s.WorkW.Add(new WorkItem(WorkKind.WriteThroughComplete, bio.Owner, null));
            c.Note("queue iomap_writethrough_complete_work on s_dio_done_wq");
        }
    }

    /// <summary>iomap_writethrough_complete: ->end_io (xfs_dio_write_end_io), clear stable writes, inode_dio_end.</summary>
    public static void Complete(KernelState s, int owner, StepContext c, bool fromWorker)
    {
        var g = s.Geo;
        var policy = s.Machine.Variant.WriteThrough;
        ref var w = ref s.WtW[owner];
        int end = w.Pos + w.Written;
        if (w.Cow)
        {
            // xfs_reflink_end_cow: remap the COW blocks into the data fork
            for (int blk = g.BlockOfUnit(w.Pos); blk <= g.BlockOfUnit(end - 1); blk++)
                if (s.Cow[blk] != CowType.None)
                {
                    for (int u = g.FirstUnitOfBlock(blk); u < g.FirstUnitOfBlock(blk + 1); u++) s.DiskW[u] = s.CowDisk[u];
                    s.ExtentsW[blk] = ExtentType.Written;
                    s.CowW[blk] = CowType.None;
                    c.Note($"xfs_reflink_end_cow: blk {blk} remapped");
                }
        }
        else if (w.Unwritten)
        {
            // xfs_iomap_write_unwritten(update_isize = true): converts what is still unwritten
            for (int blk = g.BlockOfUnit(w.Pos); blk <= g.BlockOfUnit(end - 1); blk++)
                if (s.Extents[blk] == ExtentType.Unwritten)
                {
                    s.ExtentsW[blk] = ExtentType.Written;
                    c.Note($"blk {blk} unwritten -> written");
                }
        }
        OpHistory.GrowSize(s, end, w.Pos, end, c);
        Completion.SetFileSize(s, end, c);
        if (!policy.WritebackEnd.AtBioEnd)
        {
            // WtWritebackEnd=after-end-io: PG_writeback ends only now, as XFS writeback does
            for (int fi = 0; fi < g.Folios; fi++)
                if ((w.FolioMask & (1 << fi)) != 0 && s.Folios[fi].Present && s.Folios[fi].Writeback)
                {
                    s.FoliosW[fi].WritebackMask = 0;
                    Completion.EndWriteback(s, fi, c);
                }
            w.FolioMask = 0;
        }
        policy.Stable.Clear(ref s.InodeW.All); // mapping_clear_stable_writes
        if (w.DioRef)
        {
            s.InodeW.DioCount--;
            c.Note($"inode_dio_end (i_dio_count={s.Inode.DioCount})");
        }
        w.Completed = true;
        if (fromWorker)
        {
            OpHistory.WriteDone(s, w.WriteId, w.Pos, end);
            c.Note("ki_complete");
            w = default;
        }
    }
}
