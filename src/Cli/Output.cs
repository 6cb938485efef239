using System.Text.Encodings.Web;
using System.Text.Json;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;

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

    /// <summary>Progress on stderr, only when stderr is a terminal.</summary>
    public static Action<long, long, int>? Progress(string what) =>
        Console.IsErrorRedirected ? null : (states, transitions, depth) =>
            Console.Error.Write($"\r{what}: {states:N0} states, {transitions:N0} transitions, depth {depth}   ");

    public static void EndProgress()
    {
        if (!Console.IsErrorRedirected) Console.Error.Write("\r" + new string(' ', 78) + "\r");
    }

    public static string Variant(IReadOnlyDictionary<string, string> v) =>
        v.Count == 0 ? "default" : string.Join(",", v.Select(kv => $"{kv.Key}={kv.Value}"));

    public static void PrintRow(RunRow r)
    {
        Console.WriteLine($"{r.Scenario} [{Variant(r.Variant)}] engine={r.Engine}");
        Console.WriteLine($"  verdict: {r.Verdict}{(r.Invariant is null ? "" : " " + r.Invariant)}{(r.Complete ? " (complete bounded search)" : "")}");
        if (r.Message is not null) Console.WriteLine($"  violation: {r.Message}");
        Console.WriteLine($"  states: {r.States:N0}  transitions: {r.Transitions:N0}  depth: {r.Depth}  seconds: {r.Seconds:0.###}  states/s: {r.StatesPerSecond:N0}  peak bytes/state: {r.BytesPerState:N0}");
        if (r.Trace is not null) Console.WriteLine($"  trace: {r.Trace} ({r.TraceLength} steps)");
    }

    /// <summary>After a check that found a violation: a blank line, then the replayed race diagram of its saved trace.</summary>
    public static void PrintFoundTrace(TraceFile trace, string path)
    {
        Console.WriteLine();
        PrintReplay(Replayer.Replay(trace, path));
    }

    public static void PrintReplay(ReplayResult replay)
    {
        foreach (var s in replay.Steps) Console.WriteLine(s.Line());
        Console.WriteLine();
        Console.WriteLine(RaceDiagram.Render(replay));
    }
}
