using System.CommandLine;
using ModelCheck.Explore.Traces;

namespace ModelCheck.Cli;

/// <summary>`modelcheck report TRACE --html [FILE]`: the trace as one self-contained HTML page.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var trace = new Argument<string>("trace") { Description = "a trace JSON file" };
        var html = new Option<string?>("--html")
        {
            Description = "write the HTML report to FILE (default out/reports/<trace name>.html)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var cmd = new Command("report", "write a trace as a self-contained HTML page: SVG race diagram, step table, folio timeline") { trace, html };
        cmd.SetAction(p =>
        {
            string path = p.GetValue(trace)!;
            var t = TraceFile.Load(path);
            var r = Replayer.Replay(t, path);
            string outPath = p.GetValue(html) ?? Path.Combine("out", "reports", Path.GetFileNameWithoutExtension(path) + ".html");
            Output.WriteFile(outPath, "--html", HtmlReport.Render(t, r));
            Console.WriteLine($"wrote {outPath} ({r.Steps.Count} steps{(r.Violation is null ? "" : $", violation {r.Violation.Invariant}")})");
            return r.Divergence is null ? ExitCodes.Holds : ExitCodes.BadInput;
        });
        return cmd;
    }
}
