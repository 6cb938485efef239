using System.CommandLine;
using ModelCheck.Explore.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Model.Variants;

namespace ModelCheck.Cli;

public static class CheckCommand
{
    public static Command Create()
    {
        var scenario = new Argument<string>("scenario") { Description = "a catalog id or a scenario YAML file" };
        var variant = new Option<string[]>("--variant") { Description = "Switch=value (repeatable)", AllowMultipleArgumentsPerToken = true };
        var engine = new Option<string>("--engine") { Description = "exhaustive", DefaultValueFactory = _ => "exhaustive" };
        var maxDepth = new Option<int?>("--max-depth") { Description = "depth bound (default: the scenario's)" };
        var maxStates = new Option<int?>("--max-states") { Description = "state bound (default: the scenario's)" };
        var traceOut = new Option<string?>("--trace-out") { Description = "where to save a violation's trace (default traces/<id>.<variant>.json)" };
        var json = new Option<bool>("--json") { Description = "print one JSON row" };
        var cmd = new Command("check", "explore one scenario under one variant") { scenario, variant, engine, maxDepth, maxStates, traceOut, json };
        cmd.SetAction(p =>
        {
            string eng = p.GetValue(engine) ?? "exhaustive";
            if (eng != "exhaustive")
                throw new InputException("--engine", 0, "engine", $"'{eng}' is not available in this version (engines: exhaustive)");
            var catalog = Catalog.Locate();
            var spec = catalog.Resolve(p.GetValue(scenario)!);
            Variant v;
            try
            {
                v = Variant.Parse(p.GetValue(variant) ?? []);
            }
            catch (ArgumentException e)
            {
                throw new InputException("--variant", 0, "variant", e.Message);
            }
            var bounds = new Bounds(p.GetValue(maxDepth) ?? spec.Bounds.MaxDepth, p.GetValue(maxStates) ?? spec.Bounds.MaxStates);
            string tracePath = p.GetValue(traceOut) ?? catalog.TracePath(spec.Id, v.ToString());
            var expect = spec.Expect.FirstOrDefault(e => Output.Variant(e.Variant) == Output.Variant(v.Explicit));
            var (row, _, trace) = Checker.Check(spec, v, bounds, tracePath, expect, Output.Progress(spec.Id));
            Output.EndProgress();
            if (p.GetValue(json)) Output.WriteJson(row);
            else
            {
                Output.PrintRow(row);
                if (trace is not null)
                {
                    Console.WriteLine();
                    Output.PrintReplay(Replayer.Replay(trace, tracePath));
                }
            }
            return row.Verdict == "violated" ? ExitCodes.Violation : ExitCodes.Holds;
        });
        return cmd;
    }
}
