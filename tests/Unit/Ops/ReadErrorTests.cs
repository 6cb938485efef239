namespace ModelCheck.Tests.Unit.Ops;

/// <summary>The read-io-error fault: a failed read bio leaves its folio cached, unlocked and not uptodate.</summary>
public class ReadErrorTests
{
    private static readonly ScenarioSpec Spec = ScenarioText.Parse("""
        id: t
        file: {block_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}
        threads:
          - name: ra
            ops: [{op: readahead, offset: 0, length: 4K}, {op: buffered-read, offset: 0, length: 4K}]
        actors: {device: irq}
        faults: [read-io-error]
        """);

    [Fact]
    public void TheDeviceMayFailOneReadBioAndTheNextReadReadsTheFolioAgain()
    {
        var s = MachineBuilder.Build(Spec, Variant.Default);
        int device = s.Machine.DeviceTid;
        s = Mechanism.RunUntil(s, 0); // readahead submitted its bio; the read waits for the folio
        Assert.Single(s.Bios.ToArray());
        Assert.Equal(2, Semantics.Alternatives(s, device)); // complete it, or fail it
        s = Mechanism.Step(s, device, alt: 1);
        Assert.True(s.Folios[0].Present);
        Assert.False(s.Folios[0].Locked);
        Assert.False(s.Folios[0].Uptodate(s.Geo));
        Assert.Equal(1, s.Inode.ReadErrors);
        var events = new List<ModelEvent>();
        s = Mechanism.RunUntil(s, 0, null, events);
        Assert.All(events.OfType<ReadReturned>(), r => Assert.Equal(DataTag.Write(0), r.Tag));
        Assert.NotEmpty(events.OfType<ReadReturned>());
        Assert.True(s.Folios[0].Uptodate(s.Geo));
    }

    [Fact]
    public void OneReadErrorPerRunAndNoneWithoutTheFault()
    {
        var s = Mechanism.RunUntil(MachineBuilder.Build(Spec, Variant.Default), 0);
        var spent = s.Clone();
        spent.InodeW.ReadErrors = 1; // the run's one read error is spent: the bio can only complete
        Assert.Equal(1, Semantics.Alternatives(spent, spent.Machine.DeviceTid));
        var noFault = ScenarioText.Parse("""
            id: t
            file: {block_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}
            threads:
              - name: ra
                ops: [{op: readahead, offset: 0, length: 4K}]
            actors: {device: irq}
            """);
        var n = Mechanism.RunUntil(MachineBuilder.Build(noFault, Variant.Default), 0);
        Assert.Single(n.Bios.ToArray());
        Assert.Equal(1, Semantics.Alternatives(n, n.Machine.DeviceTid));
    }
}
