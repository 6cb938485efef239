namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Mmap.cs, run to quiescence in one thread.</summary>
public class MmapTests
{
    [Fact]
    public void MmapStoreFaultsDirtiesAndIsWrittenByFsync()
    {
        var spec = ScenarioText.OneThread("[{op: mmap-store, offset: 0, length: 4K}, {op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        Assert.Equal(DataTag.Write(1), o.Final.Disk[0]);
        Assert.Contains("iomap_page_mkwrite", o.Functions);
        Assert.False(o.Final.Folios[0].PteWritable); // writeback's folio_mkclean write-protected it again
    }
}
