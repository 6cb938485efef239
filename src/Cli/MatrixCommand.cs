using System.CommandLine;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Scenario;

namespace ModelCheck.Cli;

public static class MatrixCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print {\"rows\": [...]}" };
        var writeTraces = new Option<bool>("--write-traces") { Description = "save each violation's trace under traces/" };
        var only = new Option<string[]>("--scenario") { Description = "restrict to these scenario ids", AllowMultipleArgumentsPerToken = true };
        var profile = ProfileOption.Create();
        var cmd = new Command("matrix", "check every catalog scenario against its expect lines") { json, writeTraces, only, profile };
        cmd.SetAction(p =>
        {
            var catalog = Catalog.Locate();
            var filter = p.GetValue(only) ?? [];
            var kernel = ProfileOption.Get(p.GetValue(profile));
            var all = catalog.LoadAll();
            if (all.Count == 0) throw new InputException(catalog.ScenarioDir, 0, "catalog", "no scenario files found (set MODELCHECK_ROOT to a directory with scenarios/)");
            foreach (var id in filter)
                if (all.All(sp => sp.Id != id))
                    throw new InputException("--scenario", 0, "scenario", $"no catalog scenario with id '{id}' (see 'modelcheck list')");
            var rows = new List<RunRow>();
            foreach (var spec in all)
            {
                if (filter.Length > 0 && !filter.Contains(spec.Id)) continue;
                if (ProfileOption.MissingOp(kernel, spec) is { } missing)
                {
                    if (!p.GetValue(json)) Console.WriteLine($"n/a  {spec.Id,-24} {OpNames.Name(missing.Kind)} is not in {kernel.Name}: {kernel.MissingWhy}");
                    continue;
                }
                foreach (var e in spec.Expect)
                {
                    var v = kernel.Resolve(e.Variant);
                    string? path = p.GetValue(writeTraces) ? catalog.TracePath(spec.Id, v.ToString()) : null;
                    var (row, _, _) = Checker.Check(spec, v, traceOut: path, expect: e, progress: Output.Progress($"{spec.Id} [{v}]"));
                    Output.EndProgress();
                    rows.Add(row);
                    if (!p.GetValue(json))
                        Console.WriteLine($"{(row.AsExpected == true ? "ok  " : "FAIL")} {row.Scenario,-24} {Output.Variant(row.Variant),-28} " +
                                          $"{row.Verdict + (row.Invariant is null ? "" : " " + row.Invariant),-28} expected {row.Expected,-26} " +
                                          $"states {row.States,9:N0} {row.Seconds,7:0.000}s{(row.Complete ? " complete" : "")}");
                }
            }
            int bad = rows.Count(r => r.AsExpected != true);
            if (p.GetValue(json)) Output.WriteJson(new { rows });
            else Console.WriteLine($"{rows.Count - bad} of {rows.Count} rows as expected");
            return bad == 0 ? ExitCodes.Holds : ExitCodes.Violation;
        });
        return cmd;
    }
}
