using System.Text;

namespace ModelCheck.Explore.Traces;

/// <summary>
/// Renders a replayed trace as the n-column CPU diagram of the kernel mailing lists: the initial
/// state, then time running downward with one column per execution context and each step in its
/// thread's column, the race window marked, and a legend. Text is wrapped, never cut, to fit the
/// requested width.
/// </summary>
public static class RaceDiagram
{
    /// <summary>The default width of the whole diagram, in columns.</summary>
    public const int DefaultWidth = 100;

    /// <summary>The narrowest diagram rendered: below it a column could not hold a word.</summary>
    public const int MinWidth = 40;

    public static string Render(ReplayResult replay, int width = DefaultWidth) =>
        Render(replay.Steps, width, replay.Blocked, replay.Initial, replay.Violation?.Invariant);

    public static string Render(IReadOnlyList<ReplayStep> steps, int width = DefaultWidth, IReadOnlyList<(string Thread, string Wait)>? blocked = null,
        IReadOnlyDictionary<string, string>? initial = null, string? violated = null)
    {
        width = Math.Max(MinWidth, width);
        var columns = steps.Select(s => s.Thread).Distinct().ToList();
        int n = Math.Max(1, columns.Count);
        int col = Math.Max(8, (width - (n - 1)) / n);
        var sb = new StringBuilder();
        if (initial is { Count: > 0 })
        {
            foreach (var line in Wrap("initial: " + InitialSummary(initial), width, "  ")) sb.AppendLine(line);
            sb.AppendLine();
        }
        Row(sb, columns.Select(c => Wrap(Header(c, steps), col, " ")).ToList(), col);
        sb.AppendLine(string.Join(" ", columns.Select(_ => new string('-', col))).TrimEnd());
        int windowOpens = WindowStart(steps);
        foreach (var s in steps)
        {
            if (s.K == windowOpens) sb.AppendLine(Marker(" race window opens ", width));
            int at = columns.IndexOf(s.Thread);
            Row(sb, columns.Select((_, c) => c == at ? Cell(s, col) : []).ToList(), col);
        }
        if (windowOpens > 0) sb.AppendLine(Marker(violated is null ? " race window closes " : $" race window closes: {violated} ", width));
        if (blocked is { Count: > 0 })
            Row(sb, columns.Select(c => blocked.FirstOrDefault(x => x.Thread == c) is { Thread: not null } b ? Wrap("[blocked] " + b.Wait, col, "  ") : []).ToList(), col);
        sb.AppendLine();
        foreach (var line in Wrap(Legend(steps), width, "  ")) sb.AppendLine(line);
        return sb.ToString();
    }

    /// <summary>
    /// The first step that another context runs after the first thread's sequential prefix: the
    /// trace is a shortest one, so what runs before it only sets the race up. 0 when one context ran everything.
    /// </summary>
    public static int WindowStart(IReadOnlyList<ReplayStep> steps) =>
        steps.FirstOrDefault(s => steps.Count > 0 && s.Thread != steps[0].Thread)?.K ?? 0;

    private static string Marker(string text, int width) =>
        ("~~~" + text).PadRight(Math.Min(width, Math.Max(text.Length + 6, 60)), '~');

    private static void Row(StringBuilder sb, List<List<string>> cells, int col)
    {
        int lines = cells.Count == 0 ? 0 : cells.Max(c => c.Count);
        for (int i = 0; i < lines; i++)
            sb.AppendLine(string.Join(" ", cells.Select(c => (i < c.Count ? c[i] : "").PadRight(col))).TrimEnd());
    }

    private static string Header(string thread, IReadOnlyList<ReplayStep> steps)
    {
        var ctx = steps.First(s => s.Thread == thread).Context;
        return ctx switch
        {
            Model.Steps.ExecContext.Irq => $"{thread} (irq)",
            Model.Steps.ExecContext.Workqueue => $"{thread} (workqueue)",
            _ => thread,
        };
    }

    private static List<string> Cell(ReplayStep s, int width)
    {
        var lines = Wrap(s.Args.Length > 0 ? $"{s.Function}({s.Args})" : s.Function, width, "  ");
        foreach (var note in s.Notes.Concat(s.Changes.Where(Important)))
            lines.AddRange(Wrap("  " + Shorten(note), width, "    "));
        return lines;
    }

    private static bool Important(string change) =>
        change.StartsWith("i_size", StringComparison.Ordinal) || change.StartsWith("i_dio_count", StringComparison.Ordinal)
        || change.StartsWith("i_disk_size", StringComparison.Ordinal) || change.StartsWith("AS_STABLE", StringComparison.Ordinal);

    private static string Shorten(string change) => change.Replace(": ", " ").Replace(" -> ", "->");

    /// <summary>What the diagram starts from: sizes, the folios present and the blocks, leaving out what is free or zero.</summary>
    private static string InitialSummary(IReadOnlyDictionary<string, string> s)
    {
        var parts = new List<string>();
        foreach (var (k, v) in s)
        {
            bool idle = v is "-" or "free" or "clear" || (k == "i_dio_count" && v == "0");
            if (!idle) parts.Add($"{k} {v}");
        }
        return string.Join("; ", parts.OrderBy(p => p.StartsWith("i_", StringComparison.Ordinal) ? 0 : p.StartsWith('F') ? 1 : 2));
    }

    private static string Legend(IReadOnlyList<ReplayStep> steps)
    {
        var items = new List<string>
        {
            "legend: one column per execution context, time runs down",
            "F<n> folio n, blk<n> file block n",
            "W<n> data of the n-th write, 0 zeros, Stale a previous owner's bytes",
            "a->b a value before and after the step",
            "marks:D/T/W the DIRTY, TOWRITE and WRITEBACK xarray marks",
        };
        if (WindowStart(steps) > 0) items.Add("race window: from the first step of a second context to the end of the trace");
        return string.Join("; ", items) + ".";
    }

    /// <summary>Word-wraps text to width; continuation lines start with indent; a word longer than a line is broken, never dropped.</summary>
    public static List<string> Wrap(string text, int width, string indent)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        int lead = Math.Min(text.Length - text.TrimStart().Length, width / 2);
        line.Append(text[..lead]);
        foreach (var word in Words(text[lead..]))
        {
            string w = word;
            while (w.Length > 0)
            {
                int room = width - line.Length;
                if (w.Length <= room)
                {
                    line.Append(w);
                    break;
                }
                if (line.ToString().Trim().Length > 0)
                {
                    // the word goes to the next line
                    lines.Add(line.ToString().TrimEnd());
                    line.Clear().Append(indent);
                    w = w.TrimStart();
                    continue;
                }
                // longer than a whole line: break it after its last '_' that fits, else at the edge
                int take = Math.Max(1, room);
                int underscore = w.LastIndexOf('_', take - 1);
                if (underscore > 0) take = underscore + 1;
                line.Append(w[..take]);
                w = w[take..];
                lines.Add(line.ToString().TrimEnd());
                line.Clear().Append(indent);
            }
        }
        if (line.ToString().Trim().Length > 0 || lines.Count == 0) lines.Add(line.ToString().TrimEnd());
        return lines;
    }

    /// <summary>Splits at spaces (kept with the following word) and after '(' and ',' so long calls wrap at their arguments.</summary>
    private static IEnumerable<string> Words(string text)
    {
        var w = new StringBuilder();
        foreach (char c in text)
        {
            if (c == ' ' && w.Length > 0 && w[^1] != ' ')
            {
                yield return w.ToString();
                w.Clear();
            }
            w.Append(c);
            if (c is '(' or ',')
            {
                yield return w.ToString();
                w.Clear();
            }
        }
        if (w.Length > 0) yield return w.ToString();
    }
}
