using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// I/O completion: the device completing bios in any order (bio_endio in IRQ or task context),
/// XFS's completion workqueue (xfs_end_bio -> xfs_end_io -> xfs_end_ioend_write), the dio-done
/// workqueue, and folio_end_writeback with folio_end_dropbehind (kernel-reference §2.3 steps 9-11, 2.4).
/// </summary>
public static class Completion
{
    /// <summary>folio_end_writeback: PG_reclaim, __folio_end_writeback, wake waiters, folio_end_dropbehind.</summary>
    public static void EndWriteback(KernelState s, int i, StepContext c, bool ioendMarked = true)
    {
        if (!s.Folios[i].Present || !s.Folios[i].Writeback)
        {
            // VM_BUG_ON_FOLIO(!folio_test_writeback(folio)) in folio_end_writeback: a kernel assertion
            c.Emit(new FolioFlagsBroken(i, $"folio_end_writeback on F{i} that is not under writeback (VM_BUG_ON_FOLIO)"));
            return;
        }
        ref var f = ref s.FoliosW[i];
        bool preFixFlag = Dropbehind.BeforeEndWriteback(s, i);
        f.Reclaim = false;
        f.Writeback = false;   // __folio_end_writeback
        f.TagWriteback = false;
        f.WritebackMask = 0;
        f.StableIo = false;
        Dropbehind.AfterEndWriteback(s, i, preFixFlag, ioendMarked, c);
    }

    /// <summary>Ends the blocks of a bio on its folios; a folio's writeback ends with its last bio.</summary>
    public static void FinishFolios(KernelState s, Bio bio, StepContext c)
    {
        var g = s.Geo;
        if (bio.Error) WritebackError.MappingSetError(s, bio, c); // iomap_finish_ioend: the folios end writeback clean all the same
        foreach (int fi in bio.Folios)
        {
            if (!s.Folios[fi].Present)
            {
                // writeback holds no folio reference of its own: the bio would end a freed folio
                c.Emit(new FolioFlagsBroken(fi, $"bio completion for F{fi}, which left the page cache under writeback (use after free)"));
                continue;
            }
            ref var f = ref s.FoliosW[fi];
            for (int blk = bio.FirstBlock; blk < bio.FirstBlock + bio.BlockCount; blk++)
                if (g.FolioOfBlock(blk) == fi) f.WritebackMask &= (byte)~g.BlockBit(blk);
            if (f.WritebackMask == 0) EndWriteback(s, fi, c, ioendMarked: bio.Dontcache || bio.CompleteInTask || !f.Dropbehind);
        }
    }

    private static void WriteDisk(KernelState s, Bio bio)
    {
        int u0 = s.Geo.FirstUnitOfBlock(bio.FirstBlock);
        var target = bio.ToCow ? s.CowDiskW : s.DiskW;
        bio.Data.CopyTo(target.AsSpan(u0));
    }

    /// <summary>The device: completes any in-flight bio (the choice is which one).</summary>
    public static ThreadInfo Device(Geometry g, ExecContext context)
    {
        var b = new ProgramBuilder(g);
        b.Add("bio_endio",
            (s, _) => s.Bios.Count > 0 ? Guard.Run : Guard.Block(WaitKind.Idle, "no bio in flight"),
            (s, c) =>
            {
                var (index, fail) = WritebackError.Choice(s, c.Alt);
                var bio = s.Bios[index];
                s.BiosW.RemoveAt(index);
                if (bio.Kind == BioKind.Read)
                {
                    c.Function = "iomap_read_end_io";
                    if (fail) Readahead.EndReadError(s, bio, c);
                    else
                    {
                        c.Note("disk -> " + bio.Describe(s.Geo));
                        Readahead.EndRead(s, bio, c);
                    }
                    c.NextPc = 0;
                    return;
                }
                if (fail)
                {
                    WritebackError.Injected(s, c);
                    bio = bio with { Error = true };
                }
                else
                {
                    WriteDisk(s, bio);
                    c.Note("disk <- " + bio.Describe(s.Geo));
                }
                if (bio.CompleteInTask && !c.InTask)
                {
                    // bio_endio: BIO_COMPLETE_IN_TASK in atomic context -> per-CPU bio_list, bio_complete_wq
                    c.Function = "bio_endio";
                    s.WorkW.Add(new WorkItem(WorkKind.BioCompleteInTask, Bio.NoOwner, bio));
                    c.Note("BIO_COMPLETE_IN_TASK: deferred to bio_complete_work_fn");
                }
                else if (bio.Kind == BioKind.Direct)
                {
                    c.Function = "iomap_dio_bio_end_io";
                    DirectIo.BioEndIo(s, bio, c);
                }
                else if (bio.Kind == BioKind.WriteThrough)
                {
                    c.Function = "iomap_writethrough_bio_end_io";
                    WriteThrough.BioEndIo(s, bio, c);
                }
                else if (bio.NeedsWq)
                {
                    var (endBio, work) = s.Machine.Fs.CompletionFunctions;
                    c.Function = endBio;
                    s.WorkW.Add(new WorkItem(WorkKind.XfsEndIo, Bio.NoOwner, bio));
                    c.Note($"queue {work} work");
                }
                else
                {
                    c.Function = s.Machine.Fs.InlineEndBioFunction;
                    FinishFolios(s, bio, c);
                }
                c.NextPc = 0;
            },
            (s, _) => "",
            (s, _) => WritebackError.DeviceAlternatives(s));
        var (program, ops) = b.Build();
        return new ThreadInfo(context == ExecContext.Irq ? "IRQ" : "bio-task", ThreadKind.Actor, context, program, ops);
    }

    /// <summary>Workqueue workers (xfs end_io, s_dio_done_wq): run any queued item, in task context.</summary>
    public static ThreadInfo Workqueue(Geometry g)
    {
        var b = new ProgramBuilder(g);
        b.Add("process_one_work",
            (s, _) => s.Work.Count > 0 ? Guard.Run : Guard.Block(WaitKind.Idle, "no work queued"),
            (s, c) =>
            {
                var w = s.Work[c.Alt];
                s.WorkW.RemoveAt(c.Alt);
                if (w.Kind == WorkKind.XfsEndIo)
                {
                    c.Function = s.Machine.Fs.CompletionFunctions.EndIoWork;
                    XfsEndIoendWrite(s, w.Ioend!, c);
                }
                else if (w.Kind == WorkKind.BioCompleteInTask)
                {
                    c.Function = "bio_complete_work_fn";
                    var bio = w.Ioend!;
                    if (bio.Kind == BioKind.WriteThrough) WriteThrough.BioEndIo(s, bio, c);
                    else FinishFolios(s, bio, c);
                }
                else if (w.Kind == WorkKind.DioComplete)
                {
                    c.Function = "iomap_dio_complete_work";
                    DirectIo.AioComplete(s, w.Ioend!, c);
                }
                else if (w.Kind == WorkKind.DropbehindWork)
                {
                    c.Function = "dropbehind_work_fn";
                    Dropbehind.WorkFn(s, c);
                }
                else
                {
                    c.Function = "iomap_writethrough_complete_work";
                    WriteThrough.Complete(s, w.Owner, c, fromWorker: true);
                }
                c.NextPc = 0;
            },
            (s, _) => "",
            (s, _) => s.Work.Count);
        var (program, ops) = b.Build();
        return new ThreadInfo("wq", ThreadKind.Actor, ExecContext.Workqueue, program, ops);
    }

    /// <summary>xfs_end_ioend_write: end COW, convert unwritten, update i_disk_size, then end writeback.</summary>
    public static void XfsEndIoendWrite(KernelState s, Bio bio, StepContext c)
    {
        var g = s.Geo;
        if (bio.Error)
        {
            // xfs_end_ioend: a failed ioend converts nothing, updates no size and cancels its COW staging
            for (int blk = bio.FirstBlock; blk < bio.FirstBlock + bio.BlockCount; blk++)
                if (bio.ToCow && s.Cow[blk] != CowType.None) s.CowW[blk] = CowType.None;
            FinishFolios(s, bio, c);
            return;
        }
        for (int blk = bio.FirstBlock; blk < bio.FirstBlock + bio.BlockCount; blk++)
        {
            if (bio.ToCow && s.Cow[blk] != CowType.None)
            {
                // xfs_reflink_end_cow: remap the COW staging block into the data fork
                for (int u = g.FirstUnitOfBlock(blk); u < g.FirstUnitOfBlock(blk + 1); u++) s.DiskW[u] = s.CowDisk[u];
                s.ExtentsW[blk] = ExtentType.Written;
                s.CowW[blk] = CowType.None;
                c.Note($"blk {blk} COW remapped");
            }
            else if (bio.Unwritten && s.Extents[blk] == ExtentType.Unwritten)
            {
                s.ExtentsW[blk] = ExtentType.Written;
                c.Note($"blk {blk} unwritten -> written");
            }
        }
        SetFileSize(s, bio.IoEndUnit, c);
        FinishFolios(s, bio, c);
    }

    /// <summary>xfs_setfilesize: i_disk_size up to the I/O end, clamped to the in-core i_size (xfs_new_eof).</summary>
    public static void SetFileSize(KernelState s, int ioEnd, StepContext c)
    {
        int newEof = Math.Min(ioEnd, s.Inode.ISize);
        if (newEof > s.Inode.IDiskSize)
        {
            s.InodeW.IDiskSize = newEof;
            c.Note($"i_disk_size = {s.Geo.Bytes(newEof)}");
        }
    }
}
