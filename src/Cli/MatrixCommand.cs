using System.CommandLine;
using System.IO.Enumeration;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Scenario;

namespace ModelCheck.Cli;

public static class MatrixCommand
{
    public static Command Create()
    {
        var selection = new Argument<string[]>("scenarios")
        {
            Description = "catalog ids, id globs (wt-*) or scenario files; none: the whole catalog",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var json = new Option<bool>("--json") { Description = "print {\"rows\": [...]}" };
        var writeTraces = new Option<bool>("--write-traces") { Description = "save each violation's trace under traces/" };
        var only = new Option<string[]>("--scenario") { Description = "the same as the positional ids, globs or files", AllowMultipleArgumentsPerToken = true };
        var junit = new Option<string?>("--junit") { Description = "write a JUnit XML report (one test case per expect line) to FILE" };
        var sarif = new Option<string?>("--sarif") { Description = "write a SARIF 2.1.0 report (rows not as expected, at their expect line) to FILE" };
        var markdown = new Option<string?>("--markdown") { Description = "write a Markdown summary to FILE" };
        var profile = ProfileOption.Create();
        var cmd = new Command("matrix", "check catalog scenarios (or scenario files) against their expect lines")
            { selection, json, writeTraces, only, junit, sarif, markdown, profile };
        cmd.SetAction(p =>
        {
            var catalog = Catalog.Locate();
            var kernel = ProfileOption.Get(p.GetValue(profile));
            var specs = Select(catalog, [.. p.GetValue(selection) ?? [], .. p.GetValue(only) ?? []]);
            var runs = ExpectRuns.Run(specs, kernel,
                (spec, v) => p.GetValue(writeTraces) ? catalog.TracePath(spec.Id, v.ToString()) : null, print: !p.GetValue(json));
            if (runs.Count == 0)
                throw new InputException("matrix", 0, "scenarios", $"no expect line to check: the selected scenarios have none{(specs.Count > 0 ? $" that runs under profile {kernel.Name}" : "")}");
            if (p.GetValue(junit) is { } j) Output.WriteFile(j, "--junit", MatrixReports.Junit(runs, kernel.Name));
            if (p.GetValue(sarif) is { } s) Output.WriteFile(s, "--sarif", MatrixReports.Sarif(runs));
            if (p.GetValue(markdown) is { } m) Output.WriteFile(m, "--markdown", MatrixReports.Markdown(runs, kernel.Name));
            int bad = runs.Count(r => r.Row.AsExpected != true);
            if (p.GetValue(json)) Output.WriteJson(new { rows = runs.Select(r => r.Row) });
            else Console.WriteLine($"{runs.Count - bad} of {runs.Count} rows as expected");
            return ExpectRuns.ExitCode(runs);
        });
        return cmd;
    }

    /// <summary>
    /// The scenarios named by ids, id globs and files, in catalog order then file order, each once;
    /// everything when nothing is named. A name that selects nothing is bad input.
    /// </summary>
    public static List<ScenarioSpec> Select(Catalog catalog, IReadOnlyList<string> names)
    {
        var all = catalog.LoadAll();
        if (names.Count == 0)
        {
            if (all.Count == 0) throw new InputException(catalog.ScenarioDir, 0, "catalog", "no scenario files found (set MODELCHECK_ROOT to a directory with scenarios/)");
            return [.. all];
        }
        var fromCatalog = new HashSet<string>();
        var files = new List<ScenarioSpec>();
        foreach (var name in names)
        {
            if (File.Exists(name) || name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal))
            {
                var spec = ScenarioLoader.LoadFile(name);
                if (files.All(f => f.Id != spec.Id)) files.Add(spec);
                continue;
            }
            var matched = all.Where(s => name.IndexOfAny(['*', '?']) >= 0 ? FileSystemName.MatchesSimpleExpression(name, s.Id, ignoreCase: false) : s.Id == name).ToList();
            if (matched.Count == 0)
                throw new InputException(name, 0, "scenario", $"no catalog scenario {(name.IndexOfAny(['*', '?']) >= 0 ? "matches" : "has the id")} '{name}' and no such file (see 'modelcheck list')");
            foreach (var s in matched) fromCatalog.Add(s.Id);
        }
        return [.. all.Where(s => fromCatalog.Contains(s.Id) && files.All(f => f.Id != s.Id)), .. files];
    }
}
