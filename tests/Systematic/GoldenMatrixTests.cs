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

    public static List<GoldenRow> Compute()
    {
        var rows = new List<GoldenRow>();
        foreach (var spec in Catalog.Locate().LoadAll())
            foreach (var expect in spec.Expect)
            {
                var variant = new Variant(expect.Variant);
                var (row, result, _) = Checker.Check(spec, variant);
                rows.Add(new GoldenRow(spec.Id, variant.ToString(), row.Verdict, row.Invariant,
                    result.States, result.Transitions, result.Trace.Count, [.. result.Trace.Select(c => $"{c.Thread}:{c.Function}")], row.Message));
            }
        return rows;
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
        var golden = JsonSerializer.Deserialize<List<GoldenRow>>(File.ReadAllText(GoldenPath), Json)!;
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
