using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// XFS O_DIRECT (kernel-reference §2.6, 2.7; the correction in kernel-reference §2.6). A read takes IOLOCK_SHARED, samples
/// i_size, flushes and waits for the range (filemap_write_and_wait_range), then maps extents:
/// holes and unwritten extents read as zeros; it never calls inode_dio_wait. A write flushes
/// and invalidates the range, allocates unwritten extents for holes, writes the disk, then
/// ->end_io converts and raises i_size, and a second invalidation drops cached copies.
/// </summary>
public static class DirectIo
{
    /// <summary>iomap_dio_rw's dio->i_size: i_size when the read started (it reads nothing past it).</summary>
    private static readonly Local DioISize = Local.Scratch(0, "dio->i_size");

    /// <summary>kiocb_invalidate_pages failed on a dirty folio: -ENOTBLK, XFS falls back to a buffered write.</summary>
    private static readonly Local Fallback = Local.Scratch(1, "-ENOTBLK fallback");

    /// <summary>A synchronous O_DIRECT write's submitter waits for its bio (dio->submit.waiter); the bio's end_io clears it.</summary>
    private static readonly Local WaitingForBio = Local.Shared(2, "dio->submit.waiter"); // end_io wakes the waiter

    /// <summary>1 + i_size before the write's completion raised it (ext4's pagecache_isize_extended); 0: not set.</summary>
    private static readonly Local OldSize = Local.Scratch(3, "old i_size");

    public const string ReadName = "dio-read";

    private static Writeback.FolioFilter InRange(Geometry g, int from, int to) =>
        (_, _, fi) => fi >= g.FolioOfUnit(from) && fi <= g.FolioOfUnit(to - 1);

    public static void EmitRead(ProgramBuilder b, int from, int to)
    {
        var g = b.Geo;
        var end = b.NewLabel();
        b.Add("xfs_file_dio_read", InodeLock.Shared, (s, c) =>
        {
            s.InodeW.IRwsem.LockShared(c.Tid);
            OpHistory.ReadStarted(s, c.Tid);
            DioISize.Set(s, c.Tid, s.Inode.ISize);
            if (from >= s.Inode.ISize)
            {
                c.Note("pos >= i_size: return 0");
                c.Goto(end);
            }
        }, (_, _) => BufferedWrite.Range(g, from, to));
        var filter = InRange(g, from, to);
        Writeback.EmitRange(b, SyncMode.All, filter);
        Writeback.EmitWaitRange(b, filter);
        b.Add("iomap_dio_rw", (_, _) => Guard.Run, (s, c) =>
        {
            int limit = Math.Min(to, DioISize.Get(s, c.Tid));
            for (int u = from; u < limit; u++)
            {
                int blk = g.BlockOfUnit(u);
                if (s.Extents[blk] == ExtentType.Delalloc)
                {
                    c.Note($"blk {blk} delalloc: -EIO (DIO collided with buffered write)");
                    break;
                }
                OpHistory.ReadUnit(s, c.Tid, ReadName, u, PageCache.DiskRead(s, u), c);
            }
        }, (_, _) => "inode_dio_begin; iomap_dio_hole_iter/bio; inode_dio_end");
        b.Mark(end);
        b.Add("xfs_iunlock", (_, _) => Guard.Run, (s, c) =>
        {
            s.InodeW.IRwsem.Unlock(c.Tid);
            DioISize.Set(s, c.Tid, 0);
            OpHistory.ReadDone(s, c.Tid);
        });
    }

    /// <summary>
    /// A synchronous O_DIRECT write as XFS and iomap run it: the i_rwsem (shared for a
    /// block-aligned write that starts inside the file, as xfs_file_dio_write_aligned holds it over
    /// the I/O; exclusive for a sub-block write or one that must zero past EOF, with inode_dio_wait);
    /// EOF zeroing; flush and invalidate the range; iomap_dio_rw maps blocks (holes become unwritten
    /// extents), takes an i_dio_count reference and submits the bio; the device completes it and
    /// wakes the submitter; iomap_dio_complete runs ->end_io (xfs_dio_write_end_io: unwritten
    /// conversion, i_size), the post-write invalidation and inode_dio_end. Faults, reads, reclaim
    /// and writeback can run while the bio is in flight.
    /// </summary>
    public static void EmitWrite(ProgramBuilder b, int from, int to, int writeId, bool aio = false)
    {
        var g = b.Geo;
        var done = b.NewLabel(); // an AIO write returns -EIOCBQUEUED here, before its I/O completes
        bool aligned = from % g.UnitsPerBlock == 0 && to % g.UnitsPerBlock == 0;
        // the i_rwsem shared: a block-aligned write that does not start past EOF (no EOF zeroing);
        // i_size cannot shrink under it (truncate needs the lock exclusive)
        bool Shared(KernelState s) => aligned && s.Machine.Fs.DioWriteShared(s, from, to);
        bool writeProtects = b.Fs.DioExtensionWriteProtects;
        var end = b.NewLabel();
        b.Add("xfs_file_dio_write",
            (s, tid) => Shared(s) ? InodeLock.Shared(s, tid)
                : InodeLock.Exclusive(s, tid) is { Kind: GuardKind.Block } w ? w
                : InodeLock.DioWait(s) is { Kind: GuardKind.Block } d ? d // xfs_file_dio_write_unaligned drains other DIO
                : Guard.Run,
            (s, c) =>
            {
                if (Shared(s))
                {
                    s.InodeW.IRwsem.LockShared(c.Tid);
                    c.Function = "xfs_file_dio_write_aligned";
                }
                else
                {
                    s.InodeW.IRwsem.Lock(c.Tid);
                    c.Function = aligned ? "xfs_file_dio_write_aligned" : "xfs_file_dio_write_unaligned";
                }
                OpHistory.WriteStarted(s, writeId, from, to);
            }, (_, _) => BufferedWrite.Range(g, from, to));
        b.Fs.EmitWriteZeroEof(b, from, direct: true);
        var filter = InRange(g, from, to);
        Writeback.EmitRange(b, SyncMode.All, filter);
        Writeback.EmitWaitRange(b, filter);
        // invalidate_inode_pages2_range: lock, wait for writeback, unmap and invalidate each folio
        EmitPerFolioInvalidate(b, "invalidate_inode_pages2_range", from, to, Invalidate);
        b.Add("iomap_dio_rw",
            (s, tid) => Fallback.IsSet(s, tid) ? ZeroRange.Guard(s, from, to, tid) : Guard.Run,
            (s, c) =>
        {
            byte tag = DataTag.Write(writeId);
            ref int fallback = ref Fallback.Ref(s, c.Tid);
            if (fallback != 0)
            {
                // kiocb_invalidate_pages failed: -ENOTBLK, XFS falls back to a buffered write
                fallback = 0;
                c.Function = "xfs_file_buffered_write";
                c.Note("-ENOTBLK: a cached folio could not be invalidated, buffered fallback");
                BufferedFallback(s, from, to, tag, c);
                c.Goto(end);
                return;
            }
            s.InodeW.DioCount++; // inode_dio_begin
            int b0 = g.BlockOfUnit(from), b1 = g.BlockOfUnit(to - 1);
            var data = new byte[(b1 - b0 + 1) * g.UnitsPerBlock];
            for (int blk = b0; blk <= b1; blk++)
            {
                int bu0 = g.FirstUnitOfBlock(blk), bu1 = g.FirstUnitOfBlock(blk + 1);
                bool fresh = s.Extents[blk] is ExtentType.Hole or ExtentType.Delalloc or ExtentType.Unwritten; // IOMAP_F_NEW or unwritten: sub-block zeroing
                if (s.Extents[blk] is ExtentType.Hole or ExtentType.Delalloc)
                {
                    // xfs_direct_write_iomap_begin: allocate, as unwritten
                    s.ExtentsW[blk] = ExtentType.Unwritten;
                    for (int u = bu0; u < bu1; u++) s.DiskW[u] = DataTag.Stale;
                }
                for (int u = bu0; u < bu1; u++)
                {
                    data[u - g.FirstUnitOfBlock(b0)] = u >= from && u < to ? tag : fresh ? DataTag.Zero : s.Disk[u];
                    if (u >= from && u < to) s.H.MustSurvive[u] = DataTag.None; // superseded; set again when this write returns
                }
            }
            s.BiosW.Add(new Bio(BioKind.Direct, c.Tid, b0, b1 - b0 + 1, data, [], false, false, to, false, false, Aio: aio));
            if (aio) s.LocalW(c.Tid, OpHistory.AioInFlightSlot(g))++;
            else WaitingForBio.Set(s, c.Tid, 1);
            c.Note($"submit bio[dio blk {b0}{(b1 > b0 ? "-" + b1 : "")}]{(aio ? ": -EIOCBQUEUED" : "")}");
        }, (_, _) => "inode_dio_begin; xfs_direct_write_iomap_begin; submit_bio");
        if (aio)
        {
            EmitAioReturn(b, from, to, done);
            b.Mark(end);
            InodeLock.EmitUnlock(b, "xfs_iunlock", (s, c) => OpHistory.WriteDone(s, writeId, from, to)); // the buffered fallback's return
            b.Mark(done);
            return;
        }
        Func<KernelState, int, Guard> bioDone = (s, tid) => WaitingForBio.IsSet(s, tid)
            ? Guard.Block(WaitKind.DioCompletion, tid, static _ => "wait for the O_DIRECT bio (iomap_dio_rw)")
            : Guard.Run;
        bool early = b.Variant.DioInvalidatesBeforeEndIo;
        if (early)
        {
            // before c771c14baa33: the bios done, the range is invalidated, and only then ->end_io
            b.Add("iomap_dio_rw", bioDone, (_, _) => { }, (_, _) => "bios done");
            EmitPerFolioInvalidate(b, "invalidate_inode_pages2_range", from, to,
                (s, i, c) => InvalidateClean(s, g.FirstUnitOfFolio(i), g.FirstUnitOfFolio(i + 1), c, "invalidate_inode_pages2_range"));
        }
        b.Add("iomap_dio_complete",
            early ? (_, _) => Guard.Run : bioDone,
            (s, c) =>
            {
                // xfs_dio_write_end_io: convert unwritten, then raise i_size
                for (int blk = g.BlockOfUnit(from); blk <= g.BlockOfUnit(to - 1); blk++)
                    if (s.Extents[blk] == ExtentType.Unwritten) s.ExtentsW[blk] = ExtentType.Written;
                if (writeProtects) OldSize.Set(s, c.Tid, s.Inode.ISize + 1);
                OpHistory.GrowSize(s, to, from, to);
                Completion.SetFileSize(s, to, c);
            }, (_, _) => "->end_io (xfs_dio_write_end_io)");
        if (writeProtects)
            b.Add("pagecache_isize_extended",
                (s, tid) => !OldSize.IsSet(s, tid) ? Guard.Skip()
                    : IsizeExtended.Check(s, OldSize.Get(s, tid) - 1, to, tid) is { Kind: GuardKind.Block } w ? w : Guard.Run,
                (s, c) =>
                {
                    IsizeExtended.Apply(s, OldSize.Get(s, c.Tid) - 1, to, c);
                    OldSize.Clear(s, c.Tid);
                });
        // kiocb_invalidate_post_direct_write after ->end_io: invalidate_inode_pages2_range locks
        // each folio (waiting for a read in flight) and waits for its writeback; a dirty one stays
        if (!early)
            EmitPerFolioInvalidate(b, "kiocb_invalidate_post_direct_write", from, to,
                (s, i, c) => InvalidateClean(s, g.FirstUnitOfFolio(i), g.FirstUnitOfFolio(i + 1), c, "kiocb_invalidate_post_direct_write"));
        b.Add("inode_dio_end", (_, _) => Guard.Run, (s, _) => s.InodeW.DioCount--);
        b.Mark(end);
        InodeLock.EmitUnlock(b, "xfs_iunlock", (s, c) => OpHistory.WriteDone(s, writeId, from, to));
    }

    /// <summary>
    /// The AIO write's return after submission: before 4.14 (DioInvalidate=submitter)
    /// generic_file_direct_write invalidated the range now, with the data not yet on disk; then the
    /// IOLOCK is dropped and the call returns -EIOCBQUEUED. Its completion is <see cref="AioComplete"/>.
    /// </summary>
    private static void EmitAioReturn(ProgramBuilder b, int from, int to, Label done)
    {
        var g = b.Geo;
        if (!b.Variant.DioInvalidatesAtCompletion)
            b.Add("invalidate_inode_pages2_range", (_, _) => Guard.Run,
                (s, c) => InvalidateClean(s, from, to, c, "invalidate_inode_pages2_range"),
                (_, _) => $"{BufferedWrite.Range(g, from, to)}, after ->direct_IO returned -EIOCBQUEUED");
        b.Add("xfs_iunlock", (_, _) => Guard.Run, (s, c) =>
        {
            s.InodeW.IRwsem.Unlock(c.Tid);
            c.Goto(done);
        }, (_, _) => "return -EIOCBQUEUED");
    }

    /// <summary>io_getevents: wait until the thread's AIO O_DIRECT writes have completed.</summary>
    public static void EmitAioWait(ProgramBuilder b)
    {
        int slot = OpHistory.AioInFlightSlot(b.Geo);
        b.Add("io_getevents",
            (s, tid) => s.Local(tid, slot) > 0
                ? Guard.Block(WaitKind.DioCompletion, tid, static _ => "io_getevents: an AIO O_DIRECT write in flight")
                : Guard.Run,
            (_, _) => { });
    }

    /// <summary>
    /// iomap_dio_complete_work for an AIO write: xfs_dio_write_end_io (unwritten conversion, i_size),
    /// kiocb_invalidate_post_direct_write (DioInvalidate=at-completion), inode_dio_end, ki_complete.
    /// The write's range and id come from its bio.
    /// </summary>
    public static void AioComplete(KernelState s, Bio bio, StepContext c)
    {
        var g = s.Geo;
        int u0 = g.FirstUnitOfBlock(bio.FirstBlock), to = bio.IoEndUnit;
        byte own = bio.Data[to - 1 - u0];
        int from = u0 + Array.IndexOf(bio.Data, own);
        // before c771c14baa33 the completion invalidated first (one work item: nothing runs between)
        if (s.Machine.Variant.DioInvalidatesBeforeEndIo) InvalidateClean(s, from, to, c, "invalidate_inode_pages2_range");
        for (int blk = bio.FirstBlock; blk < bio.FirstBlock + bio.BlockCount; blk++)
            if (s.Extents[blk] == ExtentType.Unwritten) s.ExtentsW[blk] = ExtentType.Written;
        OpHistory.GrowSize(s, to, from, to);
        Completion.SetFileSize(s, to, c);
        if (s.Machine.Variant.DioInvalidatesAtCompletion && !s.Machine.Variant.DioInvalidatesBeforeEndIo)
            InvalidateClean(s, from, to, c, "kiocb_invalidate_post_direct_write");
        s.InodeW.DioCount--;
        OpHistory.WriteDone(s, DataTag.WriteId(own), from, to);
        s.LocalW(bio.Owner, OpHistory.AioInFlightSlot(g))--;
        c.Note($"ki_complete: {s.Machine.Threads[bio.Owner].Name}'s W{DataTag.WriteId(own)}");
    }

    /// <summary>Drops the range's clean, unlocked folios that are not under writeback (the others stay: the kernel warns and goes on).</summary>
    /// <summary>invalidate_inode_pages2_range's loop over [from, to): per folio, wait for its writeback, take its lock, then act.</summary>
    private static void EmitPerFolioInvalidate(ProgramBuilder b, string function, int from, int to, Action<KernelState, int, StepContext> act)
    {
        var g = b.Geo;
        for (int fi = g.FolioOfUnit(from); fi <= g.FolioOfUnit(to - 1); fi++)
        {
            int i = fi;
            b.Add(function,
                (s, tid) => !s.Folios[i].Present ? Guard.Skip()
                    : PageCache.WaitWriteback(s, i) is { Kind: GuardKind.Block } w ? w
                    : PageCache.LockGuard(s, i, tid),
                (s, c) => act(s, i, c),
                (_, _) => $"F{i}");
        }
    }

    private static void InvalidateClean(KernelState s, int from, int to, StepContext c, string who)
    {
        var g = s.Geo;
        for (int i = g.FolioOfUnit(from); i <= g.FolioOfUnit(to - 1); i++)
            if (s.Folios[i].Present && !s.Folios[i].Locked && !s.Folios[i].Dirty && !s.Folios[i].Writeback && !PageCache.BuffersBusy(s.Folios[i]))
            {
                PageCache.Delete(s, i, c, who);
                c.Note($"F{i} invalidated");
            }
    }

    /// <summary>iomap_dio_bio_end_io: the data is on disk (DMA done); wake the submitter, or queue an AIO write's completion.</summary>
    public static void BioEndIo(KernelState s, Bio bio, StepContext c)
    {
        var g = s.Geo;
        int u0 = g.FirstUnitOfBlock(bio.FirstBlock);
        // the write's own units carry its tag (the last unit before IoEndUnit is always one of them);
        // the rest of a partial block carries zeros or the block's earlier data
        byte own = bio.Data[bio.IoEndUnit - 1 - u0];
        for (int k = 0; k < bio.Data.Length; k++)
            if (bio.Data[k] == own)
            {
                OpHistory.WriteApplied(s, bio.Data[k], u0 + k, u0 + k + 1);
                // whatever a concurrent write left there is superseded now; this write's own data is
                // owed once it returns (OpHistory.WriteDone)
                s.H.MustSurvive[u0 + k] = DataTag.None;
            }
        if (bio.Aio)
        {
            s.WorkW.Add(new WorkItem(WorkKind.DioComplete, bio.Owner, bio));
            c.Note("queue iomap_dio_complete_work");
            return;
        }
        WaitingForBio.Set(s, bio.Owner, 0);
        c.Note($"wake {s.Machine.Threads[bio.Owner].Name}");
    }

    private static void Invalidate(KernelState s, int i, StepContext c)
    {
        ref var f = ref s.FoliosW[i];
        if (f.PteMapped)
        {
            if (f.PteDirty) PageCache.MarkDirty(s, i);
            f.PteMapped = f.PteWritable = f.PteDirty = false;
        }
        if (f.Dirty || PageCache.BuffersBusy(f))
        {
            c.Note($"F{i} {(f.Dirty ? "dirty" : "buffers in use")}: -EBUSY, left cached");
            Fallback.Set(s, c.Tid, 1);
            return;
        }
        PageCache.Delete(s, i, c, "invalidate_inode_pages2_range");
    }

    /// <summary>The buffered write XFS falls back to when the page cache could not be invalidated.</summary>
    private static void BufferedFallback(KernelState s, int from, int to, byte tag, StepContext c)
    {
        var g = s.Geo;
        for (int blk = g.BlockOfUnit(from); blk <= g.BlockOfUnit(to - 1); blk++)
            if (s.Extents[blk] == ExtentType.Hole) s.ExtentsW[blk] = ExtentType.Delalloc;
        for (int i = g.FolioOfUnit(from); i <= g.FolioOfUnit(to - 1); i++)
        {
            bool created = !s.Folios[i].Present;
            if (created) PageCache.AddFolio(s, i, c.Tid, dropbehind: false);
            else PageCache.NonDontcacheLookup(s, i);
            BufferedWrite.CopyIntoFolio(s, i, from, to, tag, c);
            s.FoliosW[i].LockOwner = -1;
        }
        OpHistory.GrowSize(s, to, from, to);
    }
}
