using ModelCheck.Invariants;
using ModelCheck.Model.Steps;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// crash-size on hand-built states (the mutation run of src/Invariants, 2026-12-06: its punch
/// excusal and the messages for a written block without the data were not pinned), the
/// i_private_lock link of the wait-for chain, and folio-flags joining every scenario's invariants.
/// </summary>
public class CrashSizeInvariantTests
{
    private static readonly CrashSize Invariant = new();

    private static KernelState State(string extentType = "hole", string ops = "[{op: buffered-write, offset: 0, length: 1K}]", string extra = "") =>
        MachineBuilder.Build(ScenarioText.Parse($"""
            id: t
            file: {"{"}block_size: 1K, folio_size: 4K, max_size: 4K, size: 4K, disk_size: 4K, extents: [{"{"}offset: 0, length: 4K, type: {extentType}{"}"}]{"}"}
            threads:
              - name: user
                ops: {ops}
              - name: other
                ops: [{"{"}op: punch-hole, offset: 2K, length: 2K{"}"}]
            invariants: [crash-size]
            {extra}
            """), Variant.Default);

    [Fact]
    public void AWrittenBlockWithoutTheDataReadsAsZerosOrStaleAndSaysWhich()
    {
        var s = State("written");
        s.H.PastDiskEof[1] = 1; // data landed at 1K while the on-disk size was below it
        s.DiskW[1] = DataTag.Zero;
        Assert.Contains("blk 1 holds zeros there on disk", Invariant.AfterStep(s, [])!.Message, StringComparison.Ordinal);
        s.DiskW[1] = DataTag.Stale;
        Assert.Contains("blk 1 is mapped written but holds stale data", Invariant.AfterStep(s, [])!.Message, StringComparison.Ordinal);
        s.DiskW[1] = DataTag.Write(1);
        Assert.Null(Invariant.AfterStep(s, []));
        s.InodeW.IDiskSize = 1; // the size does not cover it: nothing a crash recovers
        s.DiskW[1] = DataTag.Zero;
        Assert.Null(Invariant.AfterStep(s, []));
    }

    [Fact]
    public void APunchInProgressExcusesItsOwnRangeOnly()
    {
        var s = State();
        s.H.PastDiskEof[2] = 1;
        s.H.PastDiskEof[1] = 1;
        s.InodeW.InvalidateLock.Lock(1); // the punch of [2K, 4K) is under way
        s.Threads[1].Pc = 1;
        Assert.Equal((2, 4), Model.Ops.PunchHole.InProgress(s));
        var v = Invariant.AfterStep(s, []);
        Assert.NotNull(v);
        Assert.Contains("over 1K-2K", v.Message, StringComparison.Ordinal); // unit 1 is outside the punch
        s.H.PastDiskEof[1] = 0;
        Assert.Null(Invariant.AfterStep(s, [])); // unit 2 is inside it
        s.H.PastDiskEof[3] = 1;
        Assert.Null(Invariant.AfterStep(s, []));
    }

    [Fact]
    public void AThreadSpinningOnThePrivateLockWaitsForItsHolder()
    {
        var s = State();
        var wait = new Wait(WaitKind.PrivateLock, 1, null, null);
        Assert.Empty(WaitFor.Holders(s, wait));
        s.InodeW.PrivateLock = 2; // held by thread 1
        Assert.Equal([1], WaitFor.Holders(s, wait));
    }

    [Fact]
    public void FolioFlagsJoinsEveryKernelScenarioButNotThePeerModel()
    {
        var spec = ScenarioText.Parse("""
            id: t
            file: {block_size: 4K, max_size: 4K}
            threads: [{name: u, ops: [{op: fsync}]}]
            invariants: [lost-write]
            """);
        Assert.Equal(["lost-write", "folio-flags"], InvariantSet.For(spec).Items.Select(i => i.Id));
        var named = spec with { Invariants = ["folio-flags", "lost-write"] };
        Assert.Equal(["folio-flags", "lost-write"], InvariantSet.For(named).Items.Select(i => i.Id));
        var bench = spec with { File = spec.File with { Fs = "bench" } };
        Assert.Equal(["lost-write"], InvariantSet.For(bench).Items.Select(i => i.Id));
    }
}
