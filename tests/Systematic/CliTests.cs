using System.Diagnostics;
using System.Text.Json;
using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Systematic;

/// <summary>The command line as a user runs it: exit codes, JSON shapes, error messages.</summary>
public class CliTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args) => RunWith(new Dictionary<string, string>(), args);

    /// <summary>The command line with extra environment variables.</summary>
    internal static (int Code, string Out, string Err) RunWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "modelcheck.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Catalog.Locate().Root };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
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
    public void TwoWorkersFindTheSameTraceAsOne()
    {
        string t1 = Path.Combine(Path.GetTempPath(), $"mc-w1-{Guid.NewGuid():N}.json"), t2 = Path.Combine(Path.GetTempPath(), $"mc-w2-{Guid.NewGuid():N}.json");
        var (code1, out1, _) = Run("check", "wt-aio-truncate", "--variant", "WtAioDioCount=off", "--json", "--trace-out", t1);
        var (code2, out2, _) = Run("check", "wt-aio-truncate", "--variant", "WtAioDioCount=off", "--json", "--workers", "2", "--trace-out", t2);
        Assert.Equal(File.ReadAllText(t1), File.ReadAllText(t2));
        File.Delete(t1);
        File.Delete(t2);
        Assert.Equal(1, code1);
        Assert.Equal(1, code2);
        using var a = JsonDocument.Parse(out1);
        using var b = JsonDocument.Parse(out2);
        foreach (var field in new[] { "states", "transitions", "traceLength", "message" })
            Assert.Equal(a.RootElement.GetProperty(field).ToString(), b.RootElement.GetProperty(field).ToString());
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
    [InlineData("check", "wt-aio-truncate", "--workers", "0")]
    [InlineData("check", "wt-aio-truncate", "--frontier-mb", "0")]
    [InlineData("check", "wt-aio-truncate", "--frontier-mb", "lots")]
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

    [Theory]
    [InlineData("conform", "--fs", "zfs")]
    [InlineData("conform", "--block-size", "3K")]
    [InlineData("conform", "--sequence", "fallocate(0K,1K)")]
    [InlineData("conform", "--sequence", "truncate(9K)")]
    [InlineData("conform", "--compare", "colour")]
    [InlineData("conform", "--tests", "0")]
    public void ConformBadInputIsExitTwo(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("bad input", err);
    }

    [Fact]
    public void AnUnknownMatrixScenarioIsBadInput()
    {
        var (code, _, err) = Run("matrix", "--scenario", "no-such-row");
        Assert.Equal(2, code);
        Assert.Contains("no catalog scenario has the id 'no-such-row'", err);
    }

    [Fact]
    public void ASearchStoppedByABoundHasItsOwnExitCode()
    {
        var (code, _, err) = Run("check", "base-write-truncate", "--max-states", "10");
        Assert.Equal(5, code);
        Assert.Contains("--max-states 10", err);
    }
    [Theory]
    [InlineData("generate", "--fs", "btrfs")]
    [InlineData("generate", "--fs", "ext4", "--ops", "writethrough")]
    public void GenerateBadFileSystemInputIsExitTwo(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("bad input", err);
    }

    [Fact]
    public void GenerateRunsOnTheExt4Flavour()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mc-gen-ext4-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, err) = Run("generate", "--fs", "ext4", "--profile", "fixed", "--tests", "200", "--seed", "46",
                "--ops", "buffered-write,dio-write,truncate,punch-hole,zero-range,collapse-range,buffered-read,fsync", "--json", "-q", "--out", dir);
            Assert.True(code == 0, err + output);
            Assert.Equal("holds", System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("verdict").GetString());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
