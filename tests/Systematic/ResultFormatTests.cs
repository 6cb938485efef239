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
}
