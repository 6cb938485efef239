using System.Text.Json;
using ModelCheck.Explore.Runs;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>Kernel profiles: named kernels whose values fill the switches a variant leaves unset.</summary>
public class ProfileTests
{
    [Fact]
    public void TheKernelHereDoesNotHangSyncOnASilentFuseServer()
    {
        // measured on the live kernel (and FuseKernelTests): syncfs on FUSE with writeback_cache does not wait for an unanswered WRITE
        var spec = Catalog.Locate().Resolve("fuse-sync-hang");
        var merged = new Dictionary<string, string> { ["FuseWriteback"] = "no-temp-page+merged-flag" };
        var (posted, _, _) = Checker.Check(spec, KernelProfiles.Posted.Resolve(merged));
        var (here, result, _) = Checker.Check(spec, KernelProfiles.V618.Resolve(merged));
        Assert.Equal("blocked-forever", posted.Invariant);
        Assert.Equal("holds", here.Verdict);
        Assert.True(result.Complete);
    }

    [Fact]
    public void ExplicitValuesOverrideTheProfile()
    {
        var v = KernelProfiles.V618.Resolve(new Dictionary<string, string> { ["DropbehindIrq"] = "complete-in-task" });
        Assert.Equal(DropbehindIrqMode.CompleteInTask, v.Get(Switches.DropbehindIrq));
        Assert.Equal(DontcacheSyncMode.InlineFlush, v.Get(Switches.DontcacheSync));
        Assert.Equal(Switches.WtTowrite.Default, v.Get((SwitchDef)Switches.WtTowrite));
    }

    [Fact]
    public void EveryProfileValueIsAValueOfItsSwitch()
    {
        foreach (var p in KernelProfiles.All)
            foreach (var (name, value) in p.Values)
                Assert.Contains(value, (Switches.Find(name) ?? throw new Xunit.Sdk.XunitException($"{p.Name}: no switch {name}")).Values);
    }

    [Fact]
    public void ProfilesListsEverySwitchOfEveryProfile()
    {
        var (code, output, _) = CliTests.Run("profiles", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(KernelProfiles.All.Count, doc.RootElement.GetArrayLength());
        foreach (var p in doc.RootElement.EnumerateArray())
            Assert.Equal(Switches.All.Count, p.GetProperty("switches").EnumerateObject().Count());
    }

    [Fact]
    public void AnOperationTheProfileLacksIsBadInput()
    {
        var (code, _, err) = CliTests.Run("check", "wt-aio-truncate", "--profile", "v6.18");
        Assert.Equal(2, code);
        Assert.Contains("aio-writethrough cannot run under profile v6.18", err);
        var (code2, _, err2) = CliTests.Run("check", "base-write-truncate", "--profile", "v7");
        Assert.Equal(2, code2);
        Assert.Contains("unknown profile 'v7'", err2);
    }
}
