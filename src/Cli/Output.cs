using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Cli;

public static class Output
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>Writes an output file the user named; a path that cannot be written is bad input naming the option.</summary>
    public static void WriteFile(string path, string option, string content)
    {
        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null) Directory.CreateDirectory(dir);
            File.WriteAllText(path, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InputException(option, 0, "path", $"cannot write '{path}': {e.Message}");
        }
    }

    /// <summary>Progress of an exhaustive search (see <see cref="ProgressOutput"/>).</summary>
    public static Action<ModelCheck.Explore.Engines.Exhaustive.SearchProgress>? Progress(string what) => ProgressOutput.Search(what);

    public static void EndProgress() => ProgressOutput.End();

    public static string Variant(IReadOnlyDictionary<string, string> v) =>
        v.Count == 0 ? "default" : string.Join(",", v.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>What `check` runs: the profile, every switch's resolved value, the invariants checked.</summary>
    public static void PrintResolved(ScenarioSpec spec, KernelProfile kernel, Variant v)
    {
        // the file system's implied values where the variant leaves a switch unset (ext4: unlocked reads)
        var fs = ModelCheck.Model.Filesystems.Filesystems.Find(spec.File.Fs);
        var applied = fs?.Apply(v) ?? v;
        var items = Switches.All.Where(s => s != Switches.BenchFix || spec.Id.StartsWith("bench-", StringComparison.Ordinal))
            .Select(s => $"{s.Name}={applied.Get(s)}{(v.Explicit.ContainsKey(s.Name) ? "*" : fs is not null && fs.ImpliedSwitches.ContainsKey(s.Name) ? "+" : "")}");
        string implied = fs is { ImpliedSwitches.Count: > 0 } ? $", + implied by file system {fs.Name}" : "";
        Console.WriteLine(Wrap($"profile {kernel.Name}; switches (* set by --variant{implied}): ", items, 100));
        Console.WriteLine(Wrap("invariants: ", ModelCheck.Invariants.InvariantSet.For(spec).Items.Select(i =>
            spec.Invariants.Contains(i.Id) ? i.Id : i.Id + " (kernel assertions, always)"), 100));
    }

    /// <summary>Items after a head, separated by spaces, wrapped at width with the continuation indented.</summary>
    private static string Wrap(string head, IEnumerable<string> items, int width)
    {
        var sb = new StringBuilder(head);
        int col = head.Length;
        bool lineStart = true;
        foreach (var item in items)
        {
            if (!lineStart && col + 1 + item.Length > width) { sb.Append("\n    "); col = 4; lineStart = true; }
            if (!lineStart) { sb.Append(' '); col++; }
            sb.Append(item);
            col += item.Length;
            lineStart = false;
        }
        return sb.ToString();
    }

    public static void PrintRow(RunRow r)
    {
        Console.WriteLine($"{r.Scenario} [{Variant(r.Variant)}] engine={r.Engine}");
        string complete = !r.Complete ? "" : r.PreemptionBound is { } k ? $" (complete search of every schedule with at most {k} preemptions)" : " (complete bounded search)";
        Console.WriteLine($"  verdict: {r.Verdict}{(r.Invariant is null ? "" : " " + r.Invariant)}{complete}{(r.Preemptions is { } p ? $" after {p} preemptions" : "")}");
        if (r.Message is not null) Console.WriteLine($"  violation: {r.Message}");
        Console.WriteLine($"  states: {r.States:N0}  transitions: {r.Transitions:N0}  depth: {r.Depth}  seconds: {r.Seconds:0.###}  states/s: {r.StatesPerSecond:N0}  peak bytes/state: {r.BytesPerState:N0}");
        if (r.Reduction is { } reduction) Console.WriteLine($"  reduction: {reduction}");
        if (r.ReductionEffect is { } effect) Console.WriteLine($"  reduction effect: {effect}");
        if (r.ReductionBound is { } bound) Console.WriteLine($"  reduction bound: {bound}");
        if (r.Trace is not null) Console.WriteLine($"  trace: {r.Trace} ({r.TraceLength} steps)");
    }

    /// <summary>After a check that found a violation: a blank line, then the replayed race diagram of its saved trace.</summary>
    public static void PrintFoundTrace(TraceFile trace, string path, int width = RaceDiagram.DefaultWidth)
    {
        Console.WriteLine();
        PrintReplay(Replayer.Replay(trace, path), width);
    }

    public static void PrintReplay(ReplayResult replay, int width = RaceDiagram.DefaultWidth)
    {
        foreach (var s in replay.Steps) Console.WriteLine(s.Line());
        Console.WriteLine();
        Console.Write(RaceDiagram.Render(replay, width));
    }

    /// <summary>--width of the race diagram: at least <see cref="RaceDiagram.MinWidth"/> columns.</summary>
    public static Option<int> WidthOption() => new("--width")
    {
        Description = $"width of the race diagram in columns (default {RaceDiagram.DefaultWidth}, at least {RaceDiagram.MinWidth}); text wraps, never cut",
        DefaultValueFactory = _ => RaceDiagram.DefaultWidth,
    };

    public static int Width(int value) => value >= RaceDiagram.MinWidth && value <= 1000
        ? value
        : throw new InputException("--width", 0, "width", $"'{value}' is not between {RaceDiagram.MinWidth} and 1000");
}
