using ModelCheck.Model.Ops;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Invariants;

/// <summary>Builds the wait-for chain of a stuck thread at quiescence.</summary>
public static class WaitFor
{
    /// <summary>The threads that hold what w waits for (empty: nobody will ever release it).</summary>
    public static IEnumerable<int> Holders(KernelState s, Wait w)
    {
        var m = s.Machine;
        switch (w.Kind)
        {
            case WaitKind.IRwsem:
                return LockHolders(s.Inode.IRwsem, m.Threads.Length);
            case WaitKind.InvalidateLock:
                return LockHolders(s.Inode.InvalidateLock, m.Threads.Length);
            case WaitKind.FolioLock:
                return s.Folios[w.Target].LockOwner >= 0 ? [s.Folios[w.Target].LockOwner] : [];
            case WaitKind.FolioWriteback or WaitKind.FolioStable:
                // a FUSE folio's writeback ends when a server thread answers its WRITE
                return FuseServers(s, s.FuseRequests.Where(r => r.Folio == w.Target));
            case WaitKind.FuseRequests:
                return FuseServers(s, s.FuseRequests);
            case WaitKind.PrivateLock:
                return s.Inode.PrivateLock > 0 ? [s.Inode.PrivateLock - 1] : [];
            default:
                return [];
        }
    }

    private static IEnumerable<int> FuseServers(KernelState s, IEnumerable<FuseRequest> requests)
    {
        foreach (var r in requests)
        {
            if (r.Server >= 0) return [r.Server];
            int first = Array.FindIndex(s.Machine.Threads, t => t.Name.StartsWith("server", StringComparison.Ordinal) && t.Kind == ThreadKind.Actor);
            return first >= 0 ? [first] : [];
        }
        return [];
    }

    private static IEnumerable<int> LockHolders(RwSem l, int n)
    {
        if (l.Writer >= 0) yield return l.Writer;
        for (int t = 0; t < n; t++)
            if ((l.Readers & (1 << t)) != 0) yield return t;
    }

    /// <summary>Follows waits from tid; returns the chain text and whether it closes a cycle.</summary>
    public static (string Chain, bool Cycle) Chain(KernelState s, int tid)
    {
        var seen = new List<int>();
        var parts = new List<string>();
        int t = tid;
        while (true)
        {
            if (seen.Contains(t))
            {
                parts.Add(s.Machine.Threads[t].Name);
                return (string.Join(" -> ", parts), true);
            }
            seen.Add(t);
            parts.Add(s.Machine.Threads[t].Name);
            if (Semantics.Status(s, t, out _, out var guard) != ThreadStatus.Blocked)
                return (string.Join(" -> ", parts), false);
            parts.Add(guard.Wait.Text);
            var holders = Holders(s, guard.Wait).ToList();
            if (holders.Count == 0)
            {
                parts.Add(NobodyText(s, guard.Wait));
                return (string.Join(" -> ", parts), false);
            }
            t = holders[0];
        }
    }

    private static string NobodyText(KernelState s, Wait w) => w.Kind switch
    {
        WaitKind.DioCount => "nobody (no I/O holds the count)",
        WaitKind.Never => "nobody (the server never answers)",
        WaitKind.FolioWriteback or WaitKind.FolioStable => "nobody (no I/O in flight will end it)",
        _ => "nobody",
    };

    /// <summary>
    /// Threads stuck at quiescence: user threads blocked outside an operation that may block, and
    /// actors blocked on something other than a lack of work (or a designed never-answering server).
    /// </summary>
    public static IEnumerable<int> Stuck(KernelState s)
    {
        for (int t = 0; t < s.Threads.Length; t++)
        {
            var info = s.Machine.Threads[t];
            if (Semantics.Status(s, t, out int pc, out var guard) != ThreadStatus.Blocked) continue;
            if (info.Kind == ThreadKind.Actor && guard.Wait.Kind is WaitKind.Idle or WaitKind.Never) continue;
            if (info.Kind == ThreadKind.User && info.OpAt(pc) is { MayBlock: true }) continue;
            yield return t;
        }
    }
}

/// <summary>deadlock (kernel-reference §6.8, race §4.4).</summary>
public sealed class Deadlock : Invariant
{
    public override string Id => "deadlock";
    public override string Title => "no cycle of threads waiting on each other";
    public override string Kind => "liveness";
    public override string Rationale =>
        "A state in which unfinished threads exist, none can take a step, and their waits form a cycle is a " +
        "deadlock. In particular an actor that serves I/O completion (a FUSE server, a workqueue) must never " +
        "wait for PG_writeback on a folio whose completion it must itself produce (kernel-reference §6.8; " +
        "mm/vmscan.c::shrink_folio_list case 3 waits in folio_wait_writeback).";

    public override Violation? AtQuiescence(KernelState s)
    {
        foreach (int t in WaitFor.Stuck(s))
        {
            var (chain, cycle) = WaitFor.Chain(s, t);
            if (cycle) return Fail("wait-for cycle: " + chain);
        }
        return null;
    }
}

/// <summary>blocked-forever (races §4.4b, §4.4c and the write-through dio-count leak).</summary>
public sealed class BlockedForever : Invariant
{
    public override string Id => "blocked-forever";
    public override string Title => "no thread waits forever for something that can never happen";
    public override string Kind => "liveness";
    public override string Rationale =>
        "A thread that may not wait indefinitely (sync(2), truncate, migration, reclaim) must not be blocked on " +
        "an event nobody will produce: a writeback bit no I/O will clear, an i_dio_count nobody will drop " +
        "(fs/inode.c::inode_dio_wait), a server that never answers. Operations a scenario marks may_block " +
        "(fsync on a FUSE file: the caller passed the fd) are exempt.";

    public override Violation? AtQuiescence(KernelState s)
    {
        foreach (var (_, chain) in Waiting(s)) return Fail("blocked forever: " + chain);
        return null;
    }

    /// <summary>The stuck threads whose wait-for chain ends in nobody (no cycle), with the chain; the Coyote monitor uses it too.</summary>
    public static IEnumerable<(int Thread, string Chain)> Waiting(KernelState s)
    {
        foreach (int t in WaitFor.Stuck(s))
        {
            var (chain, cycle) = WaitFor.Chain(s, t);
            if (!cycle) yield return (t, chain);
        }
    }
}

/// <summary>dropbehind-leak (kernel-reference §6.7, races §4.5-§4.7).</summary>
public sealed class DropbehindLeak : Invariant
{
    public override string Id => "dropbehind-leak";
    public override string Title => "no DONTCACHE folio stays cached once all I/O has finished";
    public override string Kind => "liveness";
    public override string Rationale =>
        "RWF_DONTCACHE folios are dropped when their I/O completes (mm/filemap.c::folio_end_dropbehind). Once " +
        "all I/O has finished, a folio whose contents came from DONTCACHE I/O, that no non-DONTCACHE user " +
        "touched since, and that is clean, must not be in the cache. The model tracks that origin itself, " +
        "since some kernels clear PG_dropbehind before deciding to skip the invalidation.";

    public override Violation? AtQuiescence(KernelState s)
    {
        foreach (int i in Leaked(s))
            return Fail($"F{i} came from DONTCACHE I/O and is still cached after all I/O finished" +
                        $" (cause: {Cause((LeakCause)s.Folios[i].LeakCause)})");
        return null;
    }

    /// <summary>Once no bio and no completion work is outstanding: the clean folios from DONTCACHE I/O still cached. The Coyote monitor uses it too.</summary>
    public static IEnumerable<int> Leaked(KernelState s)
    {
        if (s.Bios.Count > 0 || s.Work.Count > 0) yield break;
        for (int i = 0; i < s.Folios.Length; i++)
        {
            var f = s.Folios[i];
            if (f.Present && f.DontcacheOrigin && !f.Dirty && !f.Writeback) yield return i;
        }
    }

    private static string Cause(LeakCause c) => c switch
    {
        LeakCause.IrqSkip => "completion in IRQ context skipped the invalidation",
        LeakCause.TrylockFailed => "folio_trylock failed",
        LeakCause.Busy => "invalidation returned -EBUSY",
        _ => "no invalidation was attempted",
    };
}
