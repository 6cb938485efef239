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
}
