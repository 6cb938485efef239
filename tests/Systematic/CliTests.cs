using System.Diagnostics;
using System.Text.Json;
using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Systematic;

/// <summary>The command line as a user runs it: exit codes, JSON shapes, error messages.</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "modelcheck.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Catalog.Locate().Root };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void CheckFindsB1AndSavesATraceThatReplays()
    {
        string trace = Path.Combine(Path.GetTempPath(), $"mc-cli-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, _) = Run("check", "wt-aio-truncate", "--variant", "WtAioDioCount=off", "--json", "--trace-out", trace);
            Assert.Equal(1, code);
            using var row = JsonDocument.Parse(output);
            Assert.Equal("violated", row.RootElement.GetProperty("verdict").GetString());
            Assert.Equal("isize-regression", row.RootElement.GetProperty("invariant").GetString());
            var (replayCode, replayOut, _) = Run("replay", trace);
            Assert.Equal(1, replayCode);
            Assert.Contains("same violation as recorded", replayOut);
        }
        finally
        {
            File.Delete(trace);
        }
    }

    [Fact]
    public void AFixedVariantHoldsWithExitZero()
    {
        var (code, output, _) = Run("check", "wt-aio-truncate", "--variant", "WtAioDioCount=on", "--json");
        Assert.Equal(0, code);
        using var row = JsonDocument.Parse(output);
        Assert.True(row.RootElement.GetProperty("complete").GetBoolean());
    }

    [Theory]
    [InlineData("check", "wt-aio-truncate", "--variant", "WtAioDioCount=maybe")]
    [InlineData("check", "no-such-scenario")]
    [InlineData("check", "wt-aio-truncate", "--bogus")]
    [InlineData("frobnicate")]
    [InlineData("replay", "/nonexistent/trace.json")]
    [InlineData("check", "wt-aio-truncate", "--engine", "magic")]
    public void BadInputExitsTwoWithAMessageAndNoStackTrace(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("modelcheck:", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void MatrixJsonHasTheDocumentedFields()
    {
        var (code, output, _) = Run("matrix", "--json", "--scenario", "wt-aio-truncate");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var row = doc.RootElement.GetProperty("rows")[0];
        foreach (var field in new[] { "scenario", "variant", "engine", "verdict", "invariant", "complete", "states", "seconds", "trace", "expected", "asExpected" })
            Assert.True(row.TryGetProperty(field, out _), field);
    }
}
