using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// A trace carries a digest of what it claims: an edited trace is bad input (exit 2); an intact
/// trace whose model has changed says what it records and what the model gives now (exit 6);
/// an intact trace that still reproduces exits 1 as before.
/// </summary>
public sealed class ReplayIntegrityTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"mc-integrity-{Guid.NewGuid():N}");

    public ReplayIntegrityTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static TraceFile Original() => TraceFile.Load(Catalog.Locate().TracePath("wt-aio-truncate", "WtAioDioCount=off"));

    [Fact]
    public void AHandEditedTraceIsReportedNotReplayed()
    {
        string path = Path.Combine(dir, "edited.json");
        File.WriteAllText(path, File.ReadAllText(Catalog.Locate().TracePath("wt-aio-truncate", "WtAioDioCount=off"))
            .Replace("\"invariant\": \"isize-regression\"", "\"invariant\": \"stale-data\"", StringComparison.Ordinal));
        var (code, _, err) = CliTests.Run("replay", path);
        Assert.Equal(2, code);
        Assert.Contains("edited after modelcheck wrote it", err);
    }

    [Theory]
    [InlineData("verdict")]
    [InlineData("length")]
    [InlineData("step")]
    public void AnIntactTraceTheModelNoLongerGivesIsItsOwnExitCode(string change)
    {
        // what a trace written by an older model looks like: intact, and saying something else
        var t = Original();
        t = change switch
        {
            "verdict" => t with { Violation = new TraceViolation("stale-data", "an older model's verdict") },
            "length" => t with { Choices = [.. t.Choices, t.Choices[^1]] },
            _ => t with { Choices = [t.Choices[0] with { Function = "an_older_step_name" }, .. t.Choices.Skip(1)] },
        };
        string path = Path.Combine(dir, change + ".json");
        t.Save(path);
        var (code, _, err) = CliTests.Run("replay", path);
        Assert.True(code == 6, $"exit {code}: {err}");
        Assert.Contains("the model changed since it was written", err);
        if (change == "verdict") Assert.Contains("the trace records a violation of stale-data, the model now gives a violation of isize-regression", err);
    }

    [Fact]
    public void ATraceSavedAgainStillReproduces()
    {
        string path = Path.Combine(dir, "same.json");
        Original().Save(path);
        var (code, output, _) = CliTests.Run("replay", path);
        Assert.Equal(1, code);
        Assert.Contains("same violation as recorded", output);
    }
}
