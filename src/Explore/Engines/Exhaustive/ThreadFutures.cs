using ModelCheck.Model.State;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>
/// What each thread can still read and write from each of its program positions, learned from a
/// complete unreduced search: for every step a thread took from pc p, its recorded footprint is
/// added to p, p is linked to the pc the step left it at, and p keeps the locks the thread held
/// before or after every step taken there. The future of (thread, p) is the union over every pc
/// reachable from p in that graph. Learned from every reachable state, it over-approximates what
/// the thread can do next in any of them (a state's locals only narrow it), which is what a
/// persistent set needs and what a search that has not run cannot know. Given locks other threads
/// hold, the future stops at the positions whose steps are tied to one of them: the thread cannot
/// take such a step until the holder lets go. Positions past the end of a program share one node.
/// </summary>
public sealed class ThreadFutures
{
    /// <summary>Lock bits: folio f's lock (f below 16; later folios' locks are not tracked), then the i_rwsem and the invalidate_lock, each exclusive and shared.</summary>
    public const int IRwsemExclusive = 16, IRwsemShared = 17, InvalidateExclusive = 18, InvalidateShared = 19;

    private readonly int[] programLength;
    private readonly UInt128[][] touched, written;
    private readonly HashSet<int>[][] next;
    private readonly ulong[][] tied, releases;
    private readonly Dictionary<(int Tid, int Node, ulong Pinned), (UInt128 Touched, UInt128 Written, ulong Releases)> closed = [];

    public ThreadFutures(KernelState initial)
    {
        programLength = [.. initial.Machine.Threads.Select(t => t.Program.Length)];
        touched = [.. programLength.Select(n => new UInt128[n + 1])];
        written = [.. programLength.Select(n => new UInt128[n + 1])];
        next = [.. programLength.Select(n => Enumerable.Range(0, n + 1).Select(_ => new HashSet<int>()).ToArray())];
        tied = [.. programLength.Select(n => Enumerable.Repeat(ulong.MaxValue, n + 1).ToArray())];
        releases = [.. programLength.Select(n => new ulong[n + 1])];
    }

    /// <summary>The node of thread tid's position in s.</summary>
    public int Node(KernelState s, int tid) => Math.Min(s.Threads[tid].Pc, programLength[tid]);

    /// <summary>Thread tid took a step with footprint f from before to after.</summary>
    public void Learn(KernelState before, int tid, Footprint f, KernelState after)
    {
        int from = Node(before, tid);
        touched[tid][from] |= f.Reads | f.Writes;
        written[tid][from] |= f.Writes;
        next[tid][from].Add(Node(after, tid));
        tied[tid][from] &= Held(before, tid) | Held(after, tid);
        for (int a = 0; a < programLength.Length; a++)
            if (a != tid) releases[tid][from] |= Held(before, a) & ~Held(after, a);
        closed.Clear();
    }

    /// <summary>Thread tid, blocked in s, evaluated its guard with footprint f (a blocked guard may read less than a passing one).</summary>
    public void LearnBlocked(KernelState s, int tid, Footprint f)
    {
        touched[tid][Node(s, tid)] |= f.Reads | f.Writes;
        closed.Clear();
    }

    /// <summary>Everything thread tid can read or write from its position in s on, while the locks in pinned stay held by others.</summary>
    public UInt128 Touched(KernelState s, int tid, ulong pinned = 0) => Close(tid, Node(s, tid), pinned).Touched;

    /// <summary>Everything thread tid can write from its position in s on, while the locks in pinned stay held by others.</summary>
    public UInt128 Written(KernelState s, int tid, ulong pinned = 0) => Close(tid, Node(s, tid), pinned).Written;

    /// <summary>The locks thread tid can release for another thread that holds them (a completion unlocking a folio), from its position in s on.</summary>
    public ulong ReleasesForOthers(KernelState s, int tid) => Close(tid, Node(s, tid), 0).Releases;

    /// <summary>The locks thread tid holds in s.</summary>
    public static ulong Held(KernelState s, int tid)
    {
        ulong held = 0;
        var folios = s.Folios;
        for (int f = 0; f < Math.Min(folios.Length, 16); f++)
            if (folios[f].Present && folios[f].LockOwner == tid) held |= 1UL << f;
        var inode = s.Inode;
        if (inode.IRwsem.Writer == tid) held |= 1UL << IRwsemExclusive;
        if ((inode.IRwsem.Readers & (1 << tid)) != 0) held |= 1UL << IRwsemShared;
        if (inode.InvalidateLock.Writer == tid) held |= 1UL << InvalidateExclusive;
        if ((inode.InvalidateLock.Readers & (1 << tid)) != 0) held |= 1UL << InvalidateShared;
        return held;
    }

    /// <summary>The locks no other thread can hold while the locks in held are held: a folio lock and an exclusive hold exclude both modes, a shared hold the exclusive one.</summary>
    public static ulong Excluded(ulong held)
    {
        ulong x = held & 0xFFFF;
        if ((held & (1UL << IRwsemExclusive)) != 0) x |= (1UL << IRwsemExclusive) | (1UL << IRwsemShared);
        if ((held & (1UL << IRwsemShared)) != 0) x |= 1UL << IRwsemExclusive;
        if ((held & (1UL << InvalidateExclusive)) != 0) x |= (1UL << InvalidateExclusive) | (1UL << InvalidateShared);
        if ((held & (1UL << InvalidateShared)) != 0) x |= 1UL << InvalidateExclusive;
        return x;
    }

    private (UInt128 Touched, UInt128 Written, ulong Releases) Close(int t, int p, ulong pinned)
    {
        if (closed.TryGetValue((t, p, pinned), out var known)) return known;
        UInt128 touchedFrom = UInt128.Zero, writtenFrom = UInt128.Zero;
        ulong releasesFrom = 0;
        var seen = new HashSet<int> { p };
        var work = new Stack<int>([p]);
        while (work.Count > 0)
        {
            int x = work.Pop();
            if ((tied[t][x] & pinned) != 0) continue; // no step from here while another thread holds the lock
            touchedFrom |= touched[t][x];
            writtenFrom |= written[t][x];
            releasesFrom |= releases[t][x];
            foreach (int y in next[t][x])
                if (seen.Add(y)) work.Push(y);
        }
        return closed[(t, p, pinned)] = (touchedFrom, writtenFrom, releasesFrom);
    }
}
