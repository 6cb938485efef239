using System.Text.RegularExpressions;
using Snapshooter.Xunit;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The text a user reads from `list`, `check`, `replay` and `matrix`, pinned as snapshots (strict in
/// CI: a missing snapshot fails). Timings and memory figures, which vary run to run, are masked.
/// </summary>
public partial class TextOutputSnapshotTests
{
    [GeneratedRegex(@"(seconds: |states/s: |peak bytes/state: )[\d.,]+")]
    private static partial Regex CheckFigures();

    [GeneratedRegex(@" +[\d.]+s( complete)?$", RegexOptions.Multiline)]
    private static partial Regex MatrixSeconds();

    private static string[] Lines(string text) => text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');

    [Fact]
    public void List()
    {
        var (code, output, _) = CliTests.Run("list");
        Assert.Equal(0, code);
        Snapshot.Match(Lines(output));
    }

    [Fact]
    public void CheckOneVariantThatViolates()
    {
        string trace = Path.Combine(Path.GetTempPath(), $"mc-snap-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, _) = CliTests.Run("check", "wt-partial-folio", "--variant", "WtDirtyClear=whole-folio", "--trace-out", trace, "--width", "80");
            Assert.Equal(1, code);
            Snapshot.Match(Lines(CheckFigures().Replace(output.Replace(trace, "TRACE"), "$1#")));
        }
        finally
        {
            File.Delete(trace);
        }
    }

    [Fact]
    public void CheckTheExpectLines()
    {
        var (code, output, _) = CliTests.Run("check", "db-redirty");
        Assert.Equal(0, code);
        Snapshot.Match(Lines(MatrixSeconds().Replace(output, " #s$1")));
    }

    [Fact]
    public void Replay()
    {
        var (code, output, _) = CliTests.Run("replay", "traces/db-redirty.DropbehindRecheck=off.json", "--width", "80");
        Assert.Equal(1, code);
        Snapshot.Match(Lines(output));
    }

    [Fact]
    public void Matrix()
    {
        var (code, output, _) = CliTests.Run("matrix", "fuse-*");
        Assert.Equal(0, code);
        Snapshot.Match(Lines(MatrixSeconds().Replace(output, " #s$1")));
    }
}
