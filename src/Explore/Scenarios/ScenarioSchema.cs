using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelCheck.Explore.Scenarios;

/// <summary>
/// The JSON Schema (draft 2020-12) of scenario files, generated from <see cref="ScenarioFormat"/>:
/// editors with a YAML language server validate and complete scenario files with it
/// (`# yaml-language-server: $schema=...` on the first line, or the editor's schema settings).
/// </summary>
public static class ScenarioSchema
{
    public const string Id = "https://modelcheck.invalid/schema/scenario-1.json";

    public static string Render()
    {
        var root = (JsonObject)Node(ScenarioFormat.Root);
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = Id,
            ["title"] = "ModelCheck scenario",
            ["description"] = "A concurrent page-cache scenario for modelcheck (docs/scenario-format.md).",
        };
        foreach (var (k, v) in root) schema[k] = v?.DeepClone();
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonNode Node(FieldType type) => type switch
    {
        MapType m => Object(m.Fields),
        SeqType s => new JsonObject { ["type"] = "array", ["items"] = Node(s.Item), ["minItems"] = s.MinItems },
        TaggedMapType t => Tagged(t),
        StrType { Choices: { } c } => new JsonObject
        {
            ["oneOf"] = new JsonArray(c.Select(x => (JsonNode)new JsonObject { ["const"] = ConstOf(x.Name), ["description"] = x.Meaning }).ToArray()),
        },
        StrType { Pattern: { } p } => new JsonObject { ["type"] = "string", ["pattern"] = p },
        StrType => new JsonObject { ["type"] = "string" },
        IntType i => new JsonObject { ["type"] = "integer", ["minimum"] = i.Min, ["maximum"] = i.Max },
        SizeType => new JsonObject
        {
            ["description"] = $"bytes: an integer, or a number with K or M (at most {YamlNodes.MaxBytes >> 20}M)",
            ["oneOf"] = new JsonArray(
                new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = YamlNodes.MaxBytes },
                new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]+[KkMm]?$" }),
        },
        BoolType => new JsonObject { ["type"] = "boolean" },
        _ => throw new InvalidOperationException($"no schema for {type}"),
    };

    /// <summary>A YAML plain scalar that reads as a number is one for a JSON Schema validator ("data: 0").</summary>
    private static JsonNode ConstOf(string name) =>
        long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? JsonValue.Create(n) : JsonValue.Create(name);

    private static JsonObject Object(IReadOnlyList<Field> fields)
    {
        var props = new JsonObject();
        foreach (var f in fields) props[f.Name] = Described(f);
        var o = new JsonObject { ["type"] = "object", ["properties"] = props, ["additionalProperties"] = false };
        var required = fields.Where(f => f.Required).Select(f => (JsonNode)f.Name).ToArray();
        if (required.Length > 0) o["required"] = new JsonArray(required);
        return o;
    }

    private static JsonNode Described(Field f)
    {
        var n = Node(f.Type);
        if (n is JsonObject o)
        {
            string doc = f.Doc + (f.Default is null ? "" : $" (default: {f.Default})");
            o["description"] = o["description"] is { } inner ? $"{doc}; {inner}" : doc;
        }
        return n;
    }

    private static JsonObject Tagged(TaggedMapType t)
    {
        var all = new JsonArray();
        foreach (var shape in t.Shapes)
        {
            var fields = shape.Fields.Concat(t.Common).ToList();
            var then = Object(fields);
            ((JsonObject)then["properties"]!)[t.Key] = new JsonObject { ["const"] = shape.Name };
            var req = new JsonArray([(JsonNode)t.Key, .. shape.Fields.Where(f => f.Required).Select(f => (JsonNode)f.Name)]);
            then["required"] = req;
            all.Add(new JsonObject
            {
                ["if"] = new JsonObject { ["properties"] = new JsonObject { [t.Key] = new JsonObject { ["const"] = shape.Name } }, ["required"] = new JsonArray((JsonNode)t.Key) },
                ["then"] = then,
            });
        }
        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray((JsonNode)t.Key),
            ["properties"] = new JsonObject
            {
                [t.Key] = new JsonObject
                {
                    ["oneOf"] = new JsonArray(t.Shapes.Select(s => (JsonNode)new JsonObject { ["const"] = s.Name, ["description"] = s.KernelPath }).ToArray()),
                },
            },
            ["allOf"] = all,
        };
    }
}
