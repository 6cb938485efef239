using System.CommandLine;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;

namespace ModelCheck.Cli;

public static class ReplayCommand
{
    public static Command Create()
    {
        var trace = new Argument<string>("trace") { Description = "a trace JSON file" };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var width = Output.WidthOption();
        var state = new Option<int?>("--state") { Description = "print the whole state after step K (0: the initial state) instead of the diagram" };
        var cmd = new Command("replay", "re-execute a trace and print its steps and race diagram") { trace, json, width, state };
        cmd.SetAction(p =>
        {
            string path = p.GetValue(trace)!;
            int w = Output.Width(p.GetValue(width));
            var t = TraceFile.Load(path);
            if (p.GetValue(state) is { } k) return PrintState(t, path, k, p.GetValue(json));
            var r = Replayer.Replay(t, path);
            bool same = r.Violation is not null && t.Violation is not null && r.Violation.Invariant == t.Violation.Invariant;
            // a Coyote trace also replays under Coyote, from the reproducible trace saved beside it
            string coyotePath = Path.ChangeExtension(path, ".coyote.json");
            string? coyoteReplay = null;
            if (t.Engine.StartsWith("coyote", StringComparison.Ordinal) && File.Exists(coyotePath))
            {
                var again = ModelCheck.Explore.Engines.Coyote.CoyoteEngine.Run(r.Scenario, r.Variant,
                    new ModelCheck.Explore.Engines.Coyote.CoyoteOptions(t.Engine.Split(':').Last(), 1, 2000, (ulong)t.Seed, File.ReadAllText(coyotePath)));
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
                Output.PrintReplay(r, w);
                if (r.Divergence is not null) Console.WriteLine($"trace diverged from the model: {r.Divergence}");
                if (r.Violation is not null) Console.WriteLine($"violation {r.Violation.Invariant}: {r.Violation.Message}");
                else Console.WriteLine("no violation along this trace");
                if (t.Violation is not null) Console.WriteLine(same ? "same violation as recorded" : $"recorded violation was {t.Violation.Invariant}");
                if (coyoteReplay is not null) Console.WriteLine(coyoteReplay);
            }
            if (ModelChange(t, r) is { } changed)
            {
                Console.Error.WriteLine($"modelcheck: {path} is intact (its digest matches) but the model changed since it was written: {changed}");
                return ExitCodes.ModelChanged;
            }
            return r.Violation is null ? ExitCodes.Holds : ExitCodes.Violation;
        });
        return cmd;
    }

    /// <summary>What differs between what an intact trace records and what the model gives now, or null.</summary>
    public static string? ModelChange(TraceFile t, ReplayResult r)
    {
        static string Verdict(string? invariant) => invariant is null ? "no violation" : $"a violation of {invariant}";
        if (r.Divergence is not null) return $"the trace no longer replays ({r.Divergence})";
        if (t.Violation?.Invariant != r.Violation?.Invariant)
            return $"the trace records {Verdict(t.Violation?.Invariant)}, the model now gives {Verdict(r.Violation?.Invariant)}";
        if (r.Steps.Count != t.Choices.Count)
            return $"the trace records {t.Choices.Count} steps, the model now stops at step {r.Steps.Count}";
        return null;
    }

    /// <summary>`replay TRACE --state K`: every field of the state after step K.</summary>
    private static int PrintState(TraceFile t, string path, int k, bool json)
    {
        if (k < 0 || k > t.Choices.Count)
            throw new InputException("--state", 0, "state", $"'{k}' is not a step of this trace (0..{t.Choices.Count})");
        var r = Replayer.Replay(t with { Choices = [.. t.Choices.Take(k)] }, path);
        if (r.Divergence is not null)
        {
            Console.Error.WriteLine($"modelcheck: trace diverged from the model: {r.Divergence}");
            return ExitCodes.BadInput;
        }
        if (json)
        {
            Output.WriteJson(new { scenario = t.ScenarioId, step = r.Steps.Count, state = r.Final, violation = r.Violation });
            return ExitCodes.Holds;
        }
        var last = r.Steps.Count > 0 ? r.Steps[^1] : null;
        Console.WriteLine($"{t.ScenarioId} [{Output.Variant(t.Variant)}] state after step {r.Steps.Count}{(last is null ? " (initial)" : $": [{last.K}] {last.Thread} {last.Function}")}");
        int key = r.Final.Keys.Max(x => x.Length);
        foreach (var (name, value) in r.Final) Console.WriteLine($"  {name.PadRight(key)}  {value}");
        if (r.Steps.Count < k) Console.WriteLine($"(the trace's violation, {r.Violation?.Invariant}, is found at step {r.Steps.Count})");
        return ExitCodes.Holds;
    }
}
