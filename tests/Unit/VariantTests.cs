using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

/// <summary>Variants as users write them (A=x,B=y), the switches' typed values, and the kernel profiles.</summary>
public class VariantTests
{
    [Fact]
    public void AVariantIsParsedFromItemsAndCommaListsWithSpaces()
    {
        var v = Variant.Parse(["ReadLock=none, BenchFix=off", " default ", "FuseSync=wait"]);
        Assert.Equal("BenchFix=off,FuseSync=wait,ReadLock=none", v.ToString());
        Assert.False(v.BenchFix);
        Assert.False(v.ReadTakesIrwsem);
        Assert.True(Variant.Default.BenchFix);
        Assert.True(Variant.Default.ReadTakesIrwsem);
        Assert.Equal("default", Variant.Parse(["default"]).ToString());
    }

    [Theory]
    [InlineData("=on")]
    [InlineData("BenchFix")]
    [InlineData("BenchFix=maybe")]
    [InlineData("NoSuchSwitch=on")]
    public void AMalformedItemIsAnError(string item)
    {
        Assert.Throws<ArgumentException>(() => Variant.Parse([item]));
    }

    [Fact]
    public void ATypedSwitchNamesItsValuesInDeclarationOrder()
    {
        Assert.Equal(["off", "on"], Switches.BenchFix.Values);
        Assert.Equal("on", Switches.BenchFix.Default);
        Assert.Equal(BenchFixMode.On, Switches.BenchFix.Parse("on"));
        Assert.Equal("on", Switch<BenchFixMode>.NameOf(BenchFixMode.On));
        Assert.Contains("flusher skips folios beyond EOF", Switches.BenchFix.Value("on").Meaning, StringComparison.Ordinal);
        // a value the variant did not validate is never read as the first one
        Assert.Throws<InvalidOperationException>(() => Switches.BenchFix.Parse("maybe"));
        Assert.Throws<InvalidOperationException>(() => Switches.BenchFix.Value("maybe"));
        Assert.Same(Switches.BenchFix, Switches.Find("BenchFix"));
        Assert.Null(Switches.Find("benchfix"));
    }

    [Fact]
    public void AProfileFillsTheSwitchesTheVariantLeavesUnset()
    {
        var v618 = KernelProfiles.Get("v6.18");
        Assert.Same(KernelProfiles.V618, v618);
        var v = v618.Resolve();
        Assert.Equal("inline-flush", v.Get((SwitchDef)Switches.DontcacheSync));
        Assert.Equal("no-data-integrity", v.Get((SwitchDef)Switches.FuseSync));
        Assert.Contains("writethrough", v618.MissingOps);
        var changed = v618.Resolve(new Dictionary<string, string> { ["DontcacheSync"] = "kick-flusher" });
        Assert.Equal("kick-flusher", changed.Get((SwitchDef)Switches.DontcacheSync));
        Assert.Equal("no-data-integrity", changed.Get((SwitchDef)Switches.FuseSync));

        var fixedKernel = KernelProfiles.Get("fixed").Resolve();
        Assert.Equal("complete-in-task", fixedKernel.Get((SwitchDef)Switches.DropbehindIrq));
        Assert.Equal("counted", fixedKernel.Get((SwitchDef)Switches.WtStableWrites));
        Assert.Equal("default", KernelProfiles.Get("posted").Resolve().ToString());

        Assert.Null(KernelProfiles.Find("v6.19"));
        var e = Assert.Throws<ArgumentException>(() => KernelProfiles.Get("v6.19"));
        Assert.Contains("v6.18, posted, fixed", e.Message, StringComparison.Ordinal);
    }
}
