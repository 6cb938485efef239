using System.CommandLine;
using ModelCheck.Explore.Conformance;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Kernel;
using ModelCheck.Model.Variants;

namespace ModelCheck.Cli;

/// <summary>`modelcheck outcomes`: the final outcomes the model allows, against those the kernel shows.</summary>
public static class OutcomesCommand
{
    public static Command Create()
    {
        var scenario = new Argument<string>("scenario") { Description = "a catalog id or a scenario YAML file" };
        var runs = new Option<int>("--runs") { Description = "concurrent runs on the kernel", DefaultValueFactory = _ => 1000 };
        var fs = new Option<string>("--fs") { Description = "xfs | ext4", DefaultValueFactory = _ => "xfs" };
        var seed = new Option<int>("--seed") { Description = "seed of the random delays", DefaultValueFactory = _ => 1 };
        var variant = new Option<string[]>("--variant") { Description = "Switch=value over the profile (repeatable)", AllowMultipleArgumentsPerToken = true };
        var profile = ProfileOption.Create();
        profile.DefaultValueFactory = _ => KernelProfiles.V618.Name;
        var json = new Option<bool>("--json") { Description = "print one JSON document" };
        var cmd = new Command("outcomes", "run a concurrent scenario many times on the kernel and compare its outcomes with those the model allows")
            { scenario, runs, fs, seed, variant, profile, json };
        cmd.SetAction(p =>
        {
            var spec = Catalog.Locate().Resolve(p.GetValue(scenario)!);
            int n = p.GetValue(runs);
            if (n < 1 || n > 10_000_000) throw new InputException("--runs", 0, "runs", $"'{n}' is not between 1 and 10000000");
            if (KernelOutcomes.Unsupported(spec) is { } why) throw new InputException(spec.SourcePath, 0, "scenario", "the kernel harness cannot run it: " + why);
            var kernelProfile = ProfileOption.Get(p.GetValue(profile));
            ProfileOption.RequireOps(kernelProfile, spec);
            FsSpec fsSpec;
            try
            {
                fsSpec = FsSpec.Parse(p.GetValue(fs)!, spec.File.BlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (ArgumentException e)
            {
                throw new InputException(spec.SourcePath, 0, "file.block_size", e.Message);
            }
            var v = Conformance.ModelVariant(fsSpec, kernelProfile, ProfileOption.Explicit(p.GetValue(variant) ?? []));
            if (LoopMount.CannotRun(fsSpec) is { } cannot)
            {
                Console.Error.WriteLine($"modelcheck: outcomes cannot run on this machine: {cannot}");
                return ExitCodes.CannotRun;
            }
            string release = LoopMount.KernelRelease();
            var (allowed, complete, states) = ModelOutcomes.Enumerate(Conformance.OnFilesystem(spec, fsSpec), v);
            Dictionary<Outcome, int> seen;
            var status = p.GetValue(json) ? null : ProgressOutput.Text($"outcomes {spec.Id}");
            using (var mount = LoopMount.Create(fsSpec))
                seen = KernelOutcomes.Run(mount, spec, n, p.GetValue(seed), status is null ? null : r => status($"{r:N0} runs"));
            Output.EndProgress();
            // a torn unit ("-") is allowed when some allowed outcome has a whole tag there
            string Verdict(Outcome o) => allowed.Contains(o) ? "allowed" : allowed.Any(o.MatchesUpToTearing) ? "torn" : "NOT ALLOWED";
            var notAllowed = seen.Keys.Where(o => Verdict(o) == "NOT ALLOWED").ToList();
            var neverSeen = allowed.Where(o => !seen.ContainsKey(o)).ToList();
            if (p.GetValue(json))
            {
                Output.WriteJson(new
                {
                    scenario = spec.Id, fs = fsSpec.Type, blockSize = fsSpec.BlockSize, kernel = release, variant = v.Explicit, runs = n,
                    modelStates = states, modelComplete = complete,
                    observed = seen.OrderByDescending(kv => kv.Value).Select(kv => new { outcome = kv.Key.ToString(), count = kv.Value, verdict = Verdict(kv.Key) }),
                    allowedNeverObserved = neverSeen.Select(o => o.ToString()),
                });
            }
            else
            {
                Console.WriteLine($"outcomes: {spec.Id} on {fsSpec} (Linux {release}), {n} runs; model [{v}]: {allowed.Count} outcomes allowed ({states:N0} states{(complete ? ", complete" : ", INCOMPLETE")})");
                foreach (var (o, count) in seen.OrderByDescending(kv => kv.Value))
                    Console.WriteLine($"  {count,7:N0}  {Verdict(o),-11}  {o}");
                foreach (var o in neverSeen) Console.WriteLine($"  {0,7}  allowed, not observed  {o}");
                if (seen.Keys.Any(o => Verdict(o) == "torn"))
                    Console.WriteLine("  (torn: a unit mixed the bytes of two writes, below the model's per-unit resolution; allowed where a whole tag is)");
                Console.WriteLine(notAllowed.Count == 0 ? "every observed outcome is allowed by the model"
                    : $"{notAllowed.Count} observed outcome(s) the model does not allow: a model defect to find");
            }
            return notAllowed.Count == 0 ? ExitCodes.Holds : ExitCodes.Violation;
        });
        return cmd;
    }
}
