using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace ModelCheck.Explore.Scenarios;

/// <summary>One problem in an input file: line (1-based, 0 if unknown), field path, message.</summary>
public sealed record InputProblem(int Line, string Field, string Message);

/// <summary>
/// The loader's first pass: walks a scenario's YAML tree against <see cref="ScenarioFormat"/> and
/// collects every problem (unknown or missing fields, wrong types, values out of range, fields an
/// operation does not take), so a file's problems are all reported in one run, in file order.
/// </summary>
public static class ScenarioValidator
{
    public static List<InputProblem> Validate(YamlNode root)
    {
        var problems = new List<InputProblem>();
        Check(root, ScenarioFormat.Root, "", problems);
        return problems.OrderBy(p => p.Line).ToList();
    }

    private static int LineOf(YamlNode n) => (int)n.Start.Line;

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static void Check(YamlNode node, FieldType type, string path, List<InputProblem> problems)
    {
        string field = path.Length == 0 ? "scenario" : path;
        switch (type)
        {
            case MapType m:
                if (node is not YamlMappingNode map) { problems.Add(new(LineOf(node), field, "expected a mapping")); return; }
                CheckFields(map, m.Fields, path, problems, null);
                break;
            case TaggedMapType t:
                if (node is not YamlMappingNode tmap) { problems.Add(new(LineOf(node), field, "expected a mapping")); return; }
                CheckTagged(tmap, t, path, problems);
                break;
            case SeqType s:
                if (node is not YamlSequenceNode seq) { problems.Add(new(LineOf(node), field, "expected a list")); return; }
                if (seq.Children.Count < s.MinItems) problems.Add(new(LineOf(node), field, $"needs at least {s.MinItems} item{(s.MinItems == 1 ? "" : "s")}"));
                foreach (var item in seq.Children) Check(item, s.Item, path + "[]", problems);
                break;
            default:
                if (node is not YamlScalarNode { Value: { } v }) { problems.Add(new(LineOf(node), field, "expected a value")); return; }
                if (ScalarProblem(v, type) is { } why) problems.Add(new(LineOf(node), field, why));
                break;
        }
    }

    private static void CheckFields(YamlMappingNode map, IReadOnlyList<Field> fields, string path, List<InputProblem> problems, string? takenBy)
    {
        var seen = new HashSet<string>();
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { } key }) { problems.Add(new(LineOf(k), path, "a key must be a plain name")); continue; }
            if (!seen.Add(key)) { problems.Add(new(LineOf(k), Join(path, key), "duplicate field")); continue; }
            var f = fields.FirstOrDefault(x => x.Name == key);
            if (f is null)
            {
                string allowed = string.Join(", ", fields.Select(x => x.Name));
                problems.Add(new(LineOf(k), Join(path, key), takenBy is null ? $"unknown field (allowed: {allowed})" : $"{takenBy} does not take this field (it takes: {allowed})"));
                continue;
            }
            Check(v, f.Type, Join(path, key), problems);
        }
        foreach (var f in fields.Where(f => f.Required && !seen.Contains(f.Name)))
            problems.Add(new(LineOf(map), Join(path, f.Name), "missing required field"));
    }

    private static void CheckTagged(YamlMappingNode map, TaggedMapType t, string path, List<InputProblem> problems)
    {
        var keyNode = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: var k } && k == t.Key).Value;
        if (keyNode is null) { problems.Add(new(LineOf(map), Join(path, t.Key), "missing required field")); return; }
        string name = keyNode is YamlScalarNode { Value: { } v } ? v : "";
        var shape = t.Shapes.FirstOrDefault(s => s.Name == name);
        if (shape is null)
        {
            problems.Add(new(LineOf(keyNode), Join(path, t.Key), $"unknown operation '{Show(name)}' (known: {string.Join(", ", t.Shapes.Select(s => s.Name))})"));
            return;
        }
        var keyField = new Field(t.Key, new StrType(), "");
        CheckFields(map, [keyField, .. shape.Fields, .. t.Common], path, problems, name);
    }

    /// <summary>A value echoed in a message: control characters escaped, at most 60 characters.</summary>
    public static string Show(string v)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char c in v.Length > 60 ? v[..60] : v)
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return v.Length > 60 ? sb + "..." : sb.ToString();
    }

    /// <summary>Why a scalar does not fit its type, or null.</summary>
    public static string? ScalarProblem(string v, FieldType type) => type switch
    {
        StrType { Choices: { } c } when c.All(x => x.Name != v) => $"'{Show(v)}' is not one of {string.Join(", ", c.Select(x => x.Name))}",
        StrType { Pattern: { } p, PatternDoc: var doc } when !Regex.IsMatch(v, p, RegexOptions.CultureInvariant) => $"'{Show(v)}' does not match {doc ?? p}",
        IntType i => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= i.Min && n <= i.Max
            ? null : $"'{Show(v)}' is not an integer within {i.Min}..{i.Max}",
        SizeType => YamlNodes.ParseSize(v, out _),
        BoolType => v is "true" or "false" or "yes" or "no" ? null : $"'{Show(v)}' is not true or false",
        _ => null,
    };
}
