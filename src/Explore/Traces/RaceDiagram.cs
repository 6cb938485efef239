using System.Text;

namespace ModelCheck.Explore.Traces;

/// <summary>
/// Renders a replayed trace as the n-column CPU diagram of the kernel mailing lists: time runs
/// downward, one column per execution context, each step in its thread's column.
/// </summary>
public static class RaceDiagram
{
    public static string Render(ReplayResult replay, int columnWidth = 34) =>
        Render(replay.Steps, columnWidth, replay.Blocked);

    public static string Render(IReadOnlyList<ReplayStep> steps, int columnWidth = 34, IReadOnlyList<(string Thread, string Wait)>? blocked = null)
    {
        var columns = steps.Select(s => s.Thread).Distinct().ToList();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(" ", columns.Select(c => Pad(Header(c, steps), columnWidth))).TrimEnd());
        sb.AppendLine(string.Join(" ", columns.Select(_ => new string('-', columnWidth))).TrimEnd());
        foreach (var s in steps)
        {
            int col = columns.IndexOf(s.Thread);
            var lines = Cell(s, columnWidth);
            foreach (var line in lines)
            {
                var row = new StringBuilder();
                for (int c = 0; c < columns.Count; c++)
                    row.Append(Pad(c == col ? line : "", columnWidth)).Append(' ');
                sb.AppendLine(row.ToString().TrimEnd());
            }
        }
        if (blocked is { Count: > 0 })
        {
            var row = new StringBuilder();
            foreach (var c in columns)
            {
                var b = blocked.FirstOrDefault(x => x.Thread == c);
                row.Append(Pad(b.Thread is null ? "" : Clip("[blocked] " + b.Wait, columnWidth), columnWidth)).Append(' ');
            }
            sb.AppendLine(row.ToString().TrimEnd());
        }
        return sb.ToString();
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
        var lines = new List<string> { Clip($"{s.Function}({s.Args})".Replace("()", ""), width) };
        foreach (var note in s.Notes.Concat(s.Changes.Where(Important)))
            lines.Add(Clip("  " + Shorten(note), width));
        return lines;
    }

    private static bool Important(string change) =>
        change.StartsWith("i_size", StringComparison.Ordinal) || change.StartsWith("i_dio_count", StringComparison.Ordinal)
        || change.StartsWith("i_disk_size", StringComparison.Ordinal) || change.StartsWith("AS_STABLE", StringComparison.Ordinal);

    private static string Shorten(string change) => change.Replace(": ", " ").Replace(" -> ", "->");

    private static string Clip(string s, int width) => s.Length <= width ? s : s[..(width - 1)] + "~";

    private static string Pad(string s, int width) => s.PadRight(width);
}
