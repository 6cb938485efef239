using System.Text.Json;
using System.Text.Json.Serialization;
using ModelCheck.Explore.Engines.Exhaustive;
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

    /// <summary>The one constructor every engine uses: a trace of a violation of spec under variant.</summary>
    public static TraceFile Of(Model.Scenario.ScenarioSpec spec, Model.Variants.Variant variant, string engine, long seed,
        IReadOnlyList<Choice> choices, Invariants.Violation violation, string? scenarioText = null, string? scenarioPath = null) =>
        new(CurrentSchema, ToolVersion, spec.Id, scenarioPath ?? PortablePath(spec.SourcePath), scenarioText ?? spec.SourceText,
            variant.Explicit, engine, seed, choices, new TraceViolation(violation.Invariant, violation.Message));

    /// <summary>The scenario path from its scenarios/ directory on, so traces do not carry machine paths.</summary>
    public static string PortablePath(string path)
    {
        string p = path.Replace('\\', '/');
        int i = p.LastIndexOf("/scenarios/", StringComparison.Ordinal);
        return i >= 0 ? p[(i + 1)..] : Path.GetFileName(p);
    }

    /// <summary>
    /// SHA-256 of what the trace claims (scenario id and text, variant, engine, seed, choices,
    /// violation), written by <see cref="Save"/> and checked by <see cref="Load"/>: a trace edited by
    /// hand, or by anything but modelcheck, is reported instead of replayed.
    /// </summary>
    [JsonPropertyName("digest")]
    public string? Digest { get; init; }

    public string ComputeDigest()
    {
        var sb = new System.Text.StringBuilder();
        void Field(string name, string? value) => sb.Append(name).Append('\u001f').Append(value?.Length ?? -1).Append(':').Append(value).Append('\u001e');
        Field("schema", Schema.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field("scenarioId", ScenarioId);
        Field("scenario", Scenario);
        foreach (var (k, v) in (Variant ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal)) Field("variant." + k, v);
        Field("engine", Engine);
        Field("seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var c in Choices ?? []) Field("choice", c is null ? null : $"{c.Thread}\u001d{c.Alt}\u001d{c.Function}");
        Field("violation.invariant", Violation?.Invariant);
        Field("violation.message", Violation?.Message);
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sb.ToString())));
    }

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
        File.WriteAllText(path, (this with { Digest = ComputeDigest() }).ToJson() + "\n");
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

    /// <summary>The line of a field's first appearance in the JSON text (1 when it is absent), for messages.</summary>
    private static int LineOf(string text, string field)
    {
        int at = text.IndexOf($"\"{field}\"", StringComparison.Ordinal);
        return at < 0 ? 1 : 1 + text.AsSpan(0, at).Count('\n');
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
            throw new InputException(path, 1, "file",
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
        if (t is null) throw new InputException(path, LineOf(text, "json"), "json", "empty trace");
        if (t.Schema != CurrentSchema) throw new InputException(path, LineOf(text, "schema"), "schema", $"schema {t.Schema} is not supported (expected {CurrentSchema})");
        if (string.IsNullOrEmpty(t.Scenario)) throw new InputException(path, LineOf(text, "scenario"), "scenario", "missing inline scenario");
        if (t.Choices is null) throw new InputException(path, LineOf(text, "choices"), "choices", "missing choices");
        if (t.Variant is null) throw new InputException(path, LineOf(text, "variant"), "variant", "missing variant");
        if (t.Choices.Any(c => c is null || c.Thread is null || c.Function is null))
            throw new InputException(path, LineOf(text, "choices"), "choices", "a choice needs thread, alt and function");
        if (t.Digest is null)
            throw new InputException(path, LineOf(text, "digest"), "digest", "the trace has no digest: it was not written by this modelcheck (re-run check to get one)");
        if (t.Digest != t.ComputeDigest())
            throw new InputException(path, LineOf(text, "digest"), "digest", "the trace was edited after modelcheck wrote it: its digest does not match its contents");
        return t;
    }
}
