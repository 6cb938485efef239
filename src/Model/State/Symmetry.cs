using ModelCheck.Model.Steps;

namespace ModelCheck.Model.State;

/// <summary>
/// Symmetry of interchangeable threads: user threads with the same operations, none of which
/// writes data (a write gets its own write id, so two writers are never interchangeable), run the
/// same program, so a state and the state with their roles swapped have the same futures up to the
/// swap. The exhaustive search keys its visited set by a canonical member of each such orbit (its
/// threads sorted by what each holds), while it keeps and expands the state it actually reached,
/// so traces stay real paths. Every thread id a state holds is remapped: pcs, locals, folio lock
/// owners, the i_rwsem's and invalidate_lock's holders, i_private_lock, bio and work owners, FUSE
/// request servers, pending dropbehind continuations, and the per-thread error-owed bits.
/// </summary>
public sealed partial class KernelState
{
    /// <summary>The state with thread t's role given to map[t] (map a permutation of every thread).</summary>
    public KernelState Permuted(int[] map)
    {
        int n = Threads.Length, slots = Machine.LocalsPerThread;
        var p = Clone();
        var threads = new ThreadCursor[n];
        var loc = new int[locals.Length];
        for (int t = 0; t < n; t++)
        {
            threads[map[t]] = Threads[t];
            Array.Copy(locals, t * slots, loc, map[t] * slots, slots);
        }
        p.Threads = threads;
        p.locals = loc;
        p.shared &= ~LocalsBit;
        sbyte Tid(sbyte t) => t < 0 ? t : (sbyte)map[t];
        int Bits(int mask)
        {
            int r = 0;
            for (int t = 0; t < n; t++)
                if ((mask & (1 << t)) != 0) r |= 1 << map[t];
            return r;
        }
        p.inode.IRwsem.Writer = Tid(inode.IRwsem.Writer);
        p.inode.IRwsem.Readers = Bits(inode.IRwsem.Readers);
        p.inode.InvalidateLock.Writer = Tid(inode.InvalidateLock.Writer);
        p.inode.InvalidateLock.Readers = Bits(inode.InvalidateLock.Readers);
        if (inode.PrivateLock > 0) p.inode.PrivateLock = (byte)(map[inode.PrivateLock - 1] + 1);
        for (int i = 0; i < folios.Length; i++)
            if (folios[i].LockOwner >= 0) p.FoliosW[i].LockOwner = Tid(folios[i].LockOwner);
        for (int k = 0; k < bios.Count; k++)
            if (bios[k].Owner >= 0) p.BiosW[k] = bios[k] with { Owner = map[bios[k].Owner] };
        for (int k = 0; k < work.Count; k++)
            if (work[k].Owner >= 0) p.WorkW[k] = work[k] with { Owner = map[work[k].Owner] };
        for (int k = 0; k < fuseRequests.Count; k++)
            if (fuseRequests[k].Server >= 0) p.FuseRequestsW[k] = fuseRequests[k] with { Server = map[fuseRequests[k].Server] };
        for (int k = 0; k < pendingDropbehind.Count; k++)
            p.PendingDropbehindW[k] = pendingDropbehind[k] with { Tid = map[pendingDropbehind[k].Tid] };
        if (history.ErrOwed != 0) p.H.ErrOwed = Bits(history.ErrOwed);
        return p;
    }

    /// <summary>
    /// The representative of this state's orbit under the machine's symmetry classes: in each class,
    /// the threads ordered by what they hold (pc, locals, the locks and I/O that name them). This
    /// state itself when it is already in that order (no copy).
    /// </summary>
    public KernelState Canonical()
    {
        var classes = Machine.SymmetryClasses;
        if (classes.Count == 0) return this;
        int[]? map = null;
        Span<int> orderAll = stackalloc int[Threads.Length];
        Span<long> rolesAll = stackalloc long[Threads.Length];
        foreach (var members in classes)
        {
            // each member's role summary once, then an insertion sort (groups are small; stable on ties)
            var order = orderAll[..members.Length];
            var roles = rolesAll[..members.Length];
            for (int k = 0; k < members.Length; k++)
            {
                order[k] = members[k];
                roles[k] = RoleKey(members[k]);
            }
            for (int k = 1; k < order.Length; k++)
                for (int j = k; j > 0 && CompareRoles(order[j - 1], roles[j - 1], order[j], roles[j]) > 0; j--)
                {
                    (order[j - 1], order[j]) = (order[j], order[j - 1]);
                    (roles[j - 1], roles[j]) = (roles[j], roles[j - 1]);
                }
            for (int k = 0; k < members.Length; k++)
            {
                if (order[k] == members[k]) continue;
                map ??= Enumerable.Range(0, Threads.Length).ToArray();
                map[order[k]] = members[k];
            }
        }
        return map is null ? this : Permuted(map);
    }

    /// <summary>Orders two threads of a class by their own state, then by what of the shared state names them (roleA, roleB).</summary>
    private int CompareRoles(int a, long roleA, int b, long roleB)
    {
        int c = Threads[a].Pc.CompareTo(Threads[b].Pc);
        if (c != 0) return c;
        int slots = Machine.LocalsPerThread;
        c = locals.AsSpan(a * slots, slots).SequenceCompareTo(locals.AsSpan(b * slots, slots));
        return c != 0 ? c : roleA.CompareTo(roleB);
    }

    /// <summary>A summary of the shared state that names thread t (locks held, I/O owned, errors owed).</summary>
    private long RoleKey(int t)
    {
        long key = 0;
        for (int i = 0; i < folios.Length; i++)
            if (folios[i].LockOwner == t) key |= 1L << i;
        int roles = (inode.IRwsem.Writer == t ? 1 : 0) | (((inode.IRwsem.Readers >> t) & 1) << 1)
            | (inode.InvalidateLock.Writer == t ? 4 : 0) | (((inode.InvalidateLock.Readers >> t) & 1) << 3)
            | (inode.PrivateLock == t + 1 ? 16 : 0) | (((history.ErrOwed >> t) & 1) << 5);
        key = (key << 8) + roles;
        key <<= 8;
        foreach (var bio in bios) if (bio.Owner == t) key++;
        foreach (var w in work) if (w.Owner == t) key += 16;
        foreach (var pd in pendingDropbehind) if (pd.Tid == t) key += 64;
        return key;
    }
}
