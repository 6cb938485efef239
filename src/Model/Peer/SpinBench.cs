using ModelCheck.Model.Ops;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Peer;

/// <summary>
/// The processes of the SPIN peer model (shared/bench/spin/pagecache.pml), written as ModelCheck
/// steps so that both checkers explore the same system: one step per Promela statement, an atomic
/// block as one step, the same variables (present, locked, dirty, writeback, uptodate, data and
/// disk per folio; i_size; i_rwsem; truncate_done; later_write; trunc_seq) and the same property
/// (isize-regression). A folio is one unit; BenchFix mirrors FIX. Not a kernel model: a yardstick.
/// </summary>
public static class SpinBench
{
    private static bool Fix(KernelState s) => s.Machine.Variant.BenchFix;

    private static Guard Lock(KernelState s, int f) =>
        s.Folios[f].LockOwner >= 0 ? Guard.Block(WaitKind.FolioLock, f, static t => $"folio_lock(F{t})") : Guard.Run;

    private static void Set(ProgramBuilder b, string what, Action<KernelState, StepContext> effect) =>
        b.Add(what, (_, _) => Guard.Run, effect);

    /// <summary>A statement on the process's own variables only (loop control, dead-variable resets).</summary>
    private static void Local(ProgramBuilder b, string what, Action<KernelState, StepContext> effect) =>
        b.Add(what, (_, _) => Guard.Run, effect, local: true);

    /// <summary>
    /// A statement inside a folio_lock section that touches only folio fields every process reads
    /// and writes only while it holds that folio's lock (present, data, uptodate, dirty), plus its
    /// own variables. No step of another process that touches them can be enabled while this
    /// process holds the lock, so the statement is independent of everything the others can do
    /// here, and the property (i_size, truncate_done) does not read them: as safe to reduce as a
    /// local statement (see <see cref="Step.Local"/>). writeback is not such a field (end-io clears
    /// it without the lock), nor is i_size, so the statements that touch those are not marked.
    /// </summary>
    private static void UnderFolioLock(ProgramBuilder b, string what, Action<KernelState, StepContext> effect) => Local(b, what, effect);

    /// <summary>
    /// An unlock (folio lock or i_rwsem). The only steps it interacts with are other processes'
    /// attempts to take the same lock, and none of those can run before it: they stay blocked
    /// until it runs. It never blocks and the property does not read locks, so it is as safe to
    /// reduce as a local statement (see <see cref="Step.Local"/>).
    /// </summary>
    private static void Unlock(ProgramBuilder b, string what, Action<KernelState, StepContext> effect) => Local(b, what, effect);

    /// <summary>proctype writer(w, last): [i_rwsem] lock, present, data, uptodate, dirty, unlock per folio; then i_size.</summary>
    public static void EmitWriter(ProgramBuilder b, int last, int writeId)
    {
        byte tag = DataTag.Write(writeId);
        b.Add("writer_lock_irwsem", (s, tid) => s.Inode.IRwsem.CanWrite ? Guard.Run : Guard.Block(WaitKind.IRwsem, "irwsem"),
            (s, c) =>
            {
                s.InodeW.IRwsem.Lock(c.Tid);
                if (s.History.TruncSize >= 0) s.H.SizeOpSince = true; // later_write
            });
        for (int f = 0; f <= last; f++)
        {
            int i = f;
            Local(b, "loop_cond", (_, _) => { });
            b.Add("folio_lock", (s, _) => Lock(s, i), (s, c) => s.FoliosW[i].LockOwner = (sbyte)c.Tid, (_, _) => $"F{i}");
            UnderFolioLock(b, "present", (s, _) => s.FoliosW[i].Present = true);
            UnderFolioLock(b, "copy_folio_from_iter", (s, _) => s.CacheDataW[i] = tag);
            UnderFolioLock(b, "uptodate", (s, _) => s.FoliosW[i].UptodateMask = 1);
            UnderFolioLock(b, "folio_mark_dirty", (s, _) => s.FoliosW[i].Dirty = true);
            Unlock(b, "folio_unlock", (s, _) => s.FoliosW[i].LockOwner = -1);
            Local(b, "f++", (_, _) => { });
        }
        Local(b, "loop_exit", (_, _) => { });
        Set(b, "i_size_write", (s, _) => s.InodeW.ISize = Math.Max(s.Inode.ISize, last + 1));
        Unlock(b, "writer_unlock_irwsem", (s, c) => s.InodeW.IRwsem.Unlock(c.Tid));
    }

    /// <summary>proctype truncate: [i_rwsem] i_size = 0; per folio: lock, wait for writeback, remove, unlock.</summary>
    public static void EmitTruncate(ProgramBuilder b, int folios)
    {
        b.Add("truncate_lock_irwsem", (s, _) => s.Inode.IRwsem.CanWrite ? Guard.Run : Guard.Block(WaitKind.IRwsem, "irwsem"),
            (s, c) => s.InodeW.IRwsem.Lock(c.Tid));
        Set(b, "i_size_write(0)", (s, _) =>
        {
            s.InodeW.ISize = 0;
            if (Fix(s)) s.PeerTruncSeq++;
        });
        for (int f = 0; f < folios; f++)
        {
            int i = f;
            Local(b, "loop_cond", (_, _) => { });
            b.Add("folio_lock", (s, _) => Lock(s, i), (s, c) => s.FoliosW[i].LockOwner = (sbyte)c.Tid, (_, _) => $"F{i}");
            // once enabled it stays enabled (only the flusher sets writeback, under the folio lock
            // truncate holds) and reads only writeback, which end-io may only clear again: it
            // commutes with every other step, so it is reduced like a local statement
            b.Add("folio_wait_writeback", (s, _) => s.Folios[i].Writeback ? Guard.Block(WaitKind.FolioWriteback, i, static t => $"writeback F{t}") : Guard.Run,
                (_, _) => { }, local: true);
            // also writes disk[f], which only end-io's completion of f's slot writes too: safe while
            // that slot is not in flight and the flusher is not about to fill it (it can fill it
            // only after taking the folio lock, which truncate holds)
            b.Add("truncate_inode_folio", (_, _) => Guard.Run, (s, _) =>
            {
                ref var folio = ref s.FoliosW[i];
                folio.Present = false;
                folio.Dirty = false;
                folio.UptodateMask = 0;
                s.CacheDataW[i] = DataTag.None;
                s.DiskW[i] = DataTag.Zero;
            }, safeWhen: (s, _) => !SlotInFlight(s, i) && !FlusherAboutToSubmit(s, i));
            Unlock(b, "folio_unlock", (s, _) => s.FoliosW[i].LockOwner = -1);
            Local(b, "f++", (_, _) => { });
        }
        Local(b, "loop_exit", (_, _) => { });
        Set(b, "truncate_done", (s, _) => OpHistory.TruncateDone(s, 0));
        Unlock(b, "truncate_unlock_irwsem", (s, c) => s.InodeW.IRwsem.Unlock(c.Tid));
    }

    /// <summary>proctype flusher: forever pick a folio, lock it, snapshot it under the lock, submit.</summary>
    public static void EmitFlusher(ProgramBuilder b, int folios)
    {
        const int F = OpHistory.Scratch0, Snap = OpHistory.Scratch1, Seq = OpHistory.Scratch2, Go = OpHistory.Scratch3;
        var top = b.MarkHere();
        var skip = b.NewLabel();
        var reset = b.NewLabel();
        b.Add("select", (_, _) => Guard.Run, (s, c) => s.LocalW(c.Tid, F) = c.Alt, (_, _) => "", (_, _) => folios, local: true);
        b.Add("folio_lock", (s, tid) => Lock(s, s.Local(tid, F)), (s, c) => s.FoliosW[s.Local(c.Tid, F)].LockOwner = (sbyte)c.Tid,
            (s, tid) => $"F{s.Local(tid, F)}");
        b.Add("snapshot", (_, _) => Guard.Run, (s, c) =>
        {
            int f = s.Local(c.Tid, F);
            var folio = s.Folios[f];
            bool go = folio.Present && folio.Dirty && (!Fix(s) || f < s.Inode.ISize);
            s.LocalW(c.Tid, Go) = go ? 1 : 0;
            s.LocalW(c.Tid, Seq) = s.PeerTruncSeq;
        });
        UnderFolioLock(b, "drop_beyond_eof", (s, c) =>
        {
            int f = s.Local(c.Tid, F);
            if (Fix(s) && s.Folios[f].Present && s.Folios[f].Dirty && s.Local(c.Tid, Go) == 0) s.FoliosW[f].Dirty = false;
        });
        b.Add("if_go", (_, _) => Guard.Run, (s, c) =>
        {
            if (s.Local(c.Tid, Go) == 0) c.Goto(skip);
        }, local: true);
        UnderFolioLock(b, "clear_dirty", (s, c) => s.FoliosW[s.Local(c.Tid, F)].Dirty = false);
        // writeback[f] is also written by end-io's folio_end_writeback(f) (truncate reads it only
        // under the folio lock the flusher holds here): safe while end-io is not on f and f's slot
        // is not in flight, since only the flusher fills it
        b.Add("set_writeback", (_, _) => Guard.Run, (s, c) => s.FoliosW[s.Local(c.Tid, F)].Writeback = true,
            safeWhen: (s, tid) => !SlotInFlight(s, s.Local(tid, F)) && !EndioOn(s, s.Local(tid, F)));
        UnderFolioLock(b, "snap", (s, c) => s.LocalW(c.Tid, Snap) = s.CacheData[s.Local(c.Tid, F)]);
        Unlock(b, "folio_unlock", (s, c) => s.FoliosW[s.Local(c.Tid, F)].LockOwner = -1);
        // fills f's slot, which only end-io reads (complete, and endio_isize's wbseq[f]): safe while
        // the slot is not in flight and end-io is not on f (it cannot get there before this runs)
        b.Add("submit_bio", (_, _) => Guard.Run, (s, c) =>
        {
            int f = s.Local(c.Tid, F);
            var bio = new Bio(BioKind.Writeback, s.Local(c.Tid, Seq), f, 1, [(byte)s.Local(c.Tid, Snap)], [f], false, false, f + 1, false, false);
            // SPIN's inflight[f], wbdata[f], wbseq[f]: one slot per folio, kept in folio order and
            // kept after completion; a submission overwrites the folio's slot, as in the model
            int same = Slot(s, f);
            if (same >= 0) s.BiosW[same] = bio;
            else
            {
                int at = 0;
                while (at < s.Bios.Count && s.Bios[at].FirstBlock < f) at++;
                s.BiosW.Insert(at, bio);
            }
            c.Goto(reset);
        }, safeWhen: (s, tid) => !SlotInFlight(s, s.Local(tid, F)) && !EndioOn(s, s.Local(tid, F)));
        b.Mark(skip);
        Unlock(b, "folio_unlock", (s, c) => s.FoliosW[s.Local(c.Tid, F)].LockOwner = -1);
        b.Mark(reset);
        Local(b, "go=0", (s, c) => s.LocalW(c.Tid, Go) = 0);
        Local(b, "snap=0", (s, c) => s.LocalW(c.Tid, Snap) = 0);
        Local(b, "seq=0", (s, c) => s.LocalW(c.Tid, Seq) = 0);
        b.Add("f=0", (_, _) => Guard.Run, (s, c) =>
        {
            s.LocalW(c.Tid, F) = 0;
            c.Goto(top);
        }, local: true);
    }

    /// <summary>proctype endio: forever complete any in-flight bio: disk write, end writeback, i_size.</summary>
    public static void EmitEndio(ProgramBuilder b)
    {
        const int F = OpHistory.Scratch0;
        var top = b.MarkHere();
        b.Add("complete",
            (s, _) => InFlight(s) > 0 ? Guard.Run : Guard.Block(WaitKind.Idle, "no bio in flight"),
            (s, c) =>
            {
                int slot = NthInFlight(s, c.Alt);
                var bio = s.Bios[slot];
                s.BiosW[slot] = bio with { Completed = true }; // inflight[f] = 0; wbdata[f] and wbseq[f] stay
                s.DiskW[bio.FirstBlock] = bio.Data[0];
                s.LocalW(c.Tid, F) = bio.FirstBlock;
            },
            (s, _) => "", (s, _) => InFlight(s));
        Set(b, "folio_end_writeback", (s, c) => s.FoliosW[s.Local(c.Tid, F)].Writeback = false);
        b.Add("endio_isize", (_, _) => Guard.Run, (s, c) =>
        {
            int f = s.Local(c.Tid, F);
            int seq = s.Bios[Slot(s, f)].Owner; // wbseq[f] now: a newer submission may have replaced it
            if ((!Fix(s) || seq == s.PeerTruncSeq) && s.Inode.ISize < f + 1) s.InodeW.ISize = f + 1;
            s.LocalW(c.Tid, F) = 0;
            c.Goto(top);
        });
    }

    /// <summary>The index of folio f's bio slot in the list, or -1 (no submission yet).</summary>
    private static int Slot(KernelState s, int f)
    {
        for (int i = 0; i < s.Bios.Count; i++)
            if (s.Bios[i].FirstBlock == f) return i;
        return -1;
    }

    private static bool SlotInFlight(KernelState s, int f) => Slot(s, f) is var i && i >= 0 && !s.Bios[i].Completed;

    /// <summary>End-io has completed f's slot and not yet run endio_isize for it.</summary>
    private static bool EndioOn(KernelState s, int f)
    {
        for (int t = 0; t < s.Threads.Length; t++)
            if (At(s, t, "complete") is > 0 && s.Local(t, OpHistory.Scratch0) == f) return true;
        return false;
    }

    /// <summary>The flusher has unlocked f and is about to submit its bio.</summary>
    private static bool FlusherAboutToSubmit(KernelState s, int f)
    {
        for (int t = 0; t < s.Threads.Length; t++)
            if (At(s, t, "select") is int pc && s.Machine.Threads[t].Program[pc].Function == "submit_bio" && s.Local(t, OpHistory.Scratch0) == f)
                return true;
        return false;
    }

    /// <summary>Thread t's pc when it runs the process whose program starts with first (end-io, flusher) and has not ended; else null.</summary>
    private static int? At(KernelState s, int t, string first)
    {
        var program = s.Machine.Threads[t].Program;
        int pc = s.Threads[t].Pc;
        return program.Length > 0 && program[0].Function == first && pc < program.Length ? pc : null;
    }

    private static int InFlight(KernelState s)
    {
        int n = 0;
        foreach (var bio in s.Bios)
            if (!bio.Completed) n++;
        return n;
    }

    private static int NthInFlight(KernelState s, int n)
    {
        for (int i = 0; i < s.Bios.Count; i++)
            if (!s.Bios[i].Completed && n-- == 0) return i;
        throw new ModelError($"no in-flight bio {n}");
    }
}
