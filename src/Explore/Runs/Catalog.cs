using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Scenario;

namespace ModelCheck.Explore.Runs;

/// <summary>The scenario catalog: every scenarios/**/*.yaml under the repository root.</summary>
public sealed class Catalog(string root)
{
    public string Root { get; } = root;
    public string ScenarioDir => Path.Combine(Root, "scenarios");
    public string TraceDir => Path.Combine(Root, "traces");

    /// <summary>
    /// MODELCHECK_ROOT (a directory with scenarios/ of one's own), else the repository above the
    /// current directory (or the binary), else the catalog an installed tool carries beside its
    /// binary (catalog/scenarios, catalog/traces).
    /// </summary>
    public static Catalog Locate()
    {
        var env = Environment.GetEnvironmentVariable("MODELCHECK_ROOT");
        if (!string.IsNullOrEmpty(env)) return new Catalog(env);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (Directory.Exists(Path.Combine(d.FullName, "scenarios")) && File.Exists(Path.Combine(d.FullName, "ModelCheck.sln")))
                    return new Catalog(d.FullName);
        string carried = Path.Combine(AppContext.BaseDirectory, "catalog");
        if (Directory.Exists(Path.Combine(carried, "scenarios"))) return new Catalog(carried);
        return new Catalog(Directory.GetCurrentDirectory());
    }

    /// <summary>The catalog's scenario files; scenarios/bench/ (the SPIN comparison, minutes each) is run by bench/ only.</summary>
    public IReadOnlyList<string> Files() =>
        Directory.Exists(ScenarioDir)
            ? [.. Directory.GetFiles(ScenarioDir, "*.yaml", SearchOption.AllDirectories)
                .Where(f => !f.Replace('\\', '/').Contains("/scenarios/bench/", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal)]
            : [];

    public IReadOnlyList<ScenarioSpec> LoadAll() => [.. Files().Select(ScenarioLoader.LoadFile).OrderBy(s => s.Id, StringComparer.Ordinal)];

    /// <summary>A path to a YAML file, or a catalog id.</summary>
    public ScenarioSpec Resolve(string idOrPath)
    {
        if (File.Exists(idOrPath) || idOrPath.EndsWith(".yaml", StringComparison.Ordinal) || idOrPath.EndsWith(".yml", StringComparison.Ordinal))
            return ScenarioLoader.LoadFile(idOrPath);
        foreach (var f in Files())
        {
            var spec = ScenarioLoader.LoadFile(f);
            if (spec.Id == idOrPath) return spec;
        }
        throw new InputException(idOrPath, 0, "scenario", $"no scenario file and no catalog scenario with id '{idOrPath}' (see 'modelcheck list')");
    }

    public string TracePath(string id, string variant) => Path.Combine(TraceDir, TraceFileName(id, variant));

    /// <summary>
    /// "id.variant.json"; a variant too long for a file name (a generated scenario's expect line
    /// sets every switch) keeps its first 80 characters and a hash of the whole.
    /// </summary>
    public static string TraceFileName(string id, string variant)
    {
        string name = $"{id}.{variant}.json";
        if (System.Text.Encoding.UTF8.GetByteCount(name) <= 200) return name;
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(variant)))[..12];
        return $"{id}.{variant[..Math.Min(80, variant.Length)]}-{hash}.json";
    }
}
