using ModelCheck.Explore.Engines.Exhaustive;

namespace ModelCheck.Tests.Unit;

public class FingerprintTableTests
{
    [Fact]
    public void KeepsEveryKeyAndIdThroughGrowth()
    {
        var t = new FingerprintTable(16);
        var rng = new Random(5);
        var keys = new List<UInt128>();
        for (int i = 0; i < 50_000; i++)
        {
            var k = new UInt128((ulong)rng.NextInt64(), (ulong)rng.NextInt64());
            keys.Add(k);
            Assert.True(t.TryAdd(k, i));
        }
        Assert.Equal(50_000, t.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            Assert.True(t.TryGetValue(keys[i], out int id));
            Assert.Equal(i, id);
            Assert.False(t.TryAdd(keys[i], -7));
        }
        Assert.False(t.TryGetValue(new UInt128(1, 2), out _));
        Assert.True(t.TryAdd(UInt128.Zero, 3)); // a zero fingerprint is an ordinary key
        Assert.True(t.TryGetValue(UInt128.Zero, out int z) && z == 3);
    }

    [Fact]
    public void TryAddReportsTheIdAlreadyStored()
    {
        var t = new FingerprintTable(16);
        Assert.True(t.TryAdd(new UInt128(7, 7), 41, out int none));
        Assert.Equal(-1, none);
        Assert.False(t.TryAdd(new UInt128(7, 7), 99, out int existing));
        Assert.Equal(41, existing);
        Assert.Equal(1, t.Count);
    }
}
