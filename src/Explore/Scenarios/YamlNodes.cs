using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace ModelCheck.Explore.Scenarios;

/// <summary>Typed access to a YAML mapping that reports the file, line and field of every error.</summary>
public sealed class YamlNodes(string file)
{
    public string File { get; } = file;

    public InputException Error(YamlNode? node, string field, string message) =>
        new(File, node is null ? 0 : (int)node.Start.Line, field, message);

    public YamlMappingNode Map(YamlNode node, string field) =>
        node as YamlMappingNode ?? throw Error(node, field, "expected a mapping");

    public YamlSequenceNode Seq(YamlNode node, string field) =>
        node as YamlSequenceNode ?? throw Error(node, field, "expected a list");

    public string Scalar(YamlNode node, string field) =>
        node is YamlScalarNode { Value: { } v } ? v : throw Error(node, field, "expected a value");

    public void OnlyKeys(YamlMappingNode map, string field, params string[] allowed)
    {
        foreach (var key in map.Children.Keys)
        {
            string k = Scalar(key, field);
            if (!allowed.Contains(k))
                throw Error(key, $"{field}.{k}".TrimStart('.'), $"unknown field (allowed: {string.Join(", ", allowed)})");
        }
    }

    public YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    public YamlNode Require(YamlMappingNode map, string key, string field) =>
        Get(map, key) ?? throw Error(map, field + key, "missing required field");

    public string Str(YamlMappingNode map, string key, string field, string? dflt = null)
    {
        var n = Get(map, key);
        if (n is null) return dflt ?? throw Error(map, field + key, "missing required field");
        return Scalar(n, field + key);
    }

    public int Int(YamlMappingNode map, string key, string field, int dflt)
    {
        var n = Get(map, key);
        if (n is null) return dflt;
        string v = Scalar(n, field + key);
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) && r >= 0
            ? r : throw Error(n, field + key, $"'{v}' is not a non-negative integer");
    }

    public bool Bool(YamlMappingNode map, string key, string field, bool dflt)
    {
        var n = Get(map, key);
        if (n is null) return dflt;
        return Scalar(n, field + key) switch
        {
            "true" or "yes" => true,
            "false" or "no" => false,
            var v => throw Error(n, field + key, $"'{v}' is not true or false"),
        };
    }

    /// <summary>The largest size a scenario may name (offsets, lengths, sizes): 64 MiB.</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>An integer field within [min, max].</summary>
    public int IntIn(YamlMappingNode map, string key, string field, int dflt, int min, int max)
    {
        int v = Int(map, key, field, dflt);
        if (v < min || v > max) throw Error(Get(map, key) ?? map, field + key, $"{v} is not within {min}..{max}");
        return v;
    }

    /// <summary>A byte size: 4096, 4K, 1M.</summary>
    public long Size(YamlMappingNode map, string key, string field, long? dflt = null)
    {
        var n = Get(map, key);
        if (n is null) return dflt ?? throw Error(map, field + key, "missing required field");
        return ParseSize(Scalar(n, field + key), out long bytes) is { } problem ? throw Error(n, field + key, problem) : bytes;
    }

    /// <summary>A byte size (4096, 4K, 1M, at most <see cref="MaxBytes"/>): null and the bytes, or why the text is not one.</summary>
    public static string? ParseSize(string text, out long bytes)
    {
        bytes = 0;
        string v = text.Trim();
        long mult = 1;
        if (v.EndsWith('K') || v.EndsWith('k')) { mult = 1024; v = v[..^1]; }
        else if (v.EndsWith('M') || v.EndsWith('m')) { mult = 1 << 20; v = v[..^1]; }
        if (!long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long r))
            return $"'{ScenarioValidator.Show(text)}' is not a size (e.g. 4096, 4K, 1M)";
        // checked before any arithmetic: a model file is small, and larger values would wrap
        if (r > MaxBytes / mult) return $"'{ScenarioValidator.Show(text)}' is larger than {MaxBytes >> 20}M";
        bytes = r * mult;
        return null;
    }
}
