using System.Text.Json;
using System.Xml.Linq;

namespace ModelCheck.Tests.Systematic;

/// <summary>`matrix` and `check FILE` as CI uses them: selection by id, glob and file; JUnit, SARIF and Markdown reports; exit codes.</summary>
public sealed class MatrixReportTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"mc-matrix-{Guid.NewGuid():N}");

    public MatrixReportTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>wt-aio-truncate with one expect line wrong on purpose (line 13 of the file).</summary>
    private string WrongExpectFile()
    {
        string path = Path.Combine(dir, "mine.yaml");
        File.WriteAllText(path, """
            id: mine
            file: {block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K,
                   extents: [{offset: 0, length: 4K, type: written}]}
            threads:
              - name: writer
                ops: [{op: aio-writethrough, offset: 4K, length: 4K}]
              - name: truncate
                ops: [{op: truncate, size: 0}]
            actors: {device: irq}
            invariants: [isize-regression, stale-data, lost-write, folio-flags]
            expect:
              - WtAioDioCount=on holds
              - WtAioDioCount=off holds
            """);
        return path;
    }

    [Fact]
    public void AGlobSelectsItsRowsAndTheReportsAgree()
    {
        string junit = Path.Combine(dir, "out", "junit.xml"), sarif = Path.Combine(dir, "s.sarif"), md = Path.Combine(dir, "m.md");
        var (code, output, err) = CliTests.Run("matrix", "wt-aio-*", "--junit", junit, "--sarif", sarif, "--markdown", md);
        Assert.True(code == 0, err);
        Assert.Contains("8 of 8 rows as expected", output);
        var x = XDocument.Load(junit);
        var cases = x.Descendants("testcase").ToList();
        Assert.Equal(8, cases.Count);
        Assert.All(cases, c => Assert.StartsWith("wt-aio-", (string?)c.Attribute("name")));
        Assert.Contains(cases, c => ((string?)c.Attribute("name"))!.Contains("[WtAioDioCount=off] violates isize-regression"));
        Assert.Empty(x.Descendants("failure"));
        using var s = JsonDocument.Parse(File.ReadAllText(sarif));
        Assert.Equal("2.1.0", s.RootElement.GetProperty("version").GetString());
        Assert.Equal(0, s.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength());
        Assert.Contains("**8 of 8 rows as expected.**", File.ReadAllText(md));
    }

    [Fact]
    public void AWrongExpectLineFailsEverywhereAndPointsAtItsLine()
    {
        string file = WrongExpectFile(), junit = Path.Combine(dir, "j.xml"), sarif = Path.Combine(dir, "s.sarif");
        var (code, output, _) = CliTests.Run("matrix", file, "--junit", junit, "--sarif", sarif);
        Assert.Equal(1, code);
        Assert.Contains("1 of 2 rows as expected", output);
        var failure = Assert.Single(XDocument.Load(junit).Descendants("failure"));
        Assert.Contains("expected holds, got violated isize-regression", (string?)failure.Attribute("message"));
        using var s = JsonDocument.Parse(File.ReadAllText(sarif));
        var result = s.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Single();
        Assert.Equal("isize-regression", result.GetProperty("ruleId").GetString());
        var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal(13, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.EndsWith("mine.yaml", location.GetProperty("artifactLocation").GetProperty("uri").GetString());

        var (checkCode, checkOut, _) = CliTests.Run("check", file);
        Assert.Equal(1, checkCode);
        Assert.Contains("1 of 2 expect lines as expected", checkOut);
        var (oneCode, _, _) = CliTests.Run("check", file, "--variant", "WtAioDioCount=on");
        Assert.Equal(0, oneCode);
    }

    [Theory]
    [InlineData("wt-nothing-*")]
    [InlineData("no-such-id")]
    public void ANameThatSelectsNothingIsBadInput(string name)
    {
        var (code, _, err) = CliTests.Run("matrix", name);
        Assert.Equal(2, code);
        Assert.Contains(name, err);
    }

    [Fact]
    public void AnUnwritableReportIsBadInput()
    {
        string blocker = Path.Combine(dir, "file");
        File.WriteAllText(blocker, "");
        var (code, _, err) = CliTests.Run("matrix", "wt-aio-truncate", "--junit", Path.Combine(blocker, "junit.xml"));
        Assert.Equal(2, code);
        Assert.Contains("--junit", err);
    }
}

/// <summary>`replay` given Coyote's own schedule file says which file to replay.</summary>
public class CoyoteSidecarReplayTests
{
    [Fact]
    public void ReplayingCoyotesScheduleNamesTheTraceToReplay()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mc-sidecar-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string sidecar = Path.Combine(dir, "x.coyote.json");
            File.WriteAllText(sidecar, """{"TestName": "", "CoyoteVersion": "1.7.11.0", "Settings": {"Strategy": "random"}}""");
            var (code, _, err) = CliTests.Run("replay", sidecar);
            Assert.Equal(2, code);
            Assert.Contains("Coyote's own reproducible schedule", err);
            Assert.Contains($"replay {Path.Combine(dir, "x.json")}", err);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
