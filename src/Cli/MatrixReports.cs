using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using ModelCheck.Invariants;

namespace ModelCheck.Cli;

/// <summary>
/// The reports `matrix` writes for CI and people: JUnit XML (one test case per expect line, the
/// variant in its name), SARIF 2.1.0 (a row not as expected points at its expect line in the
/// scenario file) and a Markdown summary.
/// </summary>
public static class MatrixReports
{
    private static string Name(ExpectRun r) => $"{r.Spec.Id} [{Output.Variant(r.Row.Variant)}] {r.Row.Expected}";

    private static string Outcome(ExpectRun r) =>
        r.Row.Verdict + (r.Row.Invariant is null ? "" : " " + r.Row.Invariant) + (r.Row.Complete ? " (complete)" : "");

    private static string Why(ExpectRun r) => r.Incomplete
        ? $"the search stopped at a bound ({r.Row.States:N0} states) before it was complete: no verdict"
        : $"expected {r.Row.Expected}, got {Outcome(r)}{(r.Row.Message is null ? "" : ": " + r.Row.Message)}";

    private static string Seconds(double s) => s.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Junit(IReadOnlyList<ExpectRun> runs, string profile)
    {
        var suites = runs.GroupBy(r => r.Spec.Id).Select(g => new XElement("testsuite",
            new XAttribute("name", g.Key),
            new XAttribute("tests", g.Count()),
            new XAttribute("failures", g.Count(r => r.Row.AsExpected != true)),
            new XAttribute("time", Seconds(g.Sum(r => r.Row.Seconds))),
            g.Select(r => new XElement("testcase",
                new XAttribute("classname", $"modelcheck.{profile}.{r.Spec.Id}"),
                new XAttribute("name", Name(r)),
                new XAttribute("file", ModelCheck.Explore.Runs.Checker.PortablePath(r.Spec.SourcePath)),
                new XAttribute("line", r.Expect.Line),
                new XAttribute("time", Seconds(r.Row.Seconds)),
                r.Row.AsExpected == true ? null : new XElement("failure",
                    new XAttribute("message", Why(r)),
                    new XAttribute("type", r.Incomplete ? "incomplete" : "verdict"),
                    $"{Why(r)}\nstates {r.Row.States}, transitions {r.Row.Transitions}{(r.Row.Trace is null ? "" : $"\ntrace: {r.Row.Trace}")}")))));
        var doc = new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites",
            new XAttribute("name", "modelcheck matrix"),
            new XAttribute("tests", runs.Count),
            new XAttribute("failures", runs.Count(r => r.Row.AsExpected != true)),
            new XAttribute("time", Seconds(runs.Sum(r => r.Row.Seconds))),
            suites));
        return doc.Declaration + "\n" + doc.ToString() + "\n";
    }

    public static string Sarif(IReadOnlyList<ExpectRun> runs)
    {
        var rules = new JsonArray(InvariantCatalog.All.Select(i => (JsonNode)new JsonObject
        {
            ["id"] = i.Id,
            ["shortDescription"] = new JsonObject { ["text"] = i.Title },
            ["fullDescription"] = new JsonObject { ["text"] = i.Rationale },
            ["helpUri"] = $"docs/invariants.md#{i.Id}",
        }).Append(new JsonObject
        {
            ["id"] = "expect",
            ["shortDescription"] = new JsonObject { ["text"] = "an expect line's verdict was not found (a violation expected but the search held, or stopped at a bound)" },
        }).ToArray());
        var results = new JsonArray(runs.Where(r => r.Row.AsExpected != true).Select(r => (JsonNode)new JsonObject
        {
            ["ruleId"] = r.Row.Verdict == "violated" ? r.Row.Invariant : "expect",
            ["level"] = "error",
            ["message"] = new JsonObject { ["text"] = $"{Name(r)}: {Why(r)}" },
            ["locations"] = new JsonArray(new JsonObject
            {
                ["physicalLocation"] = new JsonObject
                {
                    ["artifactLocation"] = new JsonObject { ["uri"] = ModelCheck.Explore.Runs.Checker.PortablePath(r.Spec.SourcePath) },
                    ["region"] = new JsonObject { ["startLine"] = Math.Max(1, r.Expect.Line) },
                },
            }),
            ["properties"] = new JsonObject
            {
                ["variant"] = Output.Variant(r.Row.Variant),
                ["verdict"] = r.Row.Verdict,
                ["states"] = r.Row.States,
                ["trace"] = r.Row.Trace,
            },
        }).ToArray());
        var sarif = new JsonObject
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "modelcheck",
                        ["informationUri"] = "docs/design.md",
                        ["rules"] = rules,
                    },
                },
                ["results"] = results,
            }),
        };
        return sarif.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    public static string Markdown(IReadOnlyList<ExpectRun> runs, string profile)
    {
        int bad = runs.Count(r => r.Row.AsExpected != true);
        var sb = new StringBuilder($"# modelcheck matrix ({profile})\n\n**{runs.Count - bad} of {runs.Count} rows as expected.**\n\n");
        sb.Append("| | scenario | variant | expected | verdict | states | seconds |\n|---|---|---|---|---|---:|---:|\n");
        foreach (var r in runs)
            sb.Append($"| {(r.Row.AsExpected == true ? "ok" : "**FAIL**")} | `{r.Spec.Id}` | `{Output.Variant(r.Row.Variant)}` | {r.Row.Expected} | {Outcome(r)} | {r.Row.States:N0} | {Seconds(r.Row.Seconds)} |\n");
        if (bad > 0)
        {
            sb.Append("\n## Not as expected\n\n");
            foreach (var r in runs.Where(r => r.Row.AsExpected != true))
                sb.Append($"- `{ModelCheck.Explore.Runs.Checker.PortablePath(r.Spec.SourcePath)}:{r.Expect.Line}` {Name(r)}: {Why(r)}\n");
        }
        return sb.ToString();
    }
}
