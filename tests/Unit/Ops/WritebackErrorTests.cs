using ModelCheck.Invariants;

namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/WritebackError.cs: a failed writeback bio, errseq_t, and what fsync reports to each file description.</summary>
public class WritebackErrorTests
{
    /// <summary>Two user threads: a writer (write, then its steps up to the fsync's check) and a second description; the device fails the writeback bio.</summary>
    private static (KernelState S, List<ModelEvent> Events) FailedWriteback(string reporting, string secondOps)
    {
        var spec = ScenarioText.Parse($$"""
            id: t
            file: {block_size: 4K, folio_size: 4K, max_size: 8K, size: 0}
            threads:
              - name: writer
                ops: [{op: buffered-write, offset: 0, length: 4K}, {op: fsync}]
              - name: other
                ops: {{secondOps}}
            actors: {device: irq}
            faults: [writeback-io-error]
            """);
        var s = MachineBuilder.Build(spec, new Variant(new Dictionary<string, string> { ["WbErrReporting"] = reporting }));
        var events = new List<ModelEvent>();
        int writer = 0, device = s.Machine.DeviceTid;
        // the write, then the fsync's writeback submits the bio and waits for it
        s = Mechanism.RunUntil(s, writer, events: events);
        Assert.Single(s.Bios.ToArray());
        Assert.Equal(2, Semantics.Alternatives(s, device)); // complete it, or fail it
        s = Mechanism.Step(s, device, alt: 1, events);
        s = Mechanism.RunUntil(s, s.Machine.ThreadIndex("wq"), events: events); // xfs_end_io: the bio was past i_disk_size
        return (s, events);
    }

    [Fact]
    public void AFailedBioWritesNothingEndsWritebackCleanAndRecordsTheErrorInTheMapping()
    {
        var (s, _) = FailedWriteback("errseq", "[{op: fsync}]");
        Assert.Equal(DataTag.Stale, s.Disk[0]);
        Assert.True(s.Folios[0].Present && !s.Folios[0].Dirty && !s.Folios[0].Writeback);
        Assert.Equal(ExtentType.Unwritten, s.Extents[0]); // xfs_end_ioend converted nothing
        Assert.True(s.Inode.AsEio);
        Assert.Equal(0, Semantics.Alternatives(s, s.Machine.DeviceTid)); // one error per run: nothing left to fail
        Assert.Equal(DataTag.None, s.History.MustSurvive[0]); // the lost data is owed as an error, not as data
    }

    [Theory]
    [InlineData("errseq", true)]
    [InlineData("errseq-sample-current", true)]
    [InlineData("as-eio", false)]
    public void BothDescriptionsOpenAtTheErrorSeeIt(string reporting, bool secondSeesIt)
    {
        var (s, events) = FailedWriteback(reporting, "[{op: fsync}]");
        s = Mechanism.RunUntil(s, 0, events: events); // the writer's fsync returns first
        s = Mechanism.RunUntil(s, 1, events: events);
        var returned = events.OfType<FsyncReturned>().ToList();
        Assert.Equal([true, secondSeesIt], returned.Select(r => r.Error));
        Assert.All(returned, r => Assert.True(r.Owed));
        Assert.Equal(secondSeesIt, new ErrorReported().AfterStep(s, events) is null);
    }

    [Theory]
    [InlineData("errseq", true)]
    [InlineData("errseq-sample-current", false)]
    [InlineData("as-eio", true)]
    public void ADescriptionOpenedAfterAnErrorNobodySawSeesItOnlyWithTheOnceGuarantee(string reporting, bool seesIt)
    {
        var (s, events) = FailedWriteback(reporting, "[{op: open}, {op: fsync}]");
        s = Mechanism.RunUntil(s, 1, events: events); // opens after the error, fsyncs before the writer's fsync checks
        var r = events.OfType<FsyncReturned>().Single();
        Assert.Equal(seesIt, r.Error);
        Assert.True(r.Owed);
    }

    [Fact]
    public void ASecondFsyncOnTheSameDescriptionReportsNothing()
    {
        var (s, events) = FailedWriteback("errseq", "[{op: open}]");
        s = Mechanism.RunUntil(s, 0, events: events);
        Assert.True(events.OfType<FsyncReturned>().Single().Error);
        Assert.Equal(0, s.History.ErrOwed & 1);
        Assert.False(s.History.ErrUnreported);
    }

    [Fact]
    public void ASecondErrorAfterTheFirstWasSeenBumpsTheCounterSoEveryDescriptionSeesItAgain()
    {
        // errseq_set: the counter moves only when the last error was seen (two errors are more than
        // one run's budget, so the mechanism is driven directly)
        var (s, events) = FailedWriteback("errseq", "[{op: fsync}]");
        s = Mechanism.RunUntil(s, 0, events: events);
        byte seen = s.Inode.WbErr;
        var c = new StepContext { Tid = 1, Context = ExecContext.Task };
        WritebackError.MappingSetError(s, 0, [DataTag.Write(1)], c);
        Assert.NotEqual(seen, s.Inode.WbErr);
        Assert.Equal(1, seen & 1); // the first error was seen by the writer's fsync
        Assert.Equal(2, s.Inode.WbErr & 3); // the new one: an error, not seen yet
        Assert.True(s.Inode.WbErr > seen); // the counter moved
        Assert.Equal(0b11, s.History.ErrOwed & 0b11); // both descriptions are owed the new error
        Assert.True(WritebackError.FsyncCheck(s, new StepContext { Tid = 0, Context = ExecContext.Task }));
        // an unseen error hit again does not move the counter
        byte unseen = s.InodeW.WbErr = (byte)(s.Inode.WbErr & ~1);
        WritebackError.MappingSetError(s, 0, [DataTag.Write(1)], c);
        Assert.Equal(unseen, s.Inode.WbErr);
    }

    /// <summary>A 12K written file, one fsync, an IRQ device, and the faults given (YAML after "faults: ").</summary>
    private static KernelState DeviceWithFaults(string faults) => MachineBuilder.Build(ScenarioText.Parse($$"""
        id: t
        file: {block_size: 4K, folio_size: 4K, max_size: 12K, size: 12K, extents: [{offset: 0, length: 12K, type: written}]}
        threads:
          - name: user
            ops: [{op: fsync}]
        actors: {device: irq}
        faults: {{faults}}
        """), Variant.Default);

    [Fact]
    public void TheDeviceCanFailAnyWritebackBioButNoOtherKind()
    {
        var s = DeviceWithFaults("[writeback-io-error]");
        var g = s.Geo;
        s.BiosW.Add(new Bio(BioKind.Writeback, -1, 0, 1, new byte[g.UnitsPerBlock], [0], false, false, 4, false, false));
        s.BiosW.Add(new Bio(BioKind.Read, -1, 1, 1, new byte[g.UnitsPerBlock], [1], false, false, 8, false, false));
        s.BiosW.Add(new Bio(BioKind.Writeback, -1, 2, 1, new byte[g.UnitsPerBlock], [2], false, false, 12, false, false));
        Assert.Equal(5, WritebackError.DeviceAlternatives(s)); // complete any of 3, or fail either writeback bio
        Assert.Equal((1, false), WritebackError.Choice(s, 1));
        Assert.Equal((0, true), WritebackError.Choice(s, 3));
        Assert.Equal((2, true), WritebackError.Choice(s, 4));
        Assert.Throws<ModelError>(() => WritebackError.Choice(s, 5));
        s.InodeW.IoErrors = 1;
        Assert.Equal(3, WritebackError.DeviceAlternatives(s)); // the run's one error is spent
    }

    [Fact]
    public void FaultLimitBoundsEachIoErrorFaultPerRunAndReadBiosFailUnderTheirOwnFault()
    {
        var s = DeviceWithFaults("[writeback-io-error, read-io-error]\nfault_limit: 2");
        var g = s.Geo;
        s.BiosW.Add(new Bio(BioKind.Writeback, -1, 0, 1, new byte[g.UnitsPerBlock], [0], false, false, 4, false, false));
        s.BiosW.Add(new Bio(BioKind.Read, -1, 1, 1, new byte[g.UnitsPerBlock], [1], false, false, 8, false, false));
        Assert.Equal(4, WritebackError.DeviceAlternatives(s)); // complete either, or fail either
        Assert.Equal((1, true), WritebackError.Choice(s, 3));
        s.InodeW.IoErrors = 1;
        Assert.Equal(4, WritebackError.DeviceAlternatives(s)); // one of two writeback errors left
        s.InodeW.IoErrors = 2;
        Assert.Equal(3, WritebackError.DeviceAlternatives(s));
        s.InodeW.ReadErrors = 2;
        Assert.Equal(2, WritebackError.DeviceAlternatives(s));
    }

    [Fact]
    public void FaultLimitWithoutAnIoErrorFaultIsBadInput()
    {
        var e = Assert.Throws<ModelCheck.Explore.Scenarios.InputException>(() => ScenarioText.Parse("""
            id: t
            file: {block_size: 4K, max_size: 4K}
            threads:
              - name: user
                ops: [{op: fsync}]
            fault_limit: 2
            """));
        Assert.Contains("fault_limit", e.Message, StringComparison.Ordinal);
    }
}
