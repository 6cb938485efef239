namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Completion.cs: the device, the workqueue, folio_end_writeback and xfs_end_ioend_write.</summary>
public class CompletionTests
{
    private const string TwoFolios = "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 0}";

    /// <summary>A write of both folios and an fsync, run until the fsync waits for its two bios.</summary>
    private static KernelState TwoBiosInFlight(string faults = "")
    {
        var spec = ScenarioText.Parse($$"""
            id: t
            file: {{TwoFolios}}
            threads:
              - name: writer
                ops: [{op: buffered-write, offset: 0, length: 8K}, {op: fsync}]
            actors: {device: irq}
            {{faults}}
            """);
        var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0);
        Assert.Equal(2, s.Bios.Count);
        return s;
    }

    [Fact]
    public void WithNothingInFlightTheDeviceAndTheWorkqueueIdleAndTheStateIsQuiescent()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 8K}, {op: fsync}]", TwoFolios);
        var s = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default)).Final;
        Assert.Equal(DataTag.Write(1), s.Disk[0]);
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(s, s.Machine.DeviceTid, out _, out var device));
        Assert.Equal(WaitKind.Idle, device.Wait.Kind);
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(s, s.Machine.ThreadIndex("wq"), out _, out var wq));
        Assert.Equal(WaitKind.Idle, wq.Wait.Kind);
        Assert.True(Semantics.IsQuiescent(s));
    }

    [Fact]
    public void AWritebackBioIsWrittenToDiskAndQueuesXfsEndIo()
    {
        var s = TwoBiosInFlight();
        var (after, notes) = Mechanism.StepNoting(s, s.Machine.DeviceTid);
        Assert.Equal(DataTag.Write(1), after.Disk[0]);
        Assert.Equal(["disk <- " + s.Bios[0].Describe(s.Geo), "queue xfs_end_io work"], notes);
        var work = Assert.Single(after.Work.ToArray());
        Assert.Equal(WorkKind.XfsEndIo, work.Kind);
        Assert.Equal(-1, work.Owner); // nobody waits for it by name
    }

    [Fact]
    public void AnInjectedErrorCountsAgainstTheFaultLimit()
    {
        var s = TwoBiosInFlight("faults: [writeback-io-error]");
        int device = s.Machine.DeviceTid;
        Assert.Equal(4, Semantics.Alternatives(s, device)); // complete either, or fail either
        var (failed, notes) = Mechanism.StepNoting(s, device, 2);
        Assert.Equal(1, failed.Inode.IoErrors);
        Assert.StartsWith("fault writeback-io-error injected", notes[0]);
        Assert.Equal(1, Semantics.Alternatives(failed, device)); // fault_limit 1: the other bio can only complete
    }

    [Fact]
    public void EndingWritebackOfAFolioNotUnderWritebackIsTheKernelsAssertion()
    {
        var s = TwoBiosInFlight().Clone();
        var c = new StepContext { Context = ExecContext.Irq };
        s.FoliosW[0].Writeback = false;
        Completion.EndWriteback(s, 0, c);
        Assert.Contains("not under writeback", Assert.Single(c.Events.OfType<FolioFlagsBroken>()).Message);
        var absent = TwoBiosInFlight().Clone();
        absent.FoliosW[1] = default;
        var c2 = new StepContext { Context = ExecContext.Irq };
        Completion.EndWriteback(absent, 1, c2);
        Assert.Single(c2.Events.OfType<FolioFlagsBroken>());
        Assert.False(absent.Folios[1].Present); // nothing else happened to it
    }

    [Fact]
    public void ABioEndingOnAFolioThatLeftTheCacheIsAUseAfterFreeAndTheOthersStillEnd()
    {
        var s = TwoBiosInFlight().Clone();
        var bio = s.Bios[0] with { Folios = [0, 1], BlockCount = 2 };
        s.FoliosW[0] = default; // truncated under writeback (a broken variant)
        var c = new StepContext { Context = ExecContext.Irq };
        Completion.FinishFolios(s, bio, c);
        Assert.Contains("use after free", Assert.Single(c.Events.OfType<FolioFlagsBroken>()).Message);
        Assert.False(s.Folios[1].Writeback); // the next folio of the bio ended all the same
    }

    [Fact]
    public void ABioEndsOnlyItsOwnBlocksOfAFolio()
    {
        // 1K blocks: writeback of a 4K folio whose blocks 0, 1 and 3 are dirty sends two bios, blocks 0-1 and 3
        var spec = ScenarioText.OneThread("[{op: fsync}]",
            "{block_size: 1K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, dirty: true}]}");
        var s0 = MachineBuilder.Build(spec, Variant.Default);
        s0.FoliosW[0].DirtyMask = 0b1011;
        var s = Mechanism.RunUntil(s0, 0);
        Assert.Equal(2, s.Bios.Count);
        Assert.Equal(0b1011, s.Folios[0].WritebackMask);
        var after = Mechanism.Step(s, s.Machine.DeviceTid);
        after = Mechanism.RunUntil(after, after.Machine.ThreadIndex("wq"));
        Assert.Equal(0b1000, after.Folios[0].WritebackMask); // block 3's bio is still in flight
        Assert.True(after.Folios[0].Writeback);
    }

    [Fact]
    public void EndIoConvertsOnlyWhatTheIoendWroteUnwrittenAndRemapsCowStaging()
    {
        var s = TwoBiosInFlight().Clone();
        var c = new StepContext { Context = ExecContext.Workqueue };
        var plain = s.Bios[0] with { Unwritten = false };
        s.ExtentsW[0] = ExtentType.Unwritten;
        Completion.XfsEndIoendWrite(s, plain, c);
        Assert.Equal(ExtentType.Unwritten, s.Extents[0]); // the ioend did not allocate it unwritten: not converted

        var cow = TwoBiosInFlight().Clone();
        var staged = cow.Bios[1] with { ToCow = true };
        cow.CowW[1] = CowType.Written;
        cow.CowDiskW[1] = DataTag.Write(1);
        var c2 = new StepContext { Context = ExecContext.Workqueue };
        Completion.XfsEndIoendWrite(cow, staged, c2);
        Assert.Equal(CowType.None, cow.Cow[1]);
        Assert.Equal(ExtentType.Written, cow.Extents[1]);
        Assert.Equal(DataTag.Write(1), cow.Disk[1]);
        Assert.Contains("blk 1 COW remapped", c2.Notes);

        var failed = TwoBiosInFlight().Clone();
        failed.CowW[1] = CowType.Written;
        var c3 = new StepContext { Context = ExecContext.Workqueue };
        Completion.XfsEndIoendWrite(failed, failed.Bios[1] with { ToCow = true, Error = true }, c3);
        Assert.Equal(CowType.None, failed.Cow[1]); // a failed ioend cancels its staging
        Assert.NotEqual(ExtentType.Written, failed.Extents[1]);
    }

    [Fact]
    public void TheOnDiskSizeOnlyGrowsAndStopsAtISize()
    {
        var s = TwoBiosInFlight().Clone();
        var c = new StepContext { Context = ExecContext.Workqueue };
        int fourK = s.Geo.UnitsPerFolio;
        s.InodeW.IDiskSize = fourK;
        Completion.SetFileSize(s, fourK, c);
        Assert.Empty(c.Notes); // already there: nothing logged
        Completion.SetFileSize(s, 3 * fourK, c);
        Assert.Equal(s.Inode.ISize, s.Inode.IDiskSize); // clamped to i_size (8K)
        Assert.Equal([$"i_disk_size = {s.Geo.Bytes(s.Inode.ISize)}"], c.Notes);
    }
}
