namespace ModelCheck.Tests.Unit.Ops;

/// <summary>
/// src/Model/Ops/Ext4Setattr.cs: ext4_setattr's truncate to the same size (ext4_truncate zeroes the
/// EOF block's tail and frees past it), the unmap of the folios past the new EOF, and the size
/// operation's bookkeeping.
/// </summary>
public class Ext4SetattrTests
{
    [Fact]
    public void TruncatingToTheSameSizeZeroesTheEofBlocksTailAndFreesThePreallocationPastIt()
    {
        var s = Mechanism.Run(ScenarioText.OneThread("[{op: mmap-store, offset: 2K, length: 1K}, {op: truncate, size: 2K}]",
            "{fs: ext4, block_size: 4K, folio_size: 4K, max_size: 8K, size: 2K, extents: [{offset: 0, length: 8K, type: written}]}"));
        Assert.Equal(2, s.Inode.ISize);
        Assert.Equal(2, s.Inode.IDiskSize);
        Assert.Equal(DataTag.Zero, s.CacheData[2]);
        Assert.Equal(ExtentType.Written, s.Extents[0]);
        Assert.Equal(ExtentType.Hole, s.Extents[1]);
        Assert.Equal(2, s.History.TruncSize);
        Assert.False(s.History.SizeOpSince);
        Assert.Equal(0, s.Local(0, 0)); // oldsize cleared at the unlock
    }

    [Fact]
    public void ATruncateToTheSameSizeFreesPastEofSoItOffersFreedBlockReuse()
    {
        var spec = ScenarioText.Parse("""
            id: t
            file: {fs: ext4, block_size: 4K, folio_size: 4K, max_size: 16K, size: 4K, extents: [{offset: 0, length: 16K, type: written}]}
            threads:
              - name: user
                ops: [{op: truncate, size: 4K}]
            actors: {device: irq}
            faults: [freed-block-reuse]
            """);
        var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0, "ext4_ext_truncate");
        Assert.Equal(2, Semantics.Alternatives(s, 0));
    }

    [Fact]
    public void TruncatePagecacheUnmapsOnlyTheFoliosWhollyPastTheNewEofMovingTheirDirtToTheFolio()
    {
        var spec = ScenarioText.OneThread("[{op: truncate, size: 5K}]",
            "{fs: ext4, block_size: 1K, folio_size: 4K, max_size: 12K, size: 12K, extents: [{offset: 0, length: 12K, type: written}], cached: [{offset: 0, length: 12K, mapped: true}]}");
        var s0 = MachineBuilder.Build(spec, Variant.Default);
        s0.FoliosW[2].PteDirty = true;
        var s = Mechanism.Step(Mechanism.RunUntil(s0, 0, "truncate_pagecache"), 0);
        Assert.True(s.Folios[0].PteMapped);
        Assert.True(s.Folios[1].PteMapped); // holds the new EOF: kept
        Assert.False(s.Folios[2].PteMapped);
        Assert.True(s.Folios[2].Dirty);
    }

    [Fact]
    public void TheSizeOperationIsOpenFromDoTruncate()
    {
        var spec = ScenarioText.OneThread("[{op: truncate, size: 0}]",
            "{fs: ext4, block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var s = Mechanism.Step(MachineBuilder.Build(spec, Variant.Default), 0);
        Assert.True(s.History.SizeOpSince);
        Assert.Equal(8 * 1024 / s.Geo.UnitBytes, s.Local(0, 0));
    }
}
