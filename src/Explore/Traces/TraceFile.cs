using System.Text.Json;
using System.Text.Json.Serialization;
using ModelCheck.Explore.Exhaustive;
using ModelCheck.Explore.Scenarios;

namespace ModelCheck.Explore.Traces;

public sealed record TraceViolation(string Invariant, string Message);

/// <summary>
/// A self-contained counterexample: the scenario inline, the variant, engine, seed, the
/// scheduling choices and the violation. States are not stored; replay recomputes them.
/// </summary>
public sealed record TraceFile(
    int Schema,
    string Tool,
    string ScenarioId,
    string ScenarioPath,
    string Scenario,
    IReadOnlyDictionary<string, string> Variant,
    string Engine,
    long Seed,
    IReadOnlyList<Choice> Choices,
    TraceViolation? Violation)
{
    public const int CurrentSchema = 1;

    public static string ToolVersion =>
        "modelcheck " + (typeof(TraceFile).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public void Save(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, ToJson() + "\n");
    }

    /// <summary>Coyote's reproducible trace (the sidecar `check --engine coyote` saves): it names Coyote's version and settings.</summary>
    private static bool IsCoyoteSchedule(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("CoyoteVersion", out _) && !doc.RootElement.TryGetProperty("schema", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static TraceFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, 0, "file", e.Message);
        }
        if (IsCoyoteSchedule(text))
        {
            string ours = path.EndsWith(".coyote.json", StringComparison.Ordinal) ? path[..^".coyote.json".Length] + ".json" : "the .json trace saved beside it";
            throw new InputException(path, 0, "file",
                $"this is Coyote's own reproducible schedule, not a ModelCheck trace: replay {ours} (replay runs this schedule under Coyote too)");
        }
        TraceFile? t;
        try
        {
            t = JsonSerializer.Deserialize<TraceFile>(text, Options);
        }
        catch (JsonException e)
        {
            throw new InputException(path, (int)(e.LineNumber ?? -1) + 1, e.Path ?? "json", e.Message);
        }
        if (t is null) throw new InputException(path, 0, "json", "empty trace");
        if (t.Schema != CurrentSchema) throw new InputException(path, 0, "schema", $"schema {t.Schema} is not supported (expected {CurrentSchema})");
        if (string.IsNullOrEmpty(t.Scenario)) throw new InputException(path, 0, "scenario", "missing inline scenario");
        if (t.Choices is null) throw new InputException(path, 0, "choices", "missing choices");
        if (t.Variant is null) throw new InputException(path, 0, "variant", "missing variant");
        return t;
    }
}
