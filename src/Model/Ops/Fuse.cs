using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// FUSE writeback in writeback_cache mode (the FUSE temp-page series, kernel-reference §3.4) and the FUSE server. With temp
/// pages, fuse_writepage_locked copies the folio into a temporary folio outside the page cache,
/// ends writeback on the original at once and tracks the request in FUSE's own tree; without,
/// the original stays under PG_writeback until the server answers. The server takes a request,
/// may allocate memory (memory pressure enters direct reclaim), then answers
/// (fuse_writepage_end), unless it is a server that never answers.
/// </summary>
public static class Fuse
{
    /// <summary>fuse_writepages for a locked, dirty folio (after folio_clear_dirty_for_io).</summary>
    public static void WriteFolio(KernelState s, int i, StepContext c)
    {
        var g = s.Geo;
        c.Function = "fuse_writepages";
        bool temp = s.Machine.Variant.Fuse.TempPage;
        PageCache.StartWriteback(s, i, g.AllBlocksMask, stableIo: false, c);
        s.FoliosW[i].DirtyMask = 0;
        var data = s.CacheData.Slice(g.FirstUnitOfFolio(i), g.UnitsPerFolio).ToArray();
        s.FuseRequestsW.Add(new FuseRequest(i, g.FirstBlockOfFolio(i), data, temp, -1));
        if (temp)
        {
            c.Emit(new CopyMade(i, "fuse_writepage_locked: copy into a temp folio"));
            s.FoliosW[i].WritebackMask = 0;
            Completion.EndWriteback(s, i, c);
            c.Note($"queue WRITE for F{i} (temp folio); folio_end_writeback at once");
        }
        else c.Note($"queue WRITE for F{i}; PG_writeback until the server answers");
        s.FoliosW[i].LockOwner = -1;
    }

    public static ThreadInfo Server(Geometry g, int index, bool answers)
    {
        var b = new ProgramBuilder(g);
        var top = b.MarkHere();
        var answer = b.NewLabel();
        b.Add("fuse_dev_do_read",
            (s, _) => s.FuseRequests.Any(r => r.Server < 0) ? Guard.Run : Guard.Block(WaitKind.Idle, "no request"),
            (s, c) =>
            {
                int n = -1;
                for (int k = 0; k < s.FuseRequests.Count; k++)
                    if (s.FuseRequests[k].Server < 0 && ++n == c.Alt)
                    {
                        s.FuseRequestsW[k] = s.FuseRequests[k] with { Server = c.Tid };
                        c.Note($"server takes WRITE F{s.FuseRequests[k].Folio}");
                        break;
                    }
            },
            null,
            (s, _) => s.FuseRequests.Count(r => r.Server < 0));
        b.Add("fuse_handle_request",
            (_, _) => Guard.Run,
            (_, c) =>
            {
                if (c.Alt == 0)
                {
                    c.Goto(answer);
                    return;
                }
                c.Note("allocation under memory pressure: direct reclaim");
            },
            (_, _) => "allocate memory",
            (_, _) => 2);
        Reclaim.Emit(b);
        b.Mark(answer);
        b.Add("fuse_writepage_end",
            (_, _) => answers ? Guard.Run : Guard.Block(WaitKind.Never, "the server never answers"),
            (s, c) =>
            {
                int k = s.FuseRequestsW.FindIndex(r => r.Server == c.Tid);
                if (k < 0) throw new ModelError("server answers without a request");
                var r = s.FuseRequests[k];
                s.FuseRequestsW.RemoveAt(k);
                if (WritebackError.ServerFails(s, c))
                    WritebackError.MappingSetError(s, g.FirstUnitOfBlock(r.FirstBlock), r.Data, c); // the reply's -EIO
                else r.Data.CopyTo(s.DiskW.AsSpan(g.FirstUnitOfBlock(r.FirstBlock)));
                if (!r.TempPage)
                {
                    s.FoliosW[r.Folio].WritebackMask = 0;
                    Completion.EndWriteback(s, r.Folio, c);
                }
                c.Note($"server wrote F{r.Folio}");
                c.Goto(top);
            },
            (_, _) => "",
            (s, _) => WritebackError.ServerAlternatives(s));
        var (program, ops) = b.Build();
        return new ThreadInfo(index == 0 ? "server" : $"server{index}", ThreadKind.Actor, ExecContext.Task, program, ops);
    }

    /// <summary>fuse_fsync -> fuse_sync_writes: wait until every queued WRITE of the inode was answered.</summary>
    public static void EmitSyncWrites(ProgramBuilder b) =>
        b.Add("fuse_sync_writes",
            (s, _) => s.FuseRequests.Count > 0 ? Guard.Block(WaitKind.FuseRequests, "fuse_sync_writes (pending WRITE)")
                : Guard.Skip(),
            (_, _) => { });
}
