using System.Text.Json;
using Json.Schema;
using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Systematic;

/// <summary>One result document for every engine, valid against docs/result.schema.json, always with the seed used.</summary>
public class ResultFormatTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Catalog.Locate().Root, "docs", "result.schema.json")));

    [Theory]
    [InlineData("exhaustive")]
    [InlineData("coyote")]
    [InlineData("fscheck")]
    public void EveryEngineWritesTheSameVersionedDocument(string engine)
    {
        string trace = Path.Combine(Path.GetTempPath(), $"mc-result-{Guid.NewGuid():N}.json");
        try
        {
            var (code, output, err) = CliTests.Run("check", "wt-aio-truncate", "--variant", "WtAioDioCount=off", "--engine", engine,
                "--iterations", "300", "--json", "--trace-out", trace);
            Assert.True(code == 1, err);
            using var doc = JsonDocument.Parse(output);
            var r = doc.RootElement;
            var eval = Schema.Evaluate(r);
            Assert.True(eval.IsValid, output);
            Assert.Equal(RunRow.CurrentSchema, r.GetProperty("schema").GetString());
            Assert.Equal(engine, r.GetProperty("engine").GetString());
            Assert.Equal("isize-regression", r.GetProperty("invariant").GetString());
            if (engine == "exhaustive") Assert.Equal(JsonValueKind.Null, r.GetProperty("seed").ValueKind);
            else Assert.True(r.GetProperty("seed").GetUInt64() > 0, "the seed actually used is recorded even when none was given");
        }
        finally
        {
            File.Delete(trace);
            File.Delete(Path.ChangeExtension(trace, ".coyote.json"));
        }
    }

    [Fact]
    public void GenerateAndMergeWriteTheSameDocument()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mc-result-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var files = new List<string>();
            for (int k = 1; k <= 2; k++)
            {
                var (code, output, err) = CliTests.Run("generate", "--profile", "fixed", "--tests", "10", "--seed", "5", "--shard", $"{k}/2",
                    "--json", "-q", "--out", dir);
                Assert.True(code is 0 or 1, err);
                Assert.True(Schema.Evaluate(JsonDocument.Parse(output).RootElement).IsValid, output);
                Assert.Equal("generate", JsonDocument.Parse(output).RootElement.GetProperty("engine").GetString());
                files.Add(Path.Combine(dir, $"g{k}.json"));
                File.WriteAllText(files[^1], output);
            }
            var merged = CliTests.Run(["merge", .. files, "--json"]);
            var r = JsonDocument.Parse(merged.Out).RootElement;
            Assert.True(Schema.Evaluate(r).IsValid, merged.Out);
            // five generated tests per shard (seeds 5 and 6), all clean on the fixed profile
            Assert.Equal(0, merged.Code);
            Assert.Equal("holds", r.GetProperty("verdict").GetString());
            Assert.Equal(10, r.GetProperty("iterations").GetInt64());
            Assert.Equal("1-2/2", r.GetProperty("shard").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
