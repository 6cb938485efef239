using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// The scenario format declared once: the loader reports every problem of a file with its line,
/// and the JSON Schema generated from the same declaration accepts every catalog file and
/// rejects what the loader rejects.
/// </summary>
public class ScenarioFormatTests
{
    private const string Good = """
        id: t
        file: {block_size: 4K, folio_size: 4K, max_size: 8K, size: 0,
               extents: [{offset: 0, length: 4K, type: written, data: Stale}]}
        threads:
          - name: w
            ops:
              - {op: buffered-write, offset: 0, length: 4K}
              - {op: truncate, size: 0}
              - {op: fsync, may_block: true}
        actors: {flusher: 1, device: task}
        expect:
          - default holds
        """;

    private static readonly JsonSchema Schema = JsonSchema.FromText(ScenarioSchema.Render());

    /// <summary>YAML as a YAML language server sees it: plain scalars that read as numbers or booleans are those.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var v } when long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long n) => JsonValue.Create(n),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode sc => JsonValue.Create(sc.Value),
        _ => null,
    };

    private static bool SchemaAccepts(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var json = JsonDocument.Parse(ToJson(stream.Documents[0].RootNode)!.ToJsonString()).RootElement;
        return Schema.Evaluate(json).IsValid;
    }

    [Fact]
    public void EveryOperationIsDeclaredWithItsKernelPath()
    {
        Assert.True(ScenarioFormat.CoversEveryOperation());
        Assert.All(ScenarioFormat.Operations, o => Assert.False(string.IsNullOrWhiteSpace(o.KernelPath)));
    }

    [Fact]
    public void TheSchemaAcceptsEveryCatalogScenario()
    {
        var files = Directory.GetFiles(Catalog.Locate().ScenarioDir, "*.yaml", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(SchemaAccepts(File.ReadAllText(f)), f));
        Assert.True(SchemaAccepts(Good));
    }

    [Theory]
    [InlineData("{op: fsync, may_block: true}", "{op: fsync, offset: 0}", 9, "threads[].ops[].offset", "fsync does not take this field")]
    [InlineData("{op: truncate, size: 0}", "{op: truncate, size: 0, length: 4K}", 8, "threads[].ops[].length", "truncate does not take this field")]
    [InlineData("{op: buffered-write, offset: 0, length: 4K}", "{op: buffered-write, offset: 0, length: 4K, size: 4K}", 7, "threads[].ops[].size", "buffered-write does not take")]
    [InlineData("{op: buffered-write, offset: 0, length: 4K}", "{op: buffered-write, offset: 0}", 7, "threads[].ops[].length", "missing required field")]
    [InlineData("type: written, data: Stale", "type: unwritten, data: Stale", 3, "file.extents[].data", "only a written extent holds data")]
    [InlineData("actors: {flusher: 1, device: task}", "actors: {flusher: 1, device: softirq}", 10, "actors.device", "is not one of irq, task")]
    [InlineData("actors: {flusher: 1, device: task}", "actors: {flusher: one}", 10, "actors.flusher", "not an integer")]
    [InlineData("{op: fsync, may_block: true}", "{op: fsync, may_block: maybe}", 9, "threads[].ops[].may_block", "not true or false")]
    public void EachMisuseIsNamedWithItsLineAndTheSchemaRejectsItToo(string from, string to, int line, string field, string message)
    {
        string bad = Good.Replace(from, to);
        Assert.NotEqual(Good, bad);
        var e = Assert.Throws<InputException>(() => ScenarioLoader.Parse(bad, "bad.yaml"));
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.Contains(message, e.Message);
        if (field != "file.extents[].data") Assert.False(SchemaAccepts(bad), "the schema accepts what the loader rejects");
    }

    [Fact]
    public void OverlappingExtentsAndCachedRangesAreErrors()
    {
        string extents = Good.Replace("extents: [{offset: 0, length: 4K, type: written, data: Stale}]",
            "extents: [{offset: 0, length: 8K, type: written}, {offset: 4K, length: 4K, type: unwritten}]");
        var e = Assert.Throws<InputException>(() => ScenarioLoader.Parse(extents, "x.yaml"));
        Assert.Contains("overlaps the extent 0+8192", e.Message);
        string cached = Good.Replace("size: 0,\n", "size: 0, cached: [{offset: 0, length: 8K}, {offset: 4K, length: 4K}],\n");
        Assert.NotEqual(Good, cached);
        var c = Assert.Throws<InputException>(() => ScenarioLoader.Parse(cached, "x.yaml"));
        Assert.Equal("file.cached[]", c.Field);
    }

    [Fact]
    public void AllProblemsOfAFileAreReportedInFileOrder()
    {
        string bad = Good
            .Replace("type: written, data: Stale", "type: writen")
            .Replace("{op: fsync, may_block: true}", "{op: fsync, offset: 0}")
            .Replace("{op: truncate, size: 0}", "{op: truncat, size: 0}")
            .Replace("actors: {flusher: 1, device: task}", "actors: {flusher: 99}")
            .Replace("  - default holds", "  - default hold");
        var e = Assert.Throws<InputException>(() => ScenarioLoader.Parse(bad, "bad.yaml"));
        Assert.Equal([3, 8, 9, 10, 12], e.Problems.Select(p => p.Line));
        Assert.Equal(5, e.Message.Split('\n').Length);
        Assert.All(e.Message.Split('\n'), l => Assert.StartsWith("bad.yaml:", l));
    }
}
