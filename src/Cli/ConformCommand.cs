using System.CommandLine;
using ModelCheck.Explore.Conformance;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Kernel;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Cli;

/// <summary>`modelcheck conform`: the model against the running kernel, on a private loop-mounted file system.</summary>
public static class ConformCommand
{
    public static Command Create()
    {
        var fs = new Option<string>("--fs") { Description = "xfs | ext4", DefaultValueFactory = _ => "xfs" };
        var blockSize = new Option<string>("--block-size") { Description = "file system block size: 1K | 2K | 4K", DefaultValueFactory = _ => "4K" };
        var tests = new Option<int>("--tests") { Description = "generated operation sequences", DefaultValueFactory = _ => 200 };
        var seed = new Option<ulong?>("--seed") { Description = "FsCheck seed (default: random, printed)" };
        var ops = new Option<string?>("--ops") { Description = "comma-separated operations (default: all that conformance runs)" };
        var compare = new Option<string?>("--compare") { Description = "observables to compare: " + string.Join(",", Observation.All) + " (default: all)" };
        var maxOps = new Option<int>("--max-ops") { Description = "operations per sequence at most", DefaultValueFactory = _ => 12 };
        var variant = new Option<string[]>("--variant") { Description = "Switch=value over the profile (repeatable)", AllowMultipleArgumentsPerToken = true };
        var profile = ProfileOption.Create();
        profile.DefaultValueFactory = _ => KernelProfiles.V618.Name;
        var outDir = new Option<string>("--out") { Description = "where a disagreement's scenario and report are written", DefaultValueFactory = _ => Path.Combine("out", "conform") };
        var json = new Option<bool>("--json") { Description = "print one JSON document" };
        var sequence = new Option<string?>("--sequence") { Description = "run this one sequence instead of generated ones, e.g. \"buffered-write(0K,3K), truncate(1K)\"" };
        var cmd = new Command("conform", "compare the model with the running kernel on generated operation sequences")
            { fs, blockSize, tests, seed, ops, compare, maxOps, variant, profile, outDir, sequence, json };
        cmd.SetAction(p =>
        {
            FsSpec spec;
            OpKind[] kinds;
            try
            {
                spec = FsSpec.Parse(p.GetValue(fs)!, p.GetValue(blockSize)!);
                kinds = ConformOp.ParseOps(p.GetValue(ops));
                // the default list leaves out what the file system's model refuses (ext4: zero-range)
                var flavour = Conformance.Flavour(spec);
                if (string.IsNullOrWhiteSpace(p.GetValue(ops))) kinds = [.. kinds.Where(k => flavour.Refuses(k) is null)];
                else if (kinds.FirstOrDefault(k => flavour.Refuses(k) is not null) is var refused && flavour.Refuses(refused) is { } refusal)
                    throw new ArgumentException($"--ops {OpNames.Name(refused)}: {refusal}");
            }
            catch (ArgumentException e)
            {
                throw new InputException("conform", 0, "option", e.Message);
            }
            var compared = ParseCompare(p.GetValue(compare));
            if (compared.Contains("crash") && !CrashImages.Supported(spec))
            {
                // ext4's forced commit writes ordered data the model does not have (docs/conformance.md)
                if (!string.IsNullOrWhiteSpace(p.GetValue(compare)))
                    throw new InputException("--compare", 0, "compare", $"crash is compared on XFS only, not on {spec.Type} (docs/conformance.md says why)");
                compared.Remove("crash");
            }
            int n = p.GetValue(tests), max = p.GetValue(maxOps);
            if (n < 1 || n > 10_000_000) throw new InputException("--tests", 0, "tests", $"'{n}' is not between 1 and 10000000");
            if (max < 1 || max > 64) throw new InputException("--max-ops", 0, "max-ops", $"'{max}' is not between 1 and 64");
            var v = Conformance.ModelVariant(spec, ProfileOption.Get(p.GetValue(profile)), ProfileOption.Explicit(p.GetValue(variant) ?? []));
            string release = LoopMount.KernelRelease();
            List<ConformOp>? one = null;
            if (p.GetValue(sequence) is { } text)
            {
                try
                {
                    one = ConformOp.ParseSequence(text); // bad input is exit 2 on any machine
                }
                catch (ArgumentException e)
                {
                    throw new InputException("--sequence", 0, "sequence", e.Message);
                }
            }
            if (LoopMount.CannotRun(spec) is { } why)
            {
                Console.Error.WriteLine($"modelcheck: conform cannot run on this machine: {why}");
                return ExitCodes.CannotRun;
            }
            if (one is not null) return RunOne(spec, one, v, compared, release, p.GetValue(json));
            ulong s = p.GetValue(seed) ?? (ulong)Random.Shared.NextInt64(1, long.MaxValue);
            var options = new ConformOptions(spec, n, s, kinds, v, compared, max);
            if (!p.GetValue(json)) Console.WriteLine($"conform: {spec} on Linux {release}, model variant [{v}], {n} sequences of at most {max} operations, seed {s}");
            ConformResult r;
            var status = p.GetValue(json) ? null : ProgressOutput.Text("conform");
            using (var mount = LoopMount.Create(spec))
                r = Conformance.Run(mount, options, status is null ? null : (t, d) => status($"{t:N0} sequences, {d} disagreeing"));
            Output.EndProgress();
            string? yamlPath = null;
            if (r.Shrunk is { } d)
            {
                string dir = p.GetValue(outDir)!;
                string id = $"conform-{spec.Type}-{spec.BlockSize / 1024}k-{s}";
                yamlPath = Path.Combine(dir, id + ".yaml");
                try
                {
                    Directory.CreateDirectory(dir);
                    File.WriteAllText(yamlPath, ConformOp.ToYaml(id, d.Ops, spec.BlockSize,
                        $"modelcheck conform --fs {spec.Type} --block-size {spec.BlockSize / 1024}K --seed {s}, Linux {release}, model [{v}]\n{d}\n{d.Table()}", spec.Type));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new InputException(dir, 0, "--out", "cannot write the disagreement there: " + e.Message);
                }
            }
            if (p.GetValue(json))
            {
                Output.WriteJson(new
                {
                    fs = spec.Type, blockSize = spec.BlockSize, kernel = release, variant = v.Explicit, seed = s, tests = r.Tests,
                    operations = r.Operations, seconds = Math.Round(r.Seconds, 2), compared,
                    agree = r.Shrunk is null,
                    nondeterministic = r.Nondeterministic.Select(x => x.ToString()),
                    kernelFindings = r.KernelFindings.Select(x => new { ops = x.Ops.Select(o => o.ToString()), invariant = x.KernelFinding }),
                    disagreement = r.Shrunk is null ? null : new
                    {
                        ops = r.Shrunk.Ops.Select(o => o.ToString()), afterOp = r.Shrunk.Index + 1, differences = r.Shrunk.Differences,
                        model = r.Shrunk.Model?.ToString(), kernelObserved = r.Shrunk.Kernel?.ToString(), scenario = yamlPath,
                        firstFound = r.First?.ToString(),
                    },
                });
            }
            else if (r.Shrunk is { } d2)
            {
                Console.WriteLine($"DISAGREE after {r.Tests} sequences ({r.Seconds:0.0} s); shrunk to {d2.Ops.Count} operations:");
                Console.WriteLine("  " + d2.ToString().Replace("\n", "\n  ", StringComparison.Ordinal));
                if (d2.Steps.Count > 0) Console.WriteLine("  after each operation:\n  " + d2.Table().Replace("\n", "\n  ", StringComparison.Ordinal));
                Console.WriteLine($"  scenario: {yamlPath}");
            }
            if (!p.GetValue(json))
                foreach (var x in r.Nondeterministic.Take(5))
                    Console.WriteLine("kernel outcome varies between runs (not counted): " + x.ToString().Replace("\n", "\n  ", StringComparison.Ordinal));
            if (!p.GetValue(json))
                foreach (var x in r.KernelFindings.DistinctBy(x => x.KernelFinding?.Split(':')[0]).Take(5))
                    Console.WriteLine($"kernel finding (the kernel agrees with the model, whose invariant flags it): [{string.Join(", ", x.Ops)}]\n  {x.KernelFinding}");
            if (r.Shrunk is null && !p.GetValue(json)) Console.WriteLine($"agree: {r.Tests} sequences, {r.Operations} operations, compared {string.Join(",", compared)} after every operation, {r.Nondeterministic.Count} with a kernel outcome that varied, {r.KernelFindings.Count} kernel findings ({r.Seconds:0.0} s)");
            return r.Shrunk is null ? ExitCodes.Holds : ExitCodes.Violation;
        });
        return cmd;
    }

    /// <summary>One given sequence: both sides' observations after each operation, side by side.</summary>
    private static int RunOne(FsSpec spec, List<ConformOp> seq, Variant v, HashSet<string> compared, string release, bool json)
    {
        Disagreement? d;
        List<Observation> model, kernel;
        using (var mount = LoopMount.Create(spec))
        {
            model = ModelSide.Run(seq, spec.BlockSize, v, spec.Type, []);
            kernel = KernelSide.Run(mount, seq);
            d = Conformance.Compare(mount, seq, v, compared);
        }
        if (json)
        {
            Output.WriteJson(new
            {
                fs = spec.Type, blockSize = spec.BlockSize, kernel = release, variant = v.Explicit, ops = seq.Select(o => o.ToString()),
                model = model.Select(o => o.ToString()), kernelObserved = kernel.Select(o => o.ToString()),
                agree = d is null || d.KernelFinding is not null, nondeterministic = d?.Nondeterministic ?? false, kernelFinding = d?.KernelFinding, differences = d?.Differences,
            });
        }
        else
        {
            Console.WriteLine($"conform: {spec} on Linux {release}, model variant [{v}]");
            for (int i = 0; i < seq.Count; i++)
                Console.WriteLine($"{i + 1,2}. {seq[i]}\n      model:  {model[i]}\n      kernel: {kernel[i]}");
            Console.WriteLine(d is null ? "agree" : d.Nondeterministic ? "the kernel's outcome varies between runs: " + d
                : d.KernelFinding is not null ? "agree; kernel finding: " + d.KernelFinding : "DISAGREE " + d);
        }
        return d is null || d.Nondeterministic || d.KernelFinding is not null ? ExitCodes.Holds : ExitCodes.Violation;
    }

    private static HashSet<string> ParseCompare(string? list)
    {
        if (string.IsNullOrWhiteSpace(list)) return [.. Observation.All];
        var set = new HashSet<string>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Observation.All.Contains(name))
                throw new InputException("--compare", 0, "compare", $"'{name}' is not an observable ({string.Join(", ", Observation.All)})");
            set.Add(name);
        }
        return set;
    }

}
