namespace ModelCheck.Tests.Systematic;

/// <summary>Progress of a long search when stderr is not a terminal: plain periodic lines, none with --quiet, none on stdout.</summary>
public class ProgressTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) =>
        CliTests.RunWith(new Dictionary<string, string> { ["MODELCHECK_PROGRESS_INTERVAL"] = "0.2" }, args);

    private static readonly string[] LongSearch =
        ["check", "scenarios/bench/bench-spin-c.yaml", "--variant", "BenchFix=on", "--no-por", "--max-states", "600000"];

    [Fact]
    public void ALongSearchPrintsPlainProgressLinesOnStderrOnly()
    {
        var (code, output, err) = Run(LongSearch);
        Assert.Equal(5, code);
        var lines = err.Split('\n').Where(l => l.StartsWith("progress bench-spin-c: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches(@"[\d,]+ distinct states, [\d,]+/s, [\d,]+ queued, depth \d+, [\d,]+ MiB, \d+ s, [\d,]+ transitions$", l));
        Assert.DoesNotContain("progress", output);
    }

    [Fact]
    public void QuietPrintsNoProgress()
    {
        var (code, _, err) = Run([.. LongSearch, "--quiet"]);
        Assert.Equal(5, code);
        Assert.DoesNotContain("progress", err);
        Assert.Contains("--max-states 600000", err);
    }
}
