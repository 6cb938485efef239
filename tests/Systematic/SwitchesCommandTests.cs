using System.Text.Json;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>`modelcheck switches`: every switch and value with its meaning and the profiles that take it.</summary>
public class SwitchesCommandTests
{
    [Fact]
    public void EveryValueHasAMeaningAndEveryProfileTakesExactlyOneValuePerSwitch()
    {
        var (code, output, err) = CliTests.Run("switches", "--json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var switches = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(Switches.All.Select(s => s.Name), switches.Select(s => s.GetProperty("name").GetString()));
        foreach (var s in switches)
        {
            var values = s.GetProperty("values").EnumerateArray().ToList();
            Assert.True(values.Count >= 2, s.GetProperty("name").GetString());
            Assert.All(values, v => Assert.False(string.IsNullOrWhiteSpace(v.GetProperty("meaning").GetString())));
            var profiles = values.SelectMany(v => v.GetProperty("profiles").EnumerateArray().Select(p => p.GetString())).ToList();
            Assert.Equal(KernelProfiles.All.Select(k => k.Name).Order(), profiles.Order());
        }
    }

    [Fact]
    public void OneSwitchPrintsItsValuesAndWhichKernelTakesThem()
    {
        var (code, output, _) = CliTests.Run("switches", "FuseSync");
        Assert.Equal(0, code);
        Assert.Contains("no-data-integrity", output);
        Assert.Contains("[v6.18]", output);
        Assert.DoesNotContain("DropbehindIrq", output);
    }

    [Fact]
    public void AnUnknownSwitchIsBadInput()
    {
        var (code, _, err) = CliTests.Run("switches", "DropbehindIRQ");
        Assert.Equal(2, code);
        Assert.Contains("unknown switch 'DropbehindIRQ'", err);
    }
}
