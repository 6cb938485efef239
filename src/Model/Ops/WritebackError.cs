using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Model.Ops;

/// <summary>
/// Writeback I/O errors and how fsync reports them (lib/errseq.c, mm/filemap.c,
/// include/linux/pagemap.h::mapping_set_error). A failed writeback bio writes nothing; its
/// completion (iomap_finish_ioend, after xfs_end_ioend skips the unwritten conversion and the size
/// update) calls mapping_set_error, which bumps mapping->wb_err (an errseq_t) and sets AS_EIO; the
/// folios end writeback clean, so their data survives only until reclaim. fsync ends in
/// file_check_and_advance_wb_err: with errseq each file description (f_wb_err, sampled at open)
/// sees the error once (and one opened later does if nobody has seen it: errseq_sample, 4.16 on);
/// before 4.13 (WbErrReporting=as-eio) the first fsync on any description tests and clears AS_EIO
/// and the others see nothing.
/// </summary>
public static class WritebackError
{
    // errseq_t in a byte: SEEN, an error recorded, and the counter above them
    private const byte Seen = 1, HasError = 2, CounterStep = 4;

    /// <summary>The bios the device may fail now: writeback bios, when the scenario allows the fault and none failed yet.</summary>
    private static int Eligible(KernelState s)
    {
        int n = 0;
        foreach (var bio in s.Bios)
            if (MayFail(s, bio)) n++;
        return n;
    }

    /// <summary>
    /// A bio the device may fail now: a writeback bio while the scenario allows writeback-io-error
    /// and none failed yet, a read bio likewise under read-io-error.
    /// </summary>
    private static bool MayFail(KernelState s, Bio bio) => bio.Kind switch
    {
        BioKind.Writeback => s.Inode.IoErrors < s.Machine.FaultLimit && s.Machine.Faults.Contains(Faults.WritebackIoError),
        BioKind.Read => s.Inode.ReadErrors < s.Machine.FaultLimit && s.Machine.Faults.Contains(Faults.ReadIoError),
        _ => false,
    };

    /// <summary>The device's alternatives: complete any bio, or fail any bio that may fail.</summary>
    public static int DeviceAlternatives(KernelState s) => s.Bios.Count + Eligible(s);

    /// <summary>Which bio the device's alternative completes, and whether it fails it.</summary>
    public static (int Index, bool Fail) Choice(KernelState s, int alt)
    {
        if (alt < s.Bios.Count) return (alt, false);
        int k = alt - s.Bios.Count;
        for (int i = 0; i < s.Bios.Count; i++)
            if (MayFail(s, s.Bios[i]) && k-- == 0) return (i, true);
        throw new ModelError($"device alternative {alt} out of range");
    }

    /// <summary>A FUSE server's WRITE reply: success, or -EIO when the fault is allowed and none was injected yet.</summary>
    public static int ServerAlternatives(KernelState s) => Faults.WritebackIoError.Alternatives(s, canFail: s.Inode.IoErrors < s.Machine.FaultLimit);

    /// <summary>Whether this reply is the failure (fuse_writepage_end then sees the error, as for a failed bio).</summary>
    public static bool ServerFails(KernelState s, StepContext c)
    {
        if (!Faults.WritebackIoError.Fails(c)) return false;
        s.InodeW.IoErrors++;
        return true;
    }

    /// <summary>The device failed the bio (counted against the run's budget).</summary>
    public static void Injected(KernelState s, StepContext c)
    {
        s.InodeW.IoErrors++;
        c.Note($"fault {Faults.WritebackIoError.Name} injected: BLK_STS_IOERR, nothing written");
    }

    /// <summary>
    /// mapping_set_error(mapping, -EIO) for a failed bio: errseq_set on wb_err, AS_EIO. Its data is
    /// no longer promised (the error is what fsync owes instead): every open file description is
    /// owed the error.
    /// </summary>
    public static void MappingSetError(KernelState s, Bio bio, StepContext c) =>
        MappingSetError(s, s.Geo.FirstUnitOfBlock(bio.FirstBlock), bio.Data, c);

    /// <summary>mapping_set_error for a failed write of data at unit u0 on.</summary>
    public static void MappingSetError(KernelState s, int u0, byte[] data, StepContext c)
    {
        byte v = s.Inode.WbErr;
        // errseq_set: a new error bumps the counter only if the last one was seen
        s.InodeW.WbErr = (v & Seen) != 0 ? (byte)((v & ~(Seen | HasError)) + CounterStep | HasError) : (byte)(v | HasError);
        s.InodeW.AsEio = true;
        c.Note("mapping_set_error(-EIO): wb_err " + Describe(v) + " -> " + Describe(s.Inode.WbErr) + ", AS_EIO");
        var h = s.H;
        for (int u = u0; u < u0 + data.Length; u++)
        {
            h.MustSurvive[u] = DataTag.None;
            h.Floor[u] = 0;
            h.ErrLost[u] = data[u - u0];
        }
        for (int t = 0; t < s.Machine.Threads.Length; t++)
            if (s.Machine.Threads[t].Kind == ThreadKind.User) h.ErrOwed |= 1 << t;
        h.ErrUnreported = true;
    }

    /// <summary>
    /// open(2): the new file description samples wb_err (errseq_sample: an error nobody has seen
    /// yet reads as 0, so this description will see it; 4.13 to 4.15 sampling marked the error
    /// seen and returned it, so neither this description nor one opened later saw it).
    /// </summary>
    public static void EmitOpen(ProgramBuilder b)
    {
        int slot = OpHistory.FileWbErrSlot(b.Geo);
        bool sampleUnseenAsZero = b.Variant.WbErrReporting == WbErrReportingMode.Errseq;
        b.Add("do_dentry_open", (_, _) => Guard.Run, (s, c) =>
        {
            byte v = s.Inode.WbErr;
            if (!sampleUnseenAsZero && v != 0) s.InodeW.WbErr = v |= Seen; // 4.13-4.15: sampling marks the error seen
            s.LocalW(c.Tid, slot) = (v & Seen) != 0 ? v : 0;
            var h = s.H;
            h.ErrOwed = h.ErrUnreported ? h.ErrOwed | (1 << c.Tid) : h.ErrOwed & ~(1 << c.Tid);
        }, (s, _) => "f_wb_err = filemap_sample_wb_err: wb_err " + Describe(s.Inode.WbErr));
    }

    /// <summary>fsync's error check: file_check_and_advance_wb_err, or filemap_check_errors before errseq.</summary>
    public static string FsyncCheckFunction(Variant v) =>
        v.WbErrReporting == WbErrReportingMode.AsEio ? "filemap_check_errors" : "file_check_and_advance_wb_err";

    /// <summary>The error fsync returns; records it as reported.</summary>
    public static bool FsyncCheck(KernelState s, StepContext c)
    {
        bool error;
        if (s.Machine.Variant.WbErrReporting != WbErrReportingMode.AsEio)
        {
            ref int since = ref s.LocalW(c.Tid, OpHistory.FileWbErrSlot(s.Geo));
            byte v = s.Inode.WbErr;
            error = v != since && (v & HasError) != 0;
            if (v != since)
            {
                s.InodeW.WbErr = (byte)(v | Seen);
                since = s.Inode.WbErr;
            }
        }
        else error = s.Inode.AsEio;
        s.InodeW.AsEio = false; // test_and_clear_bit(AS_EIO): both kernels clear it
        bool owed = (s.History.ErrOwed & (1 << c.Tid)) != 0;
        if (error)
        {
            var h = s.H;
            h.ErrOwed &= ~(1 << c.Tid);
            h.ErrUnreported = false;
            c.Note("fsync returns -EIO");
        }
        c.Emit(new FsyncReturned(c.Tid, error, owed));
        return error;
    }

    private static string Describe(byte v) =>
        v == 0 ? "0" : $"{((v & HasError) != 0 ? "EIO" : "0")}#{v / CounterStep}{((v & Seen) != 0 ? " seen" : "")}";
}
