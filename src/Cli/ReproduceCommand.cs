using System.CommandLine;
using ModelCheck.Explore.Conformance;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Kernel;

namespace ModelCheck.Cli;

/// <summary>`modelcheck reproduce`: found traces run on the kernel where user space can decide their interleaving.</summary>
public static class ReproduceCommand
{
    public static Command Create()
    {
        var traces = new Argument<string[]>("trace") { Description = "trace files (none with --all)", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "every trace under traces/" };
        var fs = new Option<string>("--fs") { Description = "xfs | ext4", DefaultValueFactory = _ => "xfs" };
        var json = new Option<bool>("--json") { Description = "print one JSON document" };
        var cmd = new Command("reproduce", "run found traces on the kernel: reproduced, not reproduced, or why not") { traces, all, fs, json };
        cmd.SetAction(p =>
        {
            var files = (p.GetValue(traces) ?? []).ToList();
            if (p.GetValue(all)) files.AddRange(Directory.GetFiles(Catalog.Locate().TraceDir, "*.json").Where(f => !f.EndsWith(".coyote.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            if (files.Count == 0) throw new InputException("reproduce", 0, "trace", "name at least one trace file, or --all");
            var loaded = files.Select(f => (Path: f, Trace: TraceFile.Load(f))).ToList();
            FsSpec? spec = null;
            var results = new List<ReproResult>();
            foreach (var (path, trace) in loaded)
            {
                var scenario = ScenarioLoader.Parse(trace.Scenario, path + " (inline scenario)");
                try
                {
                    spec = FsSpec.Parse(p.GetValue(fs)!, scenario.File.BlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                catch (ArgumentException e)
                {
                    throw new InputException(path, 0, "fs", e.Message);
                }
                var fsSpec = spec;
                results.Add(Reproduce.Run(trace, path, fsSpec, () => LoopMount.CannotRun(fsSpec) is { } why
                    ? throw new CannotRunException(why) : LoopMount.Create(fsSpec),
                    () => FuseMount.CannotRun() is { } why ? throw new CannotRunException(why) : FuseMount.Start(ServerProcess)));
            }
            string release = LoopMount.KernelRelease();
            if (p.GetValue(json))
                Output.WriteJson(new { kernel = release, fs = p.GetValue(fs), results = results.Select(r => new { r.Trace, r.Invariant, status = r.StatusText, r.Why, order = r.Order }) });
            else
            {
                Console.WriteLine($"reproduce on {p.GetValue(fs)} (Linux {release})");
                foreach (var r in results) Console.WriteLine($"  {r.StatusText,-32} {r.Trace}\n  {"",-32} {r.Why}");
                Console.WriteLine($"{results.Count(r => r.Status == ReproStatus.Reproduced)} reproduced, {results.Count(r => r.Status == ReproStatus.NotReproduced)} not reproduced, {results.Count(r => r.Status is not (ReproStatus.Reproduced or ReproStatus.NotReproduced))} not run (reason given)");
            }
            // the kernel disagrees with a trace only when it ran the trace and did not reach its outcome
            return results.Any(r => r.Status == ReproStatus.NotReproduced) ? ExitCodes.Violation : ExitCodes.Holds;
        });
        return cmd;
    }

    /// <summary>This program again, as `fuse-server` (under dotnet when it runs as a dll).</summary>
    public static System.Diagnostics.ProcessStartInfo ServerProcess(string mountPoint)
    {
        string host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? ServerProcessFor(typeof(ReproduceCommand).Assembly.Location)(mountPoint)
            : Start(host, [], mountPoint);
    }

    /// <summary>`dotnet DLL fuse-server ...`: the server from a given modelcheck.dll; writes says what it does with a WRITE.</summary>
    public static Func<string, System.Diagnostics.ProcessStartInfo> ServerProcessFor(string dll, string writes = "--withhold-writes") =>
        mnt => Start("dotnet", [dll], mnt, writes);

    private static System.Diagnostics.ProcessStartInfo Start(string host, string[] first, string mountPoint, string writes = "--withhold-writes")
    {
        var psi = new System.Diagnostics.ProcessStartInfo(host);
        foreach (var a in first.Concat(["fuse-server", "--mount", mountPoint, writes])) psi.ArgumentList.Add(a);
        return psi;
    }
}

/// <summary>The machine cannot run a kernel check; the message says why.</summary>
public sealed class CannotRunException(string why) : Exception(why);
