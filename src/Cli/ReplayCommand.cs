using System.CommandLine;
using ModelCheck.Explore.Traces;

namespace ModelCheck.Cli;

public static class ReplayCommand
{
    public static Command Create()
    {
        var trace = new Argument<string>("trace") { Description = "a trace JSON file" };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var cmd = new Command("replay", "re-execute a trace and print its steps and race diagram") { trace, json };
        cmd.SetAction(p =>
        {
            string path = p.GetValue(trace)!;
            var t = TraceFile.Load(path);
            var r = Replayer.Replay(t, path);
            bool same = r.Violation is not null && t.Violation is not null && r.Violation.Invariant == t.Violation.Invariant;
            // a Coyote trace also replays under Coyote, from the reproducible trace saved beside it
            string coyotePath = Path.ChangeExtension(path, ".coyote.json");
            string? coyoteReplay = null;
            if (t.Engine.StartsWith("coyote", StringComparison.Ordinal) && File.Exists(coyotePath))
            {
                var again = ModelCheck.Explore.Coyote.CoyoteEngine.Run(r.Scenario, r.Variant,
                    new ModelCheck.Explore.Coyote.CoyoteOptions(t.Engine.Split(':').Last(), 1, 2000, (ulong)t.Seed, File.ReadAllText(coyotePath)));
                coyoteReplay = again.BugFound ? $"Coyote replay of {coyotePath}: {again.Violation!.Invariant}" : $"Coyote replay of {coyotePath}: no bug";
            }
            if (p.GetValue(json))
            {
                Output.WriteJson(new
                {
                    scenario = t.ScenarioId, variant = t.Variant, engine = t.Engine,
                    steps = r.Steps.Select(s => new { k = s.K, thread = s.Thread, function = s.Function, args = s.Args, changes = s.Changes, notes = s.Notes }),
                    violation = r.Violation, recorded = t.Violation, reproduced = same, diverged = r.Divergence, coyote = coyoteReplay,
                });
            }
            else
            {
                Console.WriteLine($"{t.ScenarioId} [{Output.Variant(t.Variant)}] from {t.Engine}, {t.Choices.Count} steps");
                Output.PrintReplay(r);
                if (r.Divergence is not null) Console.WriteLine($"trace diverged from the model: {r.Divergence}");
                if (r.Violation is not null) Console.WriteLine($"violation {r.Violation.Invariant}: {r.Violation.Message}");
                else Console.WriteLine("no violation along this trace");
                if (t.Violation is not null) Console.WriteLine(same ? "same violation as recorded" : $"recorded violation was {t.Violation.Invariant}");
                if (coyoteReplay is not null) Console.WriteLine(coyoteReplay);
            }
            if (r.Divergence is not null) return ExitCodes.BadInput;
            return r.Violation is null ? ExitCodes.Holds : ExitCodes.Violation;
        });
        return cmd;
    }
}
