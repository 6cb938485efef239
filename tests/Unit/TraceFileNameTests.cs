using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Unit;

/// <summary>Catalog.TraceFileName: trace names stay within a file name's length whatever the variant.</summary>
public class TraceFileNameTests
{
    [Fact]
    public void AShortVariantIsTheNameAsItWas()
    {
        Assert.Equal("wt-aio-truncate.WtAioDioCount=off.json", Catalog.TraceFileName("wt-aio-truncate", "WtAioDioCount=off"));
    }

    [Fact]
    public void AVariantThatSetsEverySwitchIsCutAndHashed()
    {
        string all = string.Join(",", ModelCheck.Model.Variants.Switches.All.Select(s => $"{s.Name}={s.Values[^1]}"));
        string name = Catalog.TraceFileName("dio-writes-during-readahead", all);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(name) <= 200, name);
        Assert.NotEqual(name, Catalog.TraceFileName("dio-writes-during-readahead", all + ",x"));
        Assert.EndsWith(".json", name, StringComparison.Ordinal);
    }
}
