using System.Text.Json;
using ModelCheck.Explore.Runs;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The golden file: per catalog row (scenario x expect line) the verdict, the violated invariant,
/// states, transitions, trace length, the trace's step names and the violation's message (for the
/// liveness invariants, the wait-for chain), pinned in tests/Golden/matrix.json.
/// A refactoring that is meant to preserve behaviour must leave it unchanged; a change to the model
/// regenerates it on purpose (MC_GOLDEN_WRITE=1 dotnet test --filter GoldenMatrix) and says why.
/// </summary>
public class GoldenMatrixTests
{
    public sealed record GoldenRow(
        string Scenario, string Variant, string Verdict, string? Invariant,
        long States, long Transitions, int TraceLength, IReadOnlyList<string> Steps, string? Message = null);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string GoldenPath => Path.Combine(Catalog.Locate().Root, "tests", "Golden", "matrix.json");

    public static List<GoldenRow> Compute() =>
        [.. Catalog.Locate().LoadAll().SelectMany(spec => spec.Expect.Select(expect => Row(spec, new Variant(expect.Variant))))];

    private static GoldenRow Row(Model.Scenario.ScenarioSpec spec, Variant variant)
    {
        var (row, result, _) = Checker.Check(spec, variant);
        return new GoldenRow(spec.Id, variant.ToString(), row.Verdict, row.Invariant,
            result.States, result.Transitions, result.Trace.Count, [.. result.Trace.Select(c => $"{c.Thread}:{c.Function}")], row.Message);
    }

    private static readonly Lazy<Dictionary<string, Model.Scenario.ScenarioSpec>> Specs =
        new(() => Catalog.Locate().LoadAll().ToDictionary(s => s.Id));

    /// <summary>The golden file's rows, read once for all the row cases.</summary>
    private static readonly Lazy<Dictionary<(string, string), GoldenRow>> GoldenByRow =
        new(() => Golden().ToDictionary(r => (r.Scenario, r.Variant)));

    private static List<GoldenRow> Golden() =>
        JsonSerializer.Deserialize<List<GoldenRow>>(File.ReadAllText(GoldenPath), Json)!;

    /// <summary>The golden file's rows by scenario and variant (each a test case of its own).</summary>
    public static TheoryData<string, string> GoldenRows()
    {
        var data = new TheoryData<string, string>();
        foreach (var g in Golden()) data.Add(g.Scenario, g.Variant);
        return data;
    }

    /// <summary>
    /// One row against the golden file, so that a mutation run (bench/mutation) runs only the rows
    /// whose search reaches the mutated code, not the whole catalog for every mutant.
    /// </summary>
    [Theory]
    [MemberData(nameof(GoldenRows))]
    public void EachRowMatchesTheGoldenFile(string scenario, string variant)
    {
        var g = GoldenByRow.Value[(scenario, variant)];
        var spec = Specs.Value[scenario];
        var r = Row(spec, spec.Expect.Select(e => new Variant(e.Variant)).Single(v => v.ToString() == variant));
        Assert.Equal(g with { Steps = [] }, r with { Steps = [] });
        Assert.Equal(g.Steps, r.Steps);
    }

    [Fact]
    public void TheMatrixMatchesTheGoldenFile()
    {
        var now = Compute();
        string text = JsonSerializer.Serialize(now, Json) + "\n";
        if (Environment.GetEnvironmentVariable("MC_GOLDEN_WRITE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(GoldenPath)!);
            File.WriteAllText(GoldenPath, text);
            return;
        }
        Assert.True(File.Exists(GoldenPath), $"missing {GoldenPath}: regenerate with MC_GOLDEN_WRITE=1");
        var golden = Golden();
        var diffs = new List<string>();
        var byKey = golden.ToDictionary(g => (g.Scenario, g.Variant));
        foreach (var r in now)
        {
            if (!byKey.Remove((r.Scenario, r.Variant), out var g)) { diffs.Add($"new row {r.Scenario} [{r.Variant}]"); continue; }
            if (g.Verdict != r.Verdict || g.Invariant != r.Invariant) diffs.Add($"{r.Scenario} [{r.Variant}]: verdict {g.Verdict} {g.Invariant} -> {r.Verdict} {r.Invariant}");
            if (g.States != r.States || g.Transitions != r.Transitions) diffs.Add($"{r.Scenario} [{r.Variant}]: states {g.States}/{g.Transitions} -> {r.States}/{r.Transitions}");
            if (g.Message != r.Message) diffs.Add($"{r.Scenario} [{r.Variant}]: message \"{g.Message}\" -> \"{r.Message}\"");
            if (!g.Steps.SequenceEqual(r.Steps)) diffs.Add($"{r.Scenario} [{r.Variant}]: trace of {g.TraceLength} steps -> {r.TraceLength} steps, or other steps");
        }
        diffs.AddRange(byKey.Keys.Select(k => $"row gone: {k.Scenario} [{k.Variant}]"));
        Assert.True(diffs.Count == 0, "the catalog no longer matches tests/Golden/matrix.json:\n" + string.Join("\n", diffs));
    }
}
