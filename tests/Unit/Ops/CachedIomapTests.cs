namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/CachedIomap.cs: the mapping a buffered write keeps when it does not revalidate it (IomapValidity=none).</summary>
public class CachedIomapTests
{
    private static readonly Variant NoValidity = new(new Dictionary<string, string> { ["IomapValidity"] = "none" });

    [Fact]
    public void TheRunOfSameTypeBlocksIsCachedAndABlockPastItIsMappedAfresh()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 12K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 12K, size: 12K, extents: [{offset: 0, length: 8K, type: unwritten}, {offset: 8K, length: 4K, type: written}]}");
        var s = MachineBuilder.Build(spec, NoValidity);
        var c = new StepContext { Tid = 0, Context = ExecContext.Task };
        CachedIomap.Map(s, 0, 0, 2, c);
        Assert.Equal(ExtentType.Unwritten, CachedIomap.TypeFor(s, 0, 1, 2, c)); // inside the cached run
        s.ExtentsW[1] = ExtentType.Written;
        Assert.Equal(ExtentType.Unwritten, CachedIomap.TypeFor(s, 0, 1, 2, c)); // stale, and nothing checks
        Assert.Equal(ExtentType.Written, CachedIomap.TypeFor(s, 0, 2, 2, c)); // past the run: a new iomap_begin
        Assert.Contains(c.Notes, n => n.StartsWith("iomap written blk 2", StringComparison.Ordinal));
    }

    [Fact]
    public void OnlyProgramsBuiltWithoutValidityKeepAMapping()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 2K, length: 4K}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: unwritten}]}");
        Assert.Contains(Mechanism.Run(spec, NoValidity).CacheData.ToArray(), t => t == DataTag.Write(1));
        // the two agree when nothing changes the extents under the write, and leave no local behind
        var a = Mechanism.Run(spec, NoValidity);
        var b = Mechanism.Run(spec);
        Assert.Equal(a.CacheData.ToArray(), b.CacheData.ToArray());
        Assert.Equal(b.EncodeToArray(), a.EncodeToArray());
    }
}
