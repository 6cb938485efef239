using ModelCheck.Model;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using static ModelCheck.Model.State.Footprint;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// Each accessor of the state records what it hands out (<see cref="Footprint"/>): the component
/// it belongs to, as a read or as a write, and nothing else. Automatic independence and the
/// private-step reduction are only as sound as this record.
/// </summary>
public class FootprintRecordingTests
{
    private static Footprint Of(Action<KernelState, StepContext> apply, int tid = 0)
    {
        var programs = new Step[tid + 1][];
        for (int t = 0; t <= tid; t++) programs[t] = t == tid ? [HandPrograms.Run("probe", apply)] : [];
        return Semantics.FootprintOf(HandPrograms.With(programs), tid, 0);
    }

    private static UInt128 Own(int tid = 0) => Bit(ThreadBase + tid);

    public static TheoryData<string, int> Reads() => new()
    {
        { "Inode.ISize", ISize }, { "Inode.IDiskSize", IDiskSize }, { "Inode.IRwsem", IRwsem }, { "Inode.InvalidateLock", InvalidateLock },
        { "Inode.DioCount", DioCount }, { "Inode.StableWrites", MappingFlags }, { "Inode.StableCount", MappingFlags },
        { "Inode.DeviceStable", MappingFlags }, { "Inode.WritebackMayDeadlock", MappingFlags }, { "Inode.DioDoneWq", MappingFlags },
        { "Inode.WbErr", Errors }, { "Inode.AsEio", Errors }, { "Inode.IoErrors", Errors }, { "Inode.ReadErrors", Errors },
        { "Inode.PrivateLock", PrivateLock }, { "Folios[1]", FolioBase + 1 }, { "CacheData[1]", FolioBase + 1 },
        { "Disk[1]", DiskBase + 1 }, { "CowDisk[1]", DiskBase + 1 }, { "Extents[1]", ExtentBase + 1 }, { "Cow[1]", ExtentBase + 1 },
        { "Bios", Bios }, { "Work", Work }, { "FuseRequests", FuseRequests }, { "PendingDropbehind", Footprint.PendingDropbehind },
        { "DropbehindBatch", DropbehindBatch }, { "Wt", Footprint.WriteThrough }, { "History", Footprint.History }, { "PeerTruncSeq", Peer },
    };

    private static void Read(KernelState s, string what)
    {
        object o = what switch
        {
            "Inode.ISize" => s.Inode.ISize, "Inode.IDiskSize" => s.Inode.IDiskSize, "Inode.IRwsem" => s.Inode.IRwsem,
            "Inode.InvalidateLock" => s.Inode.InvalidateLock, "Inode.DioCount" => s.Inode.DioCount, "Inode.StableWrites" => s.Inode.StableWrites,
            "Inode.StableCount" => s.Inode.StableCount, "Inode.DeviceStable" => s.Inode.DeviceStable,
            "Inode.WritebackMayDeadlock" => s.Inode.WritebackMayDeadlock, "Inode.DioDoneWq" => s.Inode.DioDoneWq, "Inode.WbErr" => s.Inode.WbErr,
            "Inode.AsEio" => s.Inode.AsEio, "Inode.IoErrors" => s.Inode.IoErrors, "Inode.ReadErrors" => s.Inode.ReadErrors,
            "Inode.PrivateLock" => s.Inode.PrivateLock, "Folios[1]" => s.Folios[1], "CacheData[1]" => s.CacheData[1], "Disk[1]" => s.Disk[1],
            "CowDisk[1]" => s.CowDisk[1], "Extents[1]" => s.Extents[1], "Cow[1]" => s.Cow[1], "Bios" => s.Bios.Count, "Work" => s.Work.Count,
            "FuseRequests" => s.FuseRequests.Count, "PendingDropbehind" => s.PendingDropbehind.Count, "DropbehindBatch" => s.DropbehindBatch.Count,
            "Wt" => s.Wt.Length, "History" => s.History.TruncSize, "PeerTruncSeq" => s.PeerTruncSeq,
            _ => throw new ArgumentException(what),
        };
        Assert.NotNull(o);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public void EachReadAccessorRecordsItsComponentAsARead(string what, int component)
    {
        var f = Of((s, _) => Read(s, what));
        Assert.Equal(Bit(component) | Own(), f.Reads); // a step always reads its own pc and continuation
        Assert.Equal(Own(), f.Writes); // and moves its own pc
        Assert.False(f.Private);
    }

    public static TheoryData<string, int> Writes() => new()
    {
        { "ISize", ISize }, { "IDiskSize", IDiskSize }, { "IRwsem", IRwsem }, { "InvalidateLock", InvalidateLock }, { "DioCount", DioCount },
        { "StableWrites", MappingFlags }, { "StableCount", MappingFlags }, { "DeviceStable", MappingFlags }, { "WritebackMayDeadlock", MappingFlags },
        { "DioDoneWq", MappingFlags }, { "WbErr", Errors }, { "AsEio", Errors }, { "IoErrors", Errors }, { "ReadErrors", Errors },
        { "PrivateLock", PrivateLock }, { "FoliosW", FolioBase + 1 }, { "FolioAt", FolioBase + 1 }, { "CacheDataW", FolioBase + 1 },
        { "DiskW", DiskBase + 1 }, { "CowDiskW", DiskBase + 1 }, { "ExtentsW", ExtentBase + 1 }, { "CowW", ExtentBase + 1 },
        { "BiosW", Bios }, { "WorkW", Work }, { "FuseRequestsW", FuseRequests }, { "PendingDropbehindW", Footprint.PendingDropbehind },
        { "DropbehindBatchW", DropbehindBatch }, { "WtW", Footprint.WriteThrough }, { "H", Footprint.History }, { "PeerTruncSeq=", Peer },
    };

    private static void Write(KernelState s, string what)
    {
        var w = s.InodeW;
        switch (what)
        {
            case "ISize": w.ISize = 1; break;
            case "IDiskSize": w.IDiskSize = 1; break;
            case "IRwsem": w.IRwsem.Lock(0); break;
            case "InvalidateLock": w.InvalidateLock.LockShared(0); break;
            case "DioCount": w.DioCount++; break;
            case "StableWrites": w.StableWrites = true; break;
            case "StableCount": w.StableCount++; break;
            case "DeviceStable": w.DeviceStable = true; break;
            case "WritebackMayDeadlock": w.WritebackMayDeadlock = true; break;
            case "DioDoneWq": w.DioDoneWq = true; break;
            case "WbErr": w.WbErr = 1; break;
            case "AsEio": w.AsEio = true; break;
            case "IoErrors": w.IoErrors = 1; break;
            case "ReadErrors": w.ReadErrors = 1; break;
            case "PrivateLock": w.PrivateLock = 1; break;
            case "FoliosW": s.FoliosW[1].Dirty = true; break;
            case "FolioAt": s.FolioAt(1).Dirty = true; break;
            case "CacheDataW": s.CacheDataW[1] = DataTag.Zero; break;
            case "DiskW": s.DiskW[1] = DataTag.Zero; break;
            case "CowDiskW": s.CowDiskW[1] = DataTag.Zero; break;
            case "ExtentsW": s.ExtentsW[1] = ExtentType.Written; break;
            case "CowW": s.CowW[1] = CowType.Written; break;
            case "BiosW": s.BiosW.Clear(); break;
            case "WorkW": s.WorkW.Clear(); break;
            case "FuseRequestsW": s.FuseRequestsW.Clear(); break;
            case "PendingDropbehindW": s.PendingDropbehindW.Clear(); break;
            case "DropbehindBatchW": s.DropbehindBatchW.Clear(); break;
            case "WtW": s.WtW[0] = default; break;
            case "H": s.H.TruncSize = 1; break;
            case "PeerTruncSeq=": s.PeerTruncSeq = 1; break;
            default: throw new ArgumentException(what);
        }
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public void EachWriteAccessorRecordsItsComponentAsAWrite(string what, int component)
    {
        var f = Of((s, _) => Write(s, what));
        Assert.Equal(Own(), f.Reads);
        Assert.Equal(Bit(component) | Own(), f.Writes);
    }

    [Fact]
    public void RangesAndWholeCopiesRecordEveryFolioTheyCover()
    {
        Assert.Equal(Bit(FolioBase) | Bit(FolioBase + 1) | Own(), Of((s, c) => _ = s.CacheData.Slice(0, 2).ToArray()).Reads);
        Assert.Equal(Bit(DiskBase + 1) | Own(), Of((s, c) => _ = s.Disk.Slice(1, 1).ToArray()).Reads);
        Assert.Equal(Bit(ExtentBase) | Bit(ExtentBase + 1) | Own(), Of((s, c) => _ = s.Extents.ToArray()).Reads);
        Assert.Equal(Bit(FolioBase) | Bit(FolioBase + 1) | Own(), Of((s, _) => { foreach (var f in s.Folios) Assert.False(f.Dirty); }).Reads);
        Assert.Equal(Bit(DiskBase + 1) | Own(), Of((s, _) => s.DiskW.AsSpan(1).Fill(DataTag.Write(1))).Writes);
        var inode = Of((s, c) => _ = s.Inode.Value).Reads;
        for (int c = ISize; c <= PrivateLock; c++) Assert.NotEqual(UInt128.Zero, inode & Bit(c));
        Assert.Equal(inode, Of((s, _) => s.InodeW.All.ISize = 2).Writes);
        Assert.Equal(UInt128.Zero, Range(0, 0, 1, FolioBase));
        Assert.Equal(Bit(FolioBase + 1), Range(17, 1, 1, FolioBase)); // folio 17 shares folio 1's component
    }

    [Fact]
    public void ElementsMapToTheFolioTheyLieUnder()
    {
        // 1K units and blocks in 4K folios: units and blocks 0-3 are folio 0, 4-7 folio 1
        Footprint On(Action<KernelState, StepContext> apply) =>
            Semantics.FootprintOf(HandPrograms.On("{block_size: 1K, folio_size: 4K, max_size: 12K, size: 0}", [HandPrograms.Run("probe", apply)]), 0, 0);
        Assert.Equal(Bit(FolioBase + 1) | Own(), On((s, c) => _ = s.CacheData[5]).Reads);
        Assert.Equal(Bit(DiskBase + 2) | Own(), On((s, c) => _ = s.Disk[11]).Reads);
        Assert.Equal(Bit(ExtentBase + 1) | Own(), On((s, c) => _ = s.Extents[4]).Reads);
        Assert.Equal(Bit(FolioBase) | Own(), On((s, _) => s.CacheDataW[3] = DataTag.Zero).Writes);
        Assert.Equal(Bit(FolioBase + 1) | Bit(FolioBase + 2) | Own(), On((s, c) => _ = s.CacheData.Slice(6, 3).ToArray()).Reads);
        Assert.Equal(Bit(DiskBase) | Bit(DiskBase + 1) | Own(), On((s, _) => s.DiskW.Slice(3, 2).Clear()).Writes);
        // the same range twice is still read (and written) once
        Assert.Equal(Bit(FolioBase + 1) | Bit(FolioBase + 2) | Own(),
            On((s, c) => _ = s.CacheData.Slice(6, 3).ToArray().Length + s.CacheData.Slice(6, 3).ToArray().Length).Reads);
        Assert.Equal(Bit(DiskBase) | Own(), On((s, _) =>
        {
            s.DiskW.Slice(0, 2).Clear();
            s.DiskW.Slice(1, 2).Clear();
        }).Writes);
        Assert.Equal(UInt128.Zero, Range(0, 0, 4, FolioBase));
        Assert.Equal(UInt128.Zero, Range(3, -1, 4, FolioBase));
        Assert.Equal(Bit(FolioBase + 1) | Bit(FolioBase + 2), Range(7, 2, 4, FolioBase));
        Assert.Equal(Bit(DiskBase + 2), Range(8, 4, 4, DiskBase));
        Assert.Equal(Bit(ExtentBase + 1) | Bit(ExtentBase + 2) | Bit(ExtentBase + 3), Range(5, 9, 4, ExtentBase));
    }

    [Fact]
    public void ComponentsAreNamedForReports()
    {
        Assert.Equal(128, Names.Length);
        Assert.Equal("folio 15", Describe(Bit(FolioBase + 15)));
        Assert.Equal("disk under folio 3", Describe(Bit(DiskBase + 3)));
        Assert.Equal("disk under folio 0, extents under folio 0", Describe(Bit(DiskBase) | Bit(ExtentBase)));
        Assert.Equal("extents under folio 2", Describe(Bit(ExtentBase + 2)));
        Assert.Equal("i_size, i_rwsem, peer model", Describe(Bit(ISize) | Bit(IRwsem) | Bit(Peer)));
        Assert.Equal("i_private_lock, bios", Describe(Bit(PrivateLock) | Bit(Bios)));
        Assert.Equal("T4 pc and locals, T4 history slots", Describe(Bit(ThreadBase + 4) | Bit(ThreadHistoryBase + 4)));
        Assert.Equal("T31 history slots", Describe(Bit(ThreadHistoryBase + 31)));
        Assert.Equal("folio 0, T0 pc and locals", Describe(Bit(FolioBase) | Bit(ThreadBase)));
    }

    [Fact]
    public void LocalsArePrivateBelowTheHistorySlotsAndSharedFromThem()
    {
        int history = Model.Ops.OpHistory.ScratchSlots;
        Assert.Equal(Own(1), Of((s, c) => _ = s.Local(c.Tid, 0), tid: 1).Reads);
        Assert.Equal(Own(1), Of((s, c) => s.LocalW(c.Tid, 0) = 1, tid: 1).Writes);
        Assert.True(Of((s, c) => s.LocalW(c.Tid, 0) = s.Local(c.Tid, 1) + 1, tid: 1).Private);
        Assert.Equal(Bit(ThreadHistoryBase + 1) | Own(1), Of((s, c) => _ = s.Local(c.Tid, history), tid: 1).Reads);
        Assert.Equal(Bit(ThreadHistoryBase) | Own(1), Of((s, _) => s.LocalW(0, history) = 1, tid: 1).Writes);
        Assert.False(Of((s, c) => _ = s.Local(c.Tid, history), tid: 1).Private);
        // another thread's private locals are out of reach of a step
        var ex = Assert.Throws<ModelError>(() => Of((s, c) => _ = s.Local(0, 1), tid: 1));
        Assert.Contains("thread 1 touched thread 0's private local 1", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ModelError>(() => Of((s, _) => s.LocalW(0, 0) = 1, tid: 1));
        // a slot declared shared is a history slot for every thread
        var shared = Local.Shared(2, "dio->submit.waiter");
        Assert.Throws<ArgumentOutOfRangeException>(() => Local.Shared(3, "not declared shared"));
        Assert.Equal(Bit(ThreadHistoryBase) | Own(1), Of((s, _) => shared.Set(s, 0, 1), tid: 1).Writes);
    }

    [Fact]
    public void WhatAnObserverReadsIsRecordedForItsThread()
    {
        var s = HandPrograms.With([], [HandPrograms.Run("idle")]);
        var f = Semantics.FootprintOf(s, st => _ = st.Inode.ISize + st.Local(1, 0), 1);
        Assert.Equal(1, f.Tid);
        Assert.Equal(Bit(ISize) | Own(1), f.Reads);
        Assert.Equal(UInt128.Zero, f.Writes);
        Assert.Throws<ModelError>(() => Semantics.FootprintOf(s, st => _ = st.Local(0, 0), 1));
        // the recorder is gone once the observer returns
        _ = s.Inode.IDiskSize;
        Assert.Equal(Bit(ISize) | Own(1), f.Reads);
    }

    [Fact]
    public void OnlyAStepOnItsOwnPcAndLocalsWithoutEventsIsPrivate()
    {
        Assert.True(Of((_, _) => { }).Private);
        Assert.False(Of((_, c) => c.Emit(new FsyncReturned(c.Tid, false, false))).Private);
        var noop = Of((_, _) => { });
        Assert.Equal(Own(), noop.Reads);
        Assert.Equal(Own(), noop.Writes);
        Assert.Contains("T0 pc and locals", noop.ToString(), StringComparison.Ordinal);
        Assert.Equal("nothing", Describe(UInt128.Zero));
    }

    [Fact]
    public void IndependenceNeedsNeitherToWriteWhatTheOtherTouchesAndNoEvents()
    {
        Footprint F(int tid, UInt128 reads, UInt128 writes, bool events = false)
        {
            var f = new Footprint { Reads = reads, Writes = writes, Events = events };
            f.Reset(tid);
            f.Reads = reads;
            f.Writes = writes | Own(tid);
            f.Events = events;
            return f;
        }
        var readSize = F(0, Bit(ISize), 0);
        var writeSize = F(1, 0, Bit(ISize));
        var readSizeToo = F(1, Bit(ISize), 0);
        var folio = F(1, Bit(FolioBase), Bit(FolioBase));
        Assert.False(Independent(readSize, writeSize));
        Assert.False(Independent(writeSize, readSize));
        Assert.False(Independent(writeSize, F(0, 0, Bit(ISize))));
        Assert.True(Independent(readSize, readSizeToo));
        Assert.True(Independent(readSize, folio));
        Assert.False(Independent(readSize, F(1, Bit(FolioBase), 0, events: true)));
        Assert.False(Independent(F(0, Bit(ISize), 0, events: true), folio));
    }
}
