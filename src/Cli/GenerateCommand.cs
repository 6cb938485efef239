using System.CommandLine;
using ModelCheck.Explore.Engines.Generate;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Cli;

public static class GenerateCommand
{
    public static Command Create()
    {
        var tests = new Option<int>("--tests") { Description = "number of generated tests", DefaultValueFactory = _ => 200 };
        var seed = new Option<ulong?>("--seed") { Description = "FsCheck replay seed (printed by every run)" };
        var ops = new Option<string[]>("--ops") { Description = "restrict the grammar: comma-separated operation names", AllowMultipleArgumentsPerToken = true };
        var variant = new Option<string[]>("--variant") { Description = "Switch=value (repeatable)", AllowMultipleArgumentsPerToken = true };
        var outDir = new Option<string>("--out") { Description = "where to write the shrunk scenario and trace", DefaultValueFactory = _ => "out/generated" };
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var only = new Option<string[]>("--invariants") { Description = "check only these invariant ids (default: all)", AllowMultipleArgumentsPerToken = true };
        var fsOpt = new Option<string>("--fs") { Description = "the file system the generated scenarios run on: xfs | ext4 | blockdev (adds bh-write and migrate to the default grammar)", DefaultValueFactory = _ => "xfs" };
        var cmd = new Command("generate", "FsCheck: generated scenarios and schedules, every invariant must hold; failures are shrunk")
        {
            tests, seed, ops, variant, outDir, json, only, fsOpt,
        };
        var shard = Shard.Create();
        cmd.Add(shard);
        var profile = ProfileOption.Create();
        cmd.Add(profile);
        cmd.SetAction(p =>
        {
            var kernel = ProfileOption.Get(p.GetValue(profile));
            var v = ProfileOption.Resolve(kernel, p.GetValue(variant) ?? []);
            var given = Shard.Parse(p.GetValue(shard), p.GetValue(seed));
            var sh = given ?? Shard.Whole;
            int n = sh.Part(p.GetValue(tests));
            if (n <= 0) throw new InputException("--tests", 0, "tests", "must be positive (and at least the number of shards)");
            string fs = p.GetValue(fsOpt)!;
            if (fs is not ("xfs" or "ext4" or "blockdev")) throw new InputException("--fs", 0, "fs", $"'{fs}' is not a file system generate runs on (xfs, ext4, blockdev)");
            var flavour = ModelCheck.Model.Filesystems.Filesystems.Find(fs)!;
            var kinds = Generator.ParseOps(p.GetValue(ops) ?? [], fs);
            if (kinds.FirstOrDefault(k => flavour.Refuses(k) is not null) is var refused && flavour.Refuses(refused) is { } refusal)
            {
                if ((p.GetValue(ops) ?? []).Length > 0) throw new InputException("--ops", 0, "ops", $"{OpNames.Name(refused)} on {fs}: {refusal}");
                kinds = [.. kinds.Where(k => flavour.Refuses(k) is null)];
            }
            // a profile's kernel without an operation: left out of the default set, an error when asked for
            var missing = kinds.Where(k => kernel.MissingOps.Contains(OpNames.Name(k))).ToList();
            if (missing.Count > 0 && (p.GetValue(ops) ?? []).Length > 0)
                throw new InputException("--ops", 0, "ops", $"{OpNames.Name(missing[0])} cannot run under profile {kernel.Name}: {kernel.MissingWhy}");
            kinds = [.. kinds.Except(missing)];
            ulong s = p.GetValue(seed) is { } s0 ? sh.Seed(s0) : (ulong)Environment.TickCount64;
            var invs = (p.GetValue(only) ?? []).SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            foreach (var id in invs)
                if (ModelCheck.Invariants.InvariantCatalog.Find(id) is null)
                    throw new InputException("--invariants", 0, "invariants", $"unknown invariant '{id}'");
            using var stop = new Interruption();
            var r = Generator.Run(n, s, kinds, v, invs.Count > 0 ? invs : null, p.GetValue(json) ? null : ProgressOutput.Generate("generate"), fs, stop.Token);
            ProgressOutput.End();
            string? yamlPath = null, tracePath = null;
            if (r.Failed)
            {
                string dir = p.GetValue(outDir)!;
                Directory.CreateDirectory(dir);
                yamlPath = Path.Combine(dir, $"generated-{s}.yaml");
                tracePath = Path.Combine(dir, $"generated-{s}.json");
                File.WriteAllText(yamlPath, r.Yaml);
                r.Trace!.Save(tracePath);
            }
            if (p.GetValue(json))
            {
                // the one result type (modelcheck-result/1): iterations are the generated tests
                Output.WriteJson(new RunRow
                {
                    Scenario = r.Failed ? $"generated-{s}" : "generated", Variant = v.Explicit, Engine = "generate", Seed = s,
                    Verdict = r.Interrupted && !r.Failed ? "incomplete" : r.Failed ? "violated" : "holds",
                    Invariant = r.Violation?.Invariant, Message = r.Violation?.Message, Iterations = r.Tests,
                    IterationsToViolation = r.Failed ? r.TestsToFailure : null, ShrinkSteps = r.Failed ? r.ShrinkSteps : null,
                    Seconds = Math.Round(r.Seconds, 3), Trace = tracePath, TraceLength = r.Trace?.Choices.Count, ScenarioFile = yamlPath,
                    Shard = given?.ToString(), StoppedBy = r.Interrupted && !r.Failed ? "interrupted" : null,
                });
            }
            else
            {
                Console.WriteLine($"generate: {(r.Failed ? $"failed after {r.TestsToFailure} tests, {r.ShrinkSteps} shrink steps" : $"{r.Tests} tests passed")} " +
                                  $"in {r.Seconds:0.0} s [variant {v}] (replay: --seed {s})");
                if (r.Failed)
                {
                    Console.WriteLine($"violation {r.Violation!.Invariant}: {r.Violation.Message}");
                    Console.WriteLine($"shrunk scenario: {r.Scenario} ({yamlPath})");
                    Console.WriteLine($"trace: {tracePath}");
                    Output.PrintFoundTrace(r.Trace!, tracePath!);
                }
            }
            if (r.Interrupted)
            {
                Console.Error.WriteLine($"modelcheck: interrupted after {r.Tests:N0} of {n:N0} tests (seed {s}), no failure so far: " +
                                        $"--seed {s} repeats these tests; another seed, e.g. --seed {s + 1}, generates others");
                return ExitCodes.Incomplete;
            }
            return r.Failed ? ExitCodes.Violation : ExitCodes.Holds;
        });
        return cmd;
    }
}
