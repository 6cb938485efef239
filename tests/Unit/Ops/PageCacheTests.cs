namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/PageCache.cs, run to quiescence in one thread.</summary>
public class PageCacheTests
{
    [Fact]
    public void DoubleStartWritebackIsReportedAsAFolioFlagsEvent()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}]");
        var s = Mechanism.Run(spec);
        s.FoliosW[0].Writeback = true;
        s.FoliosW[0].LockOwner = 0;
        var ctx = new StepContext { Context = ExecContext.Task };
        PageCache.StartWriteback(s, 0, 1, false, ctx);
        Assert.Contains(ctx.Events, e => e is FolioFlagsBroken);
    }

    [Fact]
    public void ZeroCachedZeroesOnlyCachedUnitsThatAreNotZeroAndSaysWhetherItDidAnything()
    {
        // 1K units, 4K folios: F0 cached with W0, F1 not cached
        var spec = ScenarioText.OneThread("[{op: buffered-read, offset: 0, length: 1K}]",
            "{block_size: 1K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}], cached: [{offset: 0, length: 4K}]}");
        var s = MachineBuilder.Build(spec, Variant.Default).Clone();
        var c = new StepContext { Context = ExecContext.Task };
        Assert.True(PageCache.ZeroCached(s, 2, 6, dirty: false, c));
        Assert.Equal([DataTag.Write(0), DataTag.Write(0), DataTag.Zero, DataTag.Zero], s.CacheData[..4].ToArray());
        Assert.False(s.Folios[0].Dirty); // folio_zero_segment: no dirtying
        Assert.False(s.Folios[1].Present);
        Assert.False(PageCache.ZeroCached(s, 2, 4, dirty: false, c)); // already zeros
        Assert.False(PageCache.ZeroCached(s, 4, 8, dirty: false, c)); // nothing cached
        Assert.False(PageCache.ZeroCached(s, 3, 3, dirty: false, c)); // empty range
        Assert.True(PageCache.ZeroCached(s, 1, 2, dirty: true, c));
        Assert.Equal(DataTag.Zero, s.CacheData[1]);
        Assert.Equal(DataTag.Write(0), s.CacheData[0]);
        Assert.True(s.Folios[0].Dirty); // through the write path
        Assert.Equal(0b0010, s.Folios[0].DirtyMask);
    }

    [Fact]
    public void BuffersAreBusyOnlyWhileSomeoneHoldsOne()
    {
        Assert.False(PageCache.BuffersBusy(new Folio { Buffers = true }));
        Assert.False(PageCache.BuffersBusy(new Folio { BhRefs = 1 }));
        Assert.True(PageCache.BuffersBusy(new Folio { Buffers = true, BhRefs = 1 }));
    }
}
