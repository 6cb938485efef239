using System.Text.Json;

namespace ModelCheck.Tests.Systematic;

/// <summary>--max-memory: a search that would outgrow its memory stops cleanly with a partial result.</summary>
public class MaxMemoryTests
{
    [Fact]
    public void ASearchPastItsMemoryStopsWithAPartialResultAndExit5()
    {
        var (code, output, err) = CliTests.Run("check", "scenarios/bench/bench-spin-c.yaml", "--variant", "BenchFix=on", "--no-por",
            "--max-memory", "48", "--json");
        Assert.True(code == 5, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("incomplete", doc.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("max-memory", doc.RootElement.GetProperty("stoppedBy").GetString());
        Assert.False(doc.RootElement.GetProperty("complete").GetBoolean());
        Assert.True(doc.RootElement.GetProperty("states").GetInt64() > 1000);
        Assert.Contains("--max-memory (48 MiB of heap)", err);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void AnImpossibleLimitIsBadInput(string mb)
    {
        var (code, _, err) = CliTests.Run("check", "wt-aio-truncate", "--max-memory", mb);
        Assert.Equal(2, code);
        Assert.Contains("--max-memory", err);
    }
}
