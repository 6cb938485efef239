namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/BufferedWrite.cs, run to quiescence in one thread.</summary>
public class BufferedWriteTests
{
    [Fact]
    public void BufferedWriteDirtiesFolioReservesDelallocAndExtendsISize()
    {
        var s = Mechanism.Run(ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}]"));
        Assert.Equal(1, s.Inode.ISize);
        Assert.Equal(0, s.Inode.IDiskSize);
        Assert.True(s.Folios[0].Dirty && s.Folios[0].TagDirty && !s.Folios[0].Locked);
        Assert.Equal(ExtentType.Delalloc, s.Extents[0]);
        Assert.Equal(DataTag.Write(1), s.CacheData[0]);
        Assert.False(s.Folios[1].Present);
    }

    [Fact]
    public void AWriteIntoAFolioUnderStableIoAfterTheBitWasClearedIsReported()
    {
        // AS_STABLE_WRITES already clear (a broken variant) while F0's stable-write I/O is in flight:
        // folio_wait_stable does not wait, and the copy changes the DMA source
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K}]}");
        var s = MachineBuilder.Build(spec, Variant.Default);
        ref var f = ref s.FoliosW[0];
        f.Writeback = f.TagWriteback = f.StableIo = true;
        var events = new List<ModelEvent>();
        Mechanism.RunUntil(s, 0, events: events);
        Assert.Equal("write changed F0 while its stable-write I/O was in flight", Assert.Single(events.OfType<StablePagesBroken>()).Message);
        // under writeback without a stable-pages I/O the same write is legal
        var plain = MachineBuilder.Build(spec, Variant.Default);
        plain.FoliosW[0].Writeback = plain.FoliosW[0].TagWriteback = true;
        var none = new List<ModelEvent>();
        Mechanism.RunUntil(plain, 0, events: none);
        Assert.Empty(none.OfType<StablePagesBroken>());
    }
}
