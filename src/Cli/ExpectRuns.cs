using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Cli;

/// <summary>One expect line of one scenario, run: what `matrix` and `check FILE` report.</summary>
public sealed record ExpectRun(ScenarioSpec Spec, ExpectSpec Expect, RunRow Row)
{
    public bool Incomplete => Row.Verdict == "incomplete";
}

/// <summary>Runs scenarios' expect lines with the exhaustive engine, printing one line per row.</summary>
public static class ExpectRuns
{
    public static List<ExpectRun> Run(IEnumerable<ScenarioSpec> specs, KernelProfile kernel, Func<ScenarioSpec, Variant, string?> tracePath,
        bool print, Bounds? bounds = null, bool partialOrder = true, int workers = 1, long frontierMemory = 1L << 30, bool symmetry = true, int? preemptionBound = null)
    {
        var runs = new List<ExpectRun>();
        foreach (var spec in specs)
        {
            if (ProfileOption.MissingOp(kernel, spec) is { } missing)
            {
                if (print) Console.WriteLine($"n/a  {spec.Id,-24} {OpNames.Name(missing.Kind)} is not in {kernel.Name}: {kernel.MissingWhy}");
                continue;
            }
            foreach (var e in spec.Expect)
            {
                var v = kernel.Resolve(e.Variant);
                var (row, _, _) = Checker.Check(spec, v, bounds, tracePath(spec, v), e, Output.Progress($"{spec.Id} [{v}]"), partialOrder, workers, frontierMemory, symmetry: symmetry,
                    preemptionBound: preemptionBound);
                Output.EndProgress();
                runs.Add(new ExpectRun(spec, e, row));
                if (print) Console.WriteLine(Line(row));
            }
        }
        return runs;
    }

    public static string Line(RunRow row) =>
        $"{(row.AsExpected == true ? "ok  " : "FAIL")} {row.Scenario,-24} {Output.Variant(row.Variant),-28} " +
        $"{row.Verdict + (row.Invariant is null ? "" : " " + row.Invariant),-28} expected {row.Expected,-26} " +
        $"states {row.States,9:N0} {row.Seconds,7:0.000}s{(!row.Complete ? "" : row.PreemptionBound is { } k ? $" complete up to {k} preemptions" : " complete")}" +
        $"{(row.Preemptions is { } p ? $" ({p} preemptions)" : "")}";

    /// <summary>0 every row as expected; 5 a row stopped by a bound (and none otherwise wrong); 1 a row not as expected.</summary>
    public static int ExitCode(IReadOnlyList<ExpectRun> runs) =>
        runs.Any(r => r.Row.AsExpected != true && !r.Incomplete) ? ExitCodes.Violation
        : runs.Any(r => r.Incomplete) ? ExitCodes.Incomplete
        : ExitCodes.Holds;
}
