namespace ModelCheck.Tests.Unit;

/// <summary>
/// The symmetry of interchangeable threads, piece by piece (<see cref="KernelState.Permuted"/>,
/// <see cref="KernelState.Canonical"/>): a permutation moves every thread id a state holds, and the
/// canonical form is one per orbit because it tells threads apart by everything that names them:
/// pc, locals, lock ownership, bios, work, pending dropbehind and owed errors.
/// </summary>
public class SymmetryRoleTests
{
    /// <summary>A writer (thread 0, in no class) and three identical readers (threads 1 to 3, one class).</summary>
    private static KernelState Initial() => MachineBuilder.Build(ScenarioText.Parse("""
        id: t
        file: {block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}
        threads:
          - name: w
            ops: [{op: buffered-write, offset: 0, length: 4K}]
          - name: r1
            ops: [{op: buffered-read, offset: 0, length: 8K}]
          - name: r2
            ops: [{op: buffered-read, offset: 0, length: 8K}]
          - name: r3
            ops: [{op: buffered-read, offset: 0, length: 8K}]
        actors: {device: irq}
        """), Variant.Default);

    private static Bio OwnedBio(int owner) => new(BioKind.Direct, owner, 0, 1, [DataTag.Zero], [0], false, false, 0, false, false);

    /// <summary>One thing of the shared state (or of the thread's own) that names thread t.</summary>
    public static TheoryData<string> Roles() => [.. RoleSetters.Keys];

    private static readonly Dictionary<string, Action<KernelState, int>> RoleSetters = new()
    {
        ["pc"] = (s, t) => s.Threads[t].Pc = 1,
        ["local"] = (s, t) => s.LocalW(t, 0) = 1,
        ["i_rwsem writer"] = (s, t) => s.InodeW.IRwsem.Writer = (sbyte)t,
        ["i_rwsem reader"] = (s, t) => s.InodeW.IRwsem.Readers |= 1 << t,
        ["invalidate_lock writer"] = (s, t) => s.InodeW.InvalidateLock.Writer = (sbyte)t,
        ["invalidate_lock reader"] = (s, t) => s.InodeW.InvalidateLock.Readers |= 1 << t,
        ["i_private_lock"] = (s, t) => s.InodeW.PrivateLock = (byte)(t + 1),
        ["error owed"] = (s, t) => s.H.ErrOwed |= 1 << t,
        ["folio 0 locked"] = (s, t) => s.FoliosW[0].LockOwner = (sbyte)t,
        ["folio 1 locked"] = (s, t) => s.FoliosW[1].LockOwner = (sbyte)t,
        ["a bio"] = (s, t) => s.BiosW.Add(OwnedBio(t)),
        ["two bios"] = (s, t) => s.BiosW.AddRange([OwnedBio(t), OwnedBio(t)]),
        ["a work item"] = (s, t) => s.WorkW.Add(new WorkItem(WorkKind.DioComplete, t, null)),
        ["a pending dropbehind"] = (s, t) => s.PendingDropbehindW.Add(new PendingDropbehind(0, t, false)),
    };

    private static readonly int[][] ReaderOrders = [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]];

    /// <summary>Every permutation of the readers; the writer (thread 0) and the actors keep their ids.</summary>
    private static IEnumerable<int[]> ReaderPermutations(KernelState s) =>
        ReaderOrders.Select(o => Permutation(s, [0, o[0], o[1], o[2]]));

    /// <summary>The permutation that maps the first user threads as given and leaves every other thread where it is.</summary>
    private static int[] Permutation(KernelState s, int[] first) => [.. first, .. Enumerable.Range(first.Length, s.Threads.Length - first.Length)];

    private static void AssertOneCanonicalFormPerOrbit(KernelState x)
    {
        var canonical = x.Canonical().EncodeToArray();
        foreach (var map in ReaderPermutations(x))
            Assert.Equal(canonical, x.Permuted(map).Canonical().EncodeToArray());
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public void OneReaderWithARoleTheOthersHaveNotGivesOneCanonicalForm(string role)
    {
        foreach (int reader in new[] { 1, 2, 3 })
        {
            var x = Initial().Clone();
            RoleSetters[role](x, reader);
            AssertOneCanonicalFormPerOrbit(x);
            // the reader with the role sorts after the two without it (whose summaries are all zero)
            var c = x.Canonical();
            var fresh = Initial().Clone();
            RoleSetters[role](fresh, 3);
            Assert.Equal(fresh.EncodeToArray(), c.EncodeToArray());
        }
    }

    [Fact]
    public void TwoReadersWithDifferentRolesAreToldApartWhicheverTheRoles()
    {
        foreach (var (a, setA) in RoleSetters)
            foreach (var (b, setB) in RoleSetters)
            {
                if (a == b) continue;
                var x = Initial().Clone();
                setA(x, 1);
                setB(x, 2);
                // both roles land on different readers in every member of the orbit
                AssertOneCanonicalFormPerOrbit(x);
            }
    }

    [Fact]
    public void TheCanonicalFormOrdersTheReadersByPcThenLocalsAndIsItsOwnCanonicalForm()
    {
        var x = Initial().Clone();
        x.Threads[1].Pc = 2;
        x.Threads[2].Pc = 1;
        x.LocalW(2, 0) = 5;
        x.Threads[3].Pc = 1;
        x.LocalW(3, 0) = 3;
        var c = x.Canonical();
        Assert.Equal([0, 1, 1, 2], c.Threads.Take(4).Select(t => (int)t.Pc));
        Assert.Equal(3, c.Local(1, 0));
        Assert.Equal(5, c.Local(2, 0));
        // a canonical state is returned as it is, with no copy
        Assert.Same(c, c.Canonical());
        var none = Initial();
        Assert.Same(none, none.Canonical());
    }

    [Fact]
    public void APermutationMovesEveryThreadIdAndLeavesTheOriginalUntouched()
    {
        var x = Initial().Clone();
        x.InodeW.IRwsem.Writer = 0;
        x.InodeW.IRwsem.Readers = 1 << 1;
        x.InodeW.InvalidateLock.Writer = 2;
        x.InodeW.InvalidateLock.Readers = (1 << 0) | (1 << 3);
        x.InodeW.PrivateLock = 1;
        x.H.ErrOwed = 1 << 2;
        x.FoliosW[0].LockOwner = 0;
        x.FoliosW[1].LockOwner = 3;
        x.BiosW.AddRange([OwnedBio(0), OwnedBio(Bio.NoOwner), OwnedBio(2)]);
        x.WorkW.AddRange([new WorkItem(WorkKind.DioComplete, 0, null), new WorkItem(WorkKind.XfsEndIo, Bio.NoOwner, null), new WorkItem(WorkKind.DioComplete, 1, null)]);
        x.FuseRequestsW.AddRange([new FuseRequest(0, 0, [DataTag.Zero], false, 0), new FuseRequest(1, 1, [DataTag.Zero], false, -1)]);
        x.PendingDropbehindW.AddRange([new PendingDropbehind(0, 0, false), new PendingDropbehind(1, 3, true)]);
        x.Threads[0].Pc = 3;
        x.LocalW(0, 1) = 9;
        var before = x.EncodeToArray();

        var map = Permutation(x, [2, 0, 3, 1]);
        var p = x.Permuted(map);
        Assert.Equal(3, p.Threads[2].Pc);
        Assert.Equal(9, p.Local(2, 1));
        Assert.Equal(2, p.Inode.IRwsem.Writer);
        Assert.Equal(1 << 0, p.Inode.IRwsem.Readers);
        Assert.Equal(3, p.Inode.InvalidateLock.Writer);
        Assert.Equal((1 << 2) | (1 << 1), p.Inode.InvalidateLock.Readers);
        Assert.Equal(3, p.Inode.PrivateLock);
        Assert.Equal(1 << 3, p.History.ErrOwed);
        Assert.Equal([2, 1], p.Folios.ToArray().Select(f => (int)f.LockOwner));
        Assert.Equal([2, Bio.NoOwner, 3], p.Bios.Select(b => b.Owner));
        Assert.Equal([2, Bio.NoOwner, 0], p.Work.Select(w => w.Owner));
        Assert.Equal([2, -1], p.FuseRequests.Select(r => r.Server));
        Assert.Equal([2, 1], p.PendingDropbehind.Select(d => d.Tid));

        // the permuted state owns what it changed: writing it leaves the original as it was
        p.FoliosW[0].Dirty = true;
        p.CacheDataW[0] = DataTag.Stale;
        p.LocalW(1, 0) = 7;
        p.BiosW.Clear();
        p.WorkW.Clear();
        p.FuseRequestsW.Clear();
        p.PendingDropbehindW.Clear();
        p.H.ErrOwed = 0;
        p.DiskW[0] = DataTag.Stale;
        Assert.Equal(before, x.EncodeToArray());

        var inverse = Permutation(x, [1, 3, 0, 2]);
        Assert.Equal(before, x.Permuted(map).Permuted(inverse).EncodeToArray());
    }
}
