using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// XFS buffered read (kernel-reference §2.8): IOLOCK_SHARED, filemap_read: per folio,
/// filemap_get_pages finds it or fills it by sync readahead (page_cache_sync_ra under the
/// invalidate_lock: a locked, not uptodate folio and a read bio the device completes with
/// folio_end_read), filemap_update_page waits for the folio lock until it is uptodate (and reads a
/// cached folio that is not uptodate under the invalidate_lock and its lock), then the copy
/// samples i_size and copies without the lock, and filemap_end_dropbehind_read drops a clean
/// dropbehind folio it can trylock. A file system the model has no readahead for (FUSE) fills the
/// folio in place (filemap_create_folio and read_folio in one step).
/// </summary>
public static class BufferedRead
{
    /// <summary>filemap_read stopped at EOF inside a folio: the rest of the read returns nothing.</summary>
    private static readonly Local AtEof = Local.Scratch(3, "filemap_read: reached EOF");

    public const string Name = "read";

    public static void Emit(ProgramBuilder b, int from, int to)
    {
        var g = b.Geo;
        var end = b.NewLabel();
        // ReadLock: XFS takes the i_rwsem shared around the whole read; generic_file_read_iter
        // (ext4) takes no inode lock, so a read can see a write's folios half done
        // (the switch decides which steps the program has, when it is built)
        bool locks = b.Variant.ReadTakesIrwsem;
        // FillInvalidateLock: filemap_create_folio takes the invalidate_lock shared (5.15 on), or nothing
        bool fillLock = b.Variant.FillTakesInvalidateLock;
        if (locks)
            b.Add("xfs_file_buffered_read", InodeLock.Shared, (s, c) =>
            {
                s.InodeW.IRwsem.LockShared(c.Tid);
                OpHistory.ReadStarted(s, c.Tid);
            }, (_, _) => BufferedWrite.Range(g, from, to));
        else
            b.Add("generic_file_read_iter", (_, _) => Guard.Run, (s, c) => OpHistory.ReadStarted(s, c.Tid),
                (_, _) => BufferedWrite.Range(g, from, to));
        // a folio not cached is filled by sync readahead, whose read bio the device completes
        // (a file system without readahead here, FUSE, reads it in place: filemap_create_folio)
        bool readahead = b.Fs.Refuses(Scenario.OpKind.Readahead) is null;
        for (int fi = g.FolioOfUnit(from); fi <= g.FolioOfUnit(to - 1); fi++)
        {
            int i = fi;
            int u0 = Math.Max(from, g.FirstUnitOfFolio(i));
            if (readahead)
            {
                var lookup = b.MarkHere();
                b.Add("filemap_get_pages",
                    (s, tid) =>
                    {
                        if (PastEof(s, tid, u0)) return Guard.Skip(end.Index);
                        if (s.Folios[i].Present) return Guard.Skip(); // found: on to the copy
                        return Readahead.FillGuard(s, fillLock);
                    },
                    (s, c) => Readahead.SyncReadahead(s, i, c),
                    (_, _) => $"F{i}: page_cache_sync_ra");
                b.Add("filemap_read",
                    (s, tid) =>
                    {
                        if (PastEof(s, tid, u0)) return Guard.Skip(end.Index);
                        var f = s.Folios[i];
                        if (!f.Present) return Guard.Skip(lookup); // reclaimed after its read: filemap_get_pages again
                        if (!f.Uptodate(g)) return UpdatePageGuard(s, i, tid, fillLock);
                        return Guard.Run;
                    },
                    (s, c) => ReadFolio(s, i, from, to, c),
                    (_, _) => $"F{i}");
                continue;
            }
            b.Add("filemap_get_pages",
                (s, tid) =>
                {
                    if (PastEof(s, tid, u0)) return Guard.Skip(end.Index);
                    var f = s.Folios[i];
                    if (!f.Present) return Readahead.FillGuard(s, fillLock);
                    if (!f.Uptodate(g)) return UpdatePageGuard(s, i, tid, fillLock);
                    return Guard.Run;
                },
                (s, c) => ReadFolio(s, i, from, to, c),
                (_, _) => $"F{i}");
        }
        b.Mark(end);
        b.Add(locks ? "xfs_iunlock" : "filemap_read", (_, _) => Guard.Run, (s, c) =>
        {
            if (locks) s.InodeW.IRwsem.Unlock(c.Tid);
            AtEof.Clear(s, c.Tid);
            OpHistory.ReadDone(s, c.Tid);
        });
    }

    /// <summary>
    /// filemap_update_page for a cached folio that is not uptodate: the invalidate_lock shared (with
    /// FillInvalidateLock=filemap, the same 5.15 change as filemap_create_folio), then the folio
    /// lock, then read_folio. A partial-block zeroing (ext4) leaves such folios behind.
    /// </summary>
    private static Guard UpdatePageGuard(KernelState s, int i, int tid, bool fillLock) =>
        Readahead.FillGuard(s, fillLock) is { Kind: GuardKind.Block } w ? w : PageCache.LockGuard(s, i, tid);

    /// <summary>The folio starting the read at u0 is past EOF, or an earlier folio already ended the read at EOF (filemap_read stops there).</summary>
    private static bool PastEof(KernelState s, int tid, int u0) => u0 >= s.Inode.ISize || AtEof.IsSet(s, tid);

    private static void ReadFolio(KernelState s, int i, int from, int to, StepContext c)
    {
        var g = s.Geo;
        ref var f = ref s.FoliosW[i];
        if (!f.Present)
        {
            PageCache.AddFolio(s, i, c.Tid, dropbehind: false);
            c.Note($"filemap_create_folio F{i}");
        }
        if (!f.Uptodate(g))
        {
            PageCache.ReadIn(s, i);
            c.Note($"read_folio F{i}");
        }
        if (f.LockOwner == c.Tid) f.LockOwner = -1;
        int isize = s.Inode.ISize;
        int u1 = Math.Min(Math.Min(to, g.FirstUnitOfFolio(i + 1)), isize);
        for (int u = Math.Max(from, g.FirstUnitOfFolio(i)); u < u1; u++)
            OpHistory.ReadUnit(s, c.Tid, Name, u, s.CacheData[u], c);
        // the read reached EOF inside this folio: it returns what it has, whatever i_size becomes
        if (isize < Math.Min(to, g.FirstUnitOfFolio(i + 1))) AtEof.Set(s, c.Tid, 1);
        // filemap_end_dropbehind_read
        if (f.Dropbehind && !f.Dirty && !f.Writeback && !f.Locked)
        {
            f.LockOwner = (sbyte)c.Tid;
            Dropbehind.FilemapEndDropbehind(s, i, c);
            if (s.Folios[i].Present) s.FoliosW[i].LockOwner = -1;
        }
    }
}
