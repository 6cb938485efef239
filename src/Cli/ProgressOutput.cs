using System.Diagnostics;
using ModelCheck.Explore.Engines.Exhaustive;
using Spectre.Console;

namespace ModelCheck.Cli;

/// <summary>
/// Progress of long runs on stderr: on a terminal one live status line drawn with Spectre.Console
/// (redrawn about once a second); when stderr is not a terminal, a plain line every ten seconds
/// like TLC's; nothing with --quiet. stdout carries only results.
/// </summary>
public static class ProgressOutput
{
    public enum Mode { Quiet, Plain, Terminal }

    /// <summary>Set once at start-up from --quiet and whether stderr is a terminal.</summary>
    public static Mode Current { get; set; } = Console.IsErrorRedirected ? Mode.Plain : Mode.Terminal;

    /// <summary>Seconds between plain progress lines: 10, or MODELCHECK_PROGRESS_INTERVAL.</summary>
    public static double PlainInterval { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("MODELCHECK_PROGRESS_INTERVAL"), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 ? s : 10;

    private static readonly IAnsiConsole Err = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
        Interactive = InteractionSupport.No,
    });

    private static bool lineOpen;

    private static string Memory() => $"{Environment.WorkingSet / (1024.0 * 1024):N0} MiB";

    private static Action<string, string>? Sink()
    {
        switch (Current)
        {
            case Mode.Terminal:
            {
                var clock = Stopwatch.StartNew();
                double next = 0;
                return (what, text) =>
                {
                    if (clock.Elapsed.TotalSeconds < next) return;
                    next = clock.Elapsed.TotalSeconds + 0.25;
                    // one line, never wrapped: a wrapped line could not be redrawn in place
                    string rest = Markup.Remove(text);
                    int room = Math.Max(10, Err.Profile.Width - 2 - what.Length);
                    if (rest.Length > room) rest = rest[..(room - 1)] + "…";
                    Err.Write(new ControlCode("\r\u001b[2K"));
                    Err.Write(new Text(what + " ", new Style(decoration: Decoration.Bold)));
                    Err.Write(new Text(rest, new Style(Color.Green)));
                    lineOpen = true;
                };
            }
            case Mode.Plain:
            {
                double next = PlainInterval;
                var clock = Stopwatch.StartNew();
                return (what, text) =>
                {
                    if (clock.Elapsed.TotalSeconds < next) return;
                    next = clock.Elapsed.TotalSeconds + PlainInterval;
                    Console.Error.WriteLine($"progress {what}: {Markup.Remove(text)}");
                };
            }
            default:
                return null;
        }
    }

    /// <summary>The exhaustive search: distinct states, transitions, queue, depth, rate, memory, elapsed.</summary>
    public static Action<SearchProgress>? Search(string what) => Sink() is { } sink
        ? p => sink(what, $"[green]{p.States:N0}[/] distinct states, {p.StatesPerSecond:N0}/s, {p.Queue:N0} queued, depth {p.Depth}, " +
                          $"{Memory()}, {p.Seconds:0} s, {p.Transitions:N0} transitions")
        : null;

    /// <summary>Coyote: iterations, iterations per second, bugs found.</summary>
    public static Action<uint, double, int>? Coyote(string what) => Sink() is { } sink
        ? (it, rate, bugs) => sink(what, $"[green]{it:N0}[/] iterations, {rate:N0} it/s, {(bugs > 0 ? "[red]" : "")}{bugs} bugs{(bugs > 0 ? "[/]" : "")}, {Memory()}")
        : null;

    /// <summary>generate: tests run, failures, shrink steps.</summary>
    public static Action<int, int, int, double>? Generate(string what) => Sink() is { } sink
        ? (tests, failures, shrinks, seconds) => sink(what, $"[green]{tests:N0}[/] tests, {failures} failing, {shrinks} shrink steps, {seconds:0} s")
        : null;

    /// <summary>Any other long run (kernel sequences, outcome runs, Coyote tables): a line of plain text.</summary>
    public static Action<string>? Text(string what) => Sink() is { } sink ? text => sink(what, Markup.Escape(text)) : null;

    /// <summary>Clears the live line (terminal mode).</summary>
    public static void End()
    {
        if (Current != Mode.Terminal || !lineOpen) return;
        Err.Write(new ControlCode("\r\u001b[2K"));
        lineOpen = false;
    }
}
