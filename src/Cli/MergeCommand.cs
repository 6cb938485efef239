using System.CommandLine;
using System.Text.Json;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;

namespace ModelCheck.Cli;

/// <summary>
/// `modelcheck merge RESULT.json...`: combines the --json results of the shards of one sharded run
/// (`--shard K/N` of check --engine coyote|fscheck, or of generate) into one result: iterations
/// added up, the wall time of the slowest shard, the verdict violated when any shard found a
/// violation (the lowest shard's, with its trace, copied into --out when given). Every shard 1..N
/// must be there exactly once, and all must be the same run (scenario, variant, engine, strategy).
/// </summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("results") { Description = "the shards' `--json` result files", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string?>("--out") { Description = "copy the violating shard's trace (and generated scenario) here" };
        var json = new Option<bool>("--json") { Description = "print the merged result as JSON" };
        var cmd = new Command("merge", "combine the --json results of a sharded run (--shard K/N) into one") { files, outDir, json };
        cmd.SetAction(p =>
        {
            var rows = p.GetValue(files)!.Select(Load).ToList();
            var merged = Merge(rows);
            if (p.GetValue(outDir) is { } dir && merged.Row.Trace is { } trace)
            {
                merged = merged with { Row = merged.Row with { Trace = Copy(trace, dir), ScenarioFile = merged.Row.ScenarioFile is { } f ? Copy(f, dir) : null } };
                if (merged.Row.CoyoteTrace is { } ct) merged = merged with { Row = merged.Row with { CoyoteTrace = Copy(ct, dir) } };
            }
            var r = merged.Row;
            if (p.GetValue(json)) Output.WriteJson(r);
            else
            {
                Console.WriteLine($"{r.Scenario} [{Output.Variant(r.Variant)}] engine={r.Engine}{(r.Strategy is null ? "" : " strategy=" + r.Strategy)} shards={r.Shard}");
                Console.WriteLine(r.Verdict == "violated"
                    ? $"  verdict: violated {r.Invariant} in shard {merged.ViolatingShard} (seed {r.Seed}), {r.Iterations:N0} iterations over all shards\n  violation: {r.Message}\n  trace: {r.Trace}"
                    : $"  verdict: {r.Verdict}: no violation in {r.Iterations:N0} iterations over {rows.Count} shards ({r.Seconds:0.00} s for the slowest; not a proof)");
            }
            return r.Verdict switch { "violated" => ExitCodes.Violation, "incomplete" => ExitCodes.Incomplete, _ => ExitCodes.Holds };
        });
        return cmd;
    }

    public sealed record Merged(RunRow Row, int? ViolatingShard);

    public static Merged Merge(IReadOnlyList<(string File, RunRow Row)> rows)
    {
        var first = rows[0];
        int n = ShardOf(first).N;
        var seen = new Dictionary<int, string>();
        foreach (var (file, row) in rows)
        {
            var (k, nk) = ShardOf((file, row));
            if (nk != n) throw new InputException(file, 0, "shard", $"shard {row.Shard} is of a run of {nk} shards, {first.File} of {n}");
            if (row.Engine != first.Row.Engine || row.Strategy != first.Row.Strategy || (row.Engine != "generate" && row.Scenario != first.Row.Scenario)
                || Output.Variant(row.Variant) != Output.Variant(first.Row.Variant))
                throw new InputException(file, 0, "scenario", $"not the same run as {first.File} (scenario, variant, engine and strategy must match)");
            if (!seen.TryAdd(k, file)) throw new InputException(file, 0, "shard", $"shard {k}/{n} is also in {seen[k]}");
        }
        var missing = Enumerable.Range(1, n).Where(k => !seen.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InputException(first.File, 0, "shard", $"shard{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(k => $"{k}/{n}"))} missing: merge needs every shard of the run");
        var ordered = rows.OrderBy(r => ShardOf(r).K).ToList();
        var bad = ordered.FirstOrDefault(r => r.Row.Verdict == "violated");
        var total = ordered.Sum(r => r.Row.Iterations ?? 0);
        var merged = (bad.Row ?? first.Row) with
        {
            Shard = $"1-{n}/{n}",
            Iterations = total,
            Seconds = ordered.Max(r => r.Row.Seconds),
            Verdict = bad.Row is not null ? "violated" : ordered.Any(r => r.Row.Verdict == "incomplete") ? "incomplete" : "holds",
            Seed = bad.Row?.Seed,
            StoppedBy = bad.Row is null && ordered.Any(r => r.Row.Verdict == "incomplete") ? "interrupted" : null,
        };
        if (bad.Row is null) merged = merged with { Invariant = null, Message = null, Trace = null, TraceLength = null, CoyoteTrace = null, ScenarioFile = null, IterationsToViolation = null, ShrinkSteps = null };
        return new Merged(merged, bad.Row is null ? null : ShardOf(bad).K);
    }

    private static (int K, int N) ShardOf((string File, RunRow Row) r)
    {
        var parts = r.Row.Shard?.Split('/');
        if (parts is [var a, var b] && int.TryParse(a, out int k) && int.TryParse(b, out int n)) return (k, n);
        throw new InputException(r.File, 0, "shard", r.Row.Shard is null ? "not the result of a sharded run (no \"shard\": run with --shard K/N --json)" : $"'{r.Row.Shard}' is not K/N");
    }

    private static (string, RunRow) Load(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(file, 0, "results", $"cannot read: {e.Message}");
        }
        try
        {
            var row = JsonSerializer.Deserialize<RunRow>(text);
            if (row is null || row.Schema != RunRow.CurrentSchema)
                throw new InputException(file, 1, "schema", $"not a {RunRow.CurrentSchema} result (`check --json` or `generate --json` of one shard)");
            return (file, row);
        }
        catch (JsonException e)
        {
            throw new InputException(file, (int)(e.LineNumber ?? 0) + 1, e.Path ?? "results", $"not a {RunRow.CurrentSchema} result: {e.Message}");
        }
    }

    private static string Copy(string path, string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string to = Path.Combine(dir, Path.GetFileName(path));
            File.Copy(path, to, overwrite: true);
            return to;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException("--out", 0, "out", $"cannot copy {path} into '{dir}': {e.Message}");
        }
    }
}
