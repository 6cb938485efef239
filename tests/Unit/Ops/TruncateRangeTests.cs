namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/TruncateRange.cs: truncate_inode_pages_range's passes and its partial folios.</summary>
public class TruncateRangeTests
{
    [Fact]
    public void ThePartialFolioForgetsTheDirtinessOfTheWholeBlocksItLoses()
    {
        // 1K blocks in a 4K folio: truncate to 1K keeps block 0 dirty and forgets blocks 1-3
        // (i_disk_size 4K: the truncate flushes nothing before it logs the size)
        var s = Mechanism.Run(ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}, {op: truncate, size: 1K}]",
            "{block_size: 1K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}"));
        Assert.Equal(0b0001, s.Folios[0].DirtyMask);
        Assert.Equal(DataTag.Write(1), s.CacheData[0]);
        Assert.All(new[] { 1, 2, 3 }, u => Assert.Equal(DataTag.Zero, s.CacheData[u]));
    }

    [Fact]
    public void ALargeFolioThatLosesWholePagesLosesItsMappingAndKeepsItsPteDirt()
    {
        var spec = ScenarioText.OneThread("[{op: truncate, size: 1K}]",
            "{block_size: 1K, folio_size: 8K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 8K, mapped: true}]}");
        var s0 = MachineBuilder.Build(spec, Variant.Default);
        s0.FoliosW[0].PteDirty = true;
        var s = DeterministicRun.ToQuiescence(s0).Final;
        var f = s.Folios[0];
        Assert.True(f.Present);
        Assert.False(f.PteMapped || f.PteWritable || f.PteDirty);
        Assert.True(f.Dirty);
    }

    [Fact]
    public void AFolioAddedBehindPassTwoRestartsIt()
    {
        var spec = ScenarioText.OneThread("[{op: truncate, size: 0}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 8K}]}");
        var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0, "find_get_entries");
        Assert.False(s.Folios[1].Present);
        Semantics.Status(s, 0, out int lookup, out _);
        s.Threads[0].Pc = (short)lookup; // past pass 2's folio_lock steps, which had nothing to do
        s.FoliosW[1] = Folio.New(-1) with { UptodateMask = (byte)s.Geo.AllBlocksMask }; // a fill path without the invalidate_lock
        var next = Semantics.Execute(s, 0, 0, out var ctx, out _);
        Assert.Equal(["a folio was added behind pass 2: restart from the start of the range"], ctx.Notes);
        var program = next.Machine.Threads[0].Program;
        Assert.Equal("folio_lock", program[next.Threads[0].Pc].Function);
        Assert.False(DeterministicRun.ToQuiescence(next).Final.Folios[1].Present);
        // with the range empty the lookup ends pass 2
        var empty = Semantics.Execute(Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0, "find_get_entries"), 0, 0, out var ctx2, out _);
        Assert.Empty(ctx2.Notes);
        Assert.NotEqual("folio_lock", empty.Machine.Threads[0].Program[empty.Threads[0].Pc].Function);
    }
}
