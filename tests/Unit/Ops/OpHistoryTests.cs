namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/OpHistory.cs: the per-unit history a shift moves and a truncate cuts.</summary>
public class OpHistoryTests
{
    /// <summary>8 units of 1K, two writes (so three version slots per unit), every history array filled with its unit's number.</summary>
    private static KernelState Numbered()
    {
        var spec = ScenarioText.Parse("""
            id: t
            file: {block_size: 1K, folio_size: 4K, max_size: 8K, size: 8K}
            threads:
              - name: a
                ops: [{op: buffered-write, offset: 0, length: 1K}, {op: buffered-write, offset: 1K, length: 1K}]
              - name: b
                ops: [{op: buffered-read, offset: 0, length: 1K}]
            actors: {device: irq}
            invariants: [crash-size, lost-write]
            """);
        var s = MachineBuilder.Build(spec, Variant.Default).Clone();
        var h = s.H;
        int w = h.Writes + 1;
        for (int u = 0; u < s.Geo.Units; u++)
        {
            h.Floor[u] = 10 + u;
            h.MustSurvive[u] = (byte)(20 + u);
            h.ZeroRank[u] = 30 + u;
            h.ErrLost[u] = (byte)(40 + u);
            h.PastDiskEof[u] = (byte)(50 + u);
            for (int k = 0; k < w; k++) h.UnitRank[(u * w) + k] = (100 * k) + u;
            s.LocalW(1, OpHistory.ScratchSlots + u) = 60 + u; // b's read in progress: its floors
        }
        return s;
    }

    /// <summary>What the history holds for unit u, as the unit number it came from (-1: forgotten).</summary>
    private static int Origin(KernelState s, int u)
    {
        var h = s.History;
        int w = h.Writes + 1;
        if (h.Floor[u] == 0)
        {
            Assert.Equal(DataTag.None, h.MustSurvive[u]);
            Assert.Equal(0, h.ZeroRank[u]);
            Assert.Equal(DataTag.None, s.H.ErrLost[u]);
            Assert.Equal(0, h.PastDiskEof[u]);
            for (int k = 0; k < w; k++) Assert.Equal(0, s.H.UnitRank[(u * w) + k]);
            return -1;
        }
        int from = h.Floor[u] - 10;
        Assert.Equal(20 + from, h.MustSurvive[u]);
        Assert.Equal(30 + from, h.ZeroRank[u]);
        Assert.Equal(40 + from, s.H.ErrLost[u]);
        Assert.Equal(50 + from, h.PastDiskEof[u]);
        for (int k = 0; k < w; k++) Assert.Equal((100 * k) + from, s.H.UnitRank[(u * w) + k]);
        return from;
    }

    [Fact]
    public void ACollapseMovesEveryUnitsHistoryDownAndForgetsTheUnitsItLeaves()
    {
        var s = Numbered();
        OpHistory.ShiftUnits(s, src: 4, dst: 2, count: 4); // collapse [2K, 4K): [4K, 8K) moves to [2K, 6K)
        Assert.Equal([0, 1, 4, 5, 6, 7, -1, -1], Enumerable.Range(0, 8).Select(u => Origin(s, u)));
        // the read in progress is not judged where the data moved, and is where it did not
        Assert.Equal([60, 61, 0, 0, 0, 0, 0, 0], Enumerable.Range(0, 8).Select(u => s.Local(1, OpHistory.ScratchSlots + u)));
    }

    [Fact]
    public void AnInsertMovesEveryUnitsHistoryUpAndForgetsTheGap()
    {
        var s = Numbered();
        OpHistory.ShiftUnits(s, src: 2, dst: 4, count: 4); // insert 2K at 2K: [2K, 6K) moves to [4K, 8K)
        Assert.Equal([0, 1, -1, -1, 2, 3, 4, 5], Enumerable.Range(0, 8).Select(u => Origin(s, u)));
    }

    [Fact]
    public void ATruncateCutsTheWritesPastItsSizeAndWhatMustSurviveThere()
    {
        var s = Numbered();
        var h = s.H;
        h.WriteCut[1] = 8;
        h.WriteCut[2] = 3;
        h.SizeOpSince = false;
        OpHistory.TruncateStarted(s, 3);
        Assert.True(s.History.SizeOpSince);
        Assert.Equal(3, s.History.WriteCut[1]);
        Assert.Equal(3, s.History.WriteCut[2]);
        Assert.Equal(22, s.History.MustSurvive[2]);
        Assert.All(Enumerable.Range(3, 5), u => Assert.Equal(DataTag.None, s.History.MustSurvive[u]));
        h.WriteCut[1] = 8;
        OpHistory.TruncateSetSize(s, 5);
        Assert.Equal(5, s.History.WriteCut[1]);
        Assert.Equal(3, s.History.WriteCut[2]); // below the new size: kept
        Assert.Equal(14, s.History.Floor[4]);
        Assert.All(Enumerable.Range(5, 3), u => Assert.Equal(0, s.History.Floor[u]));
    }

    [Fact]
    public void AWriteThatReturnsDuringAPunchOwesNothingInsideThePunchedRange()
    {
        // b holds the punch of [1K, 3K) (inside xfs_file_fallocate); a's write of [0, 4K) returns meanwhile
        var spec = ScenarioText.Parse("""
            id: t
            file: {block_size: 1K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}
            threads:
              - name: a
                ops: [{op: buffered-write, offset: 0, length: 4K}]
              - name: b
                ops: [{op: punch-hole, offset: 1K, length: 2K}]
            actors: {device: irq}
            """);
        var s = Mechanism.Step(MachineBuilder.Build(spec, Variant.Default), 1); // xfs_file_fallocate: both locks
        Assert.Equal((1, 3), PunchHole.InProgress(s));
        s = s.Clone();
        OpHistory.WriteStarted(s, 1, 0, 4);
        OpHistory.WriteApplied(s, DataTag.Write(1), 0, 4);
        OpHistory.WriteDone(s, 1, 0, 4);
        Assert.Equal([DataTag.Write(1), DataTag.None, DataTag.None, DataTag.Write(1)], s.History.MustSurvive.ToArray());
        Assert.Equal(0, s.History.WriteCut[1]);
    }

    [Fact]
    public void GrowingTheSizeZeroesWhatLiesPastTheOldEofButNotAnExtendingWriteStillInFlight()
    {
        var s = Numbered();
        s.InodeW.ISize = 4;
        var h = s.H;
        Array.Fill(h.ZeroRank, 0);
        s.CacheDataW[4] = DataTag.Write(1); // W1 is still in flight (its WriteCut is set): its data is the file's
        h.WriteCut[1] = 9;
        s.CacheDataW[5] = DataTag.Write(2); // W2 returned long ago (cut 0): past the old EOF it is garbage
        h.WriteCut[2] = 0;
        s.CacheDataW[6] = DataTag.Write(0);
        int next = h.NextRank;
        OpHistory.GrowSize(s, 8, 7, 8); // the growing operation itself writes [7, 8)
        Assert.Equal(8, s.Inode.ISize);
        Assert.Equal([0, 0, 0, 0, 0, next, next, 0], s.History.ZeroRank.ToArray());
        Assert.Equal(next + 1, s.History.NextRank); // one version for all the zeros
        Assert.Equal([54, 0, 0, 57], s.History.PastDiskEof[4..].ToArray()); // the zeroed units are forgotten past the on-disk size
        Assert.Equal(next, s.History.Floor[5]);
        int grown = s.History.NextRank;
        OpHistory.GrowSize(s, 6, 0, 0); // not a growth: nothing happens
        Assert.Equal(grown, s.History.NextRank);
        Assert.Equal(8, s.Inode.ISize);
    }
}
