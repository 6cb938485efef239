using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ModelCheck.Explore.Traces;

namespace ModelCheck.Cli;

/// <summary>
/// `modelcheck report TRACE --html`: one self-contained page (no script, no external file) with
/// the race as an SVG lane diagram (one lane per thread and context, the race window shaded,
/// bio submissions and queued work joined to their completions by arrows), the step table with
/// each step's state changes, and a timeline of every folio's flags.
/// </summary>
public static partial class HtmlReport
{
    private const int LaneWidth = 230, RowHeight = 30, Top = 56, Left = 10;

    [GeneratedRegex(@"^submit_bio (.+)$")]
    private static partial Regex Submit();

    [GeneratedRegex(@"^disk <- (.+)$")]
    private static partial Regex Complete();

    [GeneratedRegex(@"^queue (\S+)")]
    private static partial Regex Queue();

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    public static string Render(TraceFile trace, ReplayResult replay)
    {
        var sb = new StringBuilder();
        string title = $"{trace.ScenarioId} [{Output.Variant(trace.Variant)}]";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>\n<style>\n")
          .Append("body{font-family:sans-serif;margin:24px;color:#222;background:#fff}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
          .Append("table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}")
          .Append("code,td.mono{font-family:monospace}.violation{color:#b00020;font-weight:bold}.fl{font-family:monospace;font-size:11px;white-space:nowrap}")
          .Append(".L{background:#ffe08a}.W{background:#9ecbff}.D{background:#ffb3b3}.G{background:#eee}.R{background:#c9f2c7}")
          .Append("\n</style></head><body>\n");
        sb.Append("<h1>").Append(E(title)).Append("</h1>\n<p>").Append(E(replay.Scenario.Title)).Append(". Engine ").Append(E(trace.Engine))
          .Append(", ").Append(trace.Choices.Count.ToString(CultureInfo.InvariantCulture)).Append(" steps.</p>\n");
        if (replay.Violation is { } v)
            sb.Append("<p class=\"violation\" id=\"violation\">violation ").Append(E(v.Invariant)).Append(": ").Append(E(v.Message)).Append("</p>\n");
        else sb.Append("<p id=\"violation\">no violation along this trace</p>\n");
        if (replay.Divergence is { } d) sb.Append("<p class=\"violation\">the trace diverged from the model: ").Append(E(d)).Append("</p>\n");
        sb.Append("<h2>Race diagram</h2>\n").Append(Svg(replay)).Append('\n');
        sb.Append("<p>One lane per execution context, time runs down. The shaded band is the race window (from the first step of a second ")
          .Append("context to the end). Arrows join a bio's submission to its completion and queued work to the worker that runs it.</p>\n");
        sb.Append("<h2>Initial state</h2>\n<table>").Append(string.Concat(replay.Initial.Select(kv => $"<tr><th>{E(kv.Key)}</th><td class=\"mono\">{E(kv.Value)}</td></tr>"))).Append("</table>\n");
        sb.Append("<h2>Steps</h2>\n<table id=\"steps\"><tr><th>#</th><th>context</th><th>kernel function</th><th>what changed</th></tr>\n");
        foreach (var s in replay.Steps)
            sb.Append("<tr><td>").Append(s.K.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(E(s.Thread)).Append("</td><td class=\"mono\">")
              .Append(E(Call(s))).Append("</td><td class=\"mono\">").Append(string.Join("<br>", s.Notes.Concat(s.Changes).Select(E))).Append("</td></tr>\n");
        sb.Append("</table>\n");
        sb.Append(FolioTimeline(replay));
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string Call(ReplayStep s) => s.Args.Length > 0 ? $"{s.Function}({s.Args})" : s.Function;

    /// <summary>The lane diagram.</summary>
    public static string Svg(ReplayResult replay)
    {
        var steps = replay.Steps;
        var lanes = steps.Select(s => s.Thread).Distinct().ToList();
        int width = Left * 2 + Math.Max(1, lanes.Count) * LaneWidth;
        int height = Top + (steps.Count + 1) * RowHeight;
        double X(string thread) => Left + lanes.IndexOf(thread) * LaneWidth + LaneWidth / 2.0;
        double Y(int k) => Top + (k - 0.5) * RowHeight;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"race\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"11\">\n");
        sb.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n");
        int window = RaceDiagram.WindowStart(steps);
        if (window > 0)
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"window\" x=\"{Left / 2}\" y=\"{N(Y(window) - RowHeight / 2.0)}\" width=\"{width - Left}\" height=\"{N((steps[^1].K - window + 1) * (double)RowHeight)}\" fill=\"#fff3cd\"/>\n");
        foreach (var lane in lanes)
        {
            double x = X(lane);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(x)}\" y1=\"{Top - 12}\" x2=\"{N(x)}\" y2=\"{height - 4}\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\n");
            var ctx = steps.First(s => s.Thread == lane).Context;
            string head = ctx == Model.Steps.ExecContext.Task ? lane : $"{lane} ({ctx.ToString().ToLowerInvariant()})";
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"lane\" x=\"{N(x)}\" y=\"{Top - 20}\" text-anchor=\"middle\" font-weight=\"bold\" font-size=\"13\">{E(head)}</text>\n");
        }
        foreach (var (from, to, label) in Arrows(steps))
        {
            double x1 = X(steps[from].Thread), y1 = Y(steps[from].K), x2 = X(steps[to].Thread), y2 = Y(steps[to].K);
            sb.Append(CultureInfo.InvariantCulture, $"<path class=\"arrow\" d=\"M {N(x1)} {N(y1 + 8)} C {N((x1 + x2) / 2)} {N(y1 + 8)}, {N((x1 + x2) / 2)} {N(y2 - 8)}, {N(x2)} {N(y2 - 9)}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"><title>{E(label)}</title></path>\n");
        }
        foreach (var s in steps)
        {
            double x = X(s.Thread), y = Y(s.K);
            string call = Call(s);
            // a long call is squeezed to the box, never cut (its full text is also the tooltip and in the step table)
            int room = LaneWidth - 20;
            string fit = call.Length * 6.6 > room ? $" textLength=\"{room}\" lengthAdjust=\"spacingAndGlyphs\"" : "";
            bool last = replay.Violation is not null && s.K == steps[^1].K;
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"step\"><title>[{s.K}] {E(call)}{E(string.Concat(s.Notes.Concat(s.Changes).Select(c => "\n" + c)))}</title>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(x - LaneWidth / 2.0 + 6)}\" y=\"{N(y - 10)}\" width=\"{LaneWidth - 12}\" height=\"20\" rx=\"4\" fill=\"{(last ? "#f8d7da" : "#e8f0fe")}\" stroke=\"{(last ? "#b00020" : "#4a6fa5")}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x)}\" y=\"{N(y + 4)}\" text-anchor=\"middle\"{fit}>{E(call)}</text></g>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left / 2}\" y=\"{N(y + 4)}\" fill=\"#888\" font-size=\"9\">{s.K}</text>\n");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>(from, to, label) step indexes: a bio's submission to the completion that writes it; queued work to the step that runs it.</summary>
    public static List<(int From, int To, string Label)> Arrows(IReadOnlyList<ReplayStep> steps)
    {
        var arrows = new List<(int, int, string)>();
        for (int i = 0; i < steps.Count; i++)
            foreach (var note in steps[i].Notes)
            {
                if (Submit().Match(note) is { Success: true } m)
                {
                    int j = Later(steps, i, s => s.Notes.Any(n => Complete().Match(n) is { Success: true } c && c.Groups[1].Value == m.Groups[1].Value));
                    if (j > 0) arrows.Add((i, j, "bio " + m.Groups[1].Value));
                }
                else if (Queue().Match(note) is { Success: true } q)
                {
                    int j = Later(steps, i, s => s.Function == q.Groups[1].Value && s.Thread != steps[i].Thread);
                    if (j > 0) arrows.Add((i, j, "work " + q.Groups[1].Value));
                }
            }
        return arrows;
    }

    private static int Later(IReadOnlyList<ReplayStep> steps, int i, Func<ReplayStep, bool> match)
    {
        for (int j = i + 1; j < steps.Count; j++)
            if (match(steps[j])) return j;
        return -1;
    }

    /// <summary>Each folio's flags after every step, as a colour-coded table.</summary>
    private static string FolioTimeline(ReplayResult replay)
    {
        var folios = replay.Initial.Keys.Where(k => k.Length > 1 && k[0] == 'F' && char.IsDigit(k[1])).ToList();
        if (folios.Count == 0 || replay.Steps.Count == 0) return "";
        var sb = new StringBuilder("<h2>Folio timeline</h2>\n<p>Flags after each step: <span class=\"fl L\">L</span> locked, <span class=\"fl D\">D</span> dirty, ")
            .Append("<span class=\"fl W\">W</span> writeback, <span class=\"fl R\">B</span> dropbehind, U uptodate, - not cached.</p>\n<table id=\"folios\"><tr><th>folio</th><th>initial</th>");
        foreach (var s in replay.Steps) sb.Append("<th>").Append(s.K.ToString(CultureInfo.InvariantCulture)).Append("</th>");
        sb.Append("</tr>\n");
        foreach (var f in folios)
        {
            sb.Append("<tr><th>").Append(E(f)).Append("</th>").Append(FlagCell(replay.Initial[f]));
            foreach (var s in replay.Steps) sb.Append(FlagCell(s.After.TryGetValue(f, out var v) ? v : "-"));
            sb.Append("</tr>\n");
        }
        return sb.Append("</table>\n").ToString();
    }

    private static string FlagCell(string folio)
    {
        if (folio == "-") return "<td class=\"fl G\">-</td>";
        var flags = new StringBuilder();
        if (folio.Contains("locked(", StringComparison.Ordinal)) flags.Append('L');
        if (folio.Contains("uptodate", StringComparison.Ordinal)) flags.Append('U');
        if (folio.Split(' ').Contains("dirty")) flags.Append('D');
        if (folio.Contains("writeback", StringComparison.Ordinal)) flags.Append('W');
        if (folio.Contains("dropbehind", StringComparison.Ordinal)) flags.Append('B');
        string cls = flags.ToString().Contains('L') ? "L" : flags.ToString().Contains('W') ? "W" : flags.ToString().Contains('D') ? "D" : flags.ToString().Contains('B') ? "R" : "";
        return $"<td class=\"fl {cls}\" title=\"{E(folio)}\">{flags}</td>";
    }
}
