using System.Text.Json;

namespace ModelCheck.Tests.Systematic;

/// <summary>`--shard K/N` and `merge`: shards split the iterations, get disjoint seeds, and merge back into one result.</summary>
public sealed class ShardMergeTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"mc-shards-{Guid.NewGuid():N}");

    public ShardMergeTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Shard(int k, int n, string engine, int iterations)
    {
        var (code, stdout, err) = CliTests.Run("check", "db-redirty", "--variant", "DropbehindRecheck=off", "--engine", engine,
            "--iterations", iterations.ToString(), "--seed", "7", "--shard", $"{k}/{n}", "--json", "-q",
            "--trace-out", Path.Combine(dir, $"{engine}{k}.trace.json"));
        Assert.True(code is 0 or 1, err);
        string file = Path.Combine(dir, $"{engine}{k}.json");
        File.WriteAllText(file, stdout);
        return file;
    }

    [Fact]
    public void ShardsSplitTheIterationsWithDisjointSeedsAndMergeIntoOneVerdictWithTheTrace()
    {
        var files = Enumerable.Range(1, 3).Select(k => Shard(k, 3, "fscheck", 600)).ToList();
        var rows = files.Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement).ToList();
        Assert.Equal([7UL, 8UL, 9UL], rows.Select(r => r.GetProperty("seed").GetUInt64()));
        Assert.Equal(["1/3", "2/3", "3/3"], rows.Select(r => r.GetProperty("shard").GetString()));
        bool anyViolated = rows.Any(r => r.GetProperty("verdict").GetString() == "violated");
        var (code, stdout, err) = CliTests.Run(["merge", .. files, "--out", Path.Combine(dir, "merged"), "--json"]);
        var merged = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("1-3/3", merged.GetProperty("shard").GetString());
        Assert.Equal(rows.Sum(r => r.GetProperty("iterations").GetInt64()), merged.GetProperty("iterations").GetInt64());
        Assert.True(anyViolated, "600 FsCheck schedules find the pre-fix dropbehind race in at least one shard");
        Assert.Equal(1, code);
        Assert.Equal("folio-flags", merged.GetProperty("invariant").GetString());
        // the merged trace was copied and replays to the same violation
        string trace = merged.GetProperty("trace").GetString()!;
        Assert.StartsWith(Path.Combine(dir, "merged"), trace);
        var (replayCode, replayOut, _) = CliTests.Run("replay", trace);
        Assert.Equal(1, replayCode);
        Assert.Contains("folio-flags", replayOut);
        Assert.Empty(err);
    }

    [Fact]
    public void HoldingShardsMergeToHoldsAndAMissingOrDuplicatedShardIsBadInput()
    {
        var one = Shard(1, 2, "coyote", 20);
        var two = Shard(2, 2, "coyote", 21);
        Assert.Equal(10, JsonDocument.Parse(File.ReadAllText(one)).RootElement.GetProperty("iterations").GetInt32());
        // ten Coyote iterations per shard (seeds 7 and 8) do not reach the race: the shards hold
        var (code, stdout, _) = CliTests.Run("merge", one, two, "--json");
        Assert.Equal(0, code);
        Assert.Equal("holds", JsonDocument.Parse(stdout).RootElement.GetProperty("verdict").GetString());
        Assert.Equal(20, JsonDocument.Parse(stdout).RootElement.GetProperty("iterations").GetInt64());
        var missing = CliTests.Run("merge", one);
        Assert.Equal(2, missing.Code);
        Assert.Contains("shard 2/2 missing", missing.Err);
        var twice = CliTests.Run("merge", one, one, two);
        Assert.Equal(2, twice.Code);
        Assert.Contains("shard 1/2 is also in", twice.Err);
    }

    [Theory]
    [InlineData("3/2", "is not K/N")]
    [InlineData("0/2", "is not K/N")]
    [InlineData("x", "is not K/N")]
    public void AMalformedShardIsBadInput(string shard, string message)
    {
        var (code, _, err) = CliTests.Run("check", "db-redirty", "--variant", "DropbehindRecheck=off", "--engine", "coyote", "--seed", "1", "--shard", shard);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void ShardingNeedsASeedAndARandomEngine()
    {
        var noSeed = CliTests.Run("check", "db-redirty", "--variant", "DropbehindRecheck=off", "--engine", "coyote", "--shard", "1/2");
        Assert.Equal(2, noSeed.Code);
        Assert.Contains("needs --seed", noSeed.Err);
        var exhaustive = CliTests.Run("check", "db-redirty", "--variant", "DropbehindRecheck=off", "--seed", "1", "--shard", "1/2");
        Assert.Equal(2, exhaustive.Code);
        Assert.Contains("the exhaustive search is one job", exhaustive.Err);
    }
}
