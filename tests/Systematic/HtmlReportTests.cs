using System.Diagnostics;
using System.Xml.Linq;
using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// `modelcheck report TRACE --html`: the page's parts, and the page as a browser draws it
/// (headless Chromium, Debian's `chromium` package; skipped with the reason where it is missing).
/// </summary>
public sealed class HtmlReportTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"mc-html-{Guid.NewGuid():N}");

    public HtmlReportTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Report()
    {
        string html = Path.Combine(dir, "report.html");
        var (code, output, err) = CliTests.Run("report", Catalog.Locate().TracePath("wt-aio-truncate", "WtAioDioCount=off"), "--html", html);
        Assert.True(code == 0, err);
        Assert.Contains("violation isize-regression", output);
        return html;
    }

    [Fact]
    public void ThePageHoldsTheLaneDiagramTheStepsAndTheFolioTimeline()
    {
        string page = File.ReadAllText(Report());
        int start = page.IndexOf("<svg", StringComparison.Ordinal), end = page.IndexOf("</svg>", StringComparison.Ordinal) + 6;
        var svg = XDocument.Parse(page[start..end]).Root!;
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(16, svg.Elements(ns + "g").Count(g => (string?)g.Attribute("class") == "step"));
        Assert.Equal(["writer", "truncate", "IRQ (irq)", "wq (workqueue)"], svg.Elements(ns + "text").Where(t => (string?)t.Attribute("class") == "lane").Select(t => t.Value));
        // the aio bio's submission to its completion, and the completion's queued work to the worker
        var arrows = svg.Elements(ns + "path").Where(p => (string?)p.Attribute("class") == "arrow").Select(p => p.Element(ns + "title")!.Value).ToList();
        Assert.Equal(2, arrows.Count);
        Assert.Contains(arrows, a => a.StartsWith("bio ", StringComparison.Ordinal));
        Assert.Contains(arrows, a => a == "work iomap_writethrough_complete_work");
        Assert.Single(svg.Elements(ns + "rect"), r => (string?)r.Attribute("class") == "window");
        Assert.Contains("<table id=\"steps\">", page);
        Assert.Contains("<table id=\"folios\">", page);
        Assert.DoesNotContain("<script", page);
        Assert.DoesNotContain("http://", page.Replace("http://www.w3.org/2000/svg", ""));
    }

    private static string? FindChromium() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, n)))
            .FirstOrDefault(File.Exists);

    [SkippableFact]
    public void HeadlessChromiumDrawsTheRaceWindowAndTheViolation()
    {
        string? chromium = FindChromium();
        Skip.If(chromium is null, "no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)");
        string html = Report(), png = Path.Combine(dir, "shot.png");
        var psi = new ProcessStartInfo(chromium!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--user-data-dir={Path.Combine(dir, "profile")}",
                     "--window-size=1100,700", $"--screenshot={png}", new Uri(html).AbsoluteUri })
            psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var err = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish in 90 s");
            }
            Assert.True(File.Exists(png), $"no screenshot: {err.Result}");
        }
        var img = PngImage.Load(png);
        Assert.Equal((1100, 700), (img.Width, img.Height));
        int window = 0, red = 0, ink = 0;
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
            {
                var (r, g, b) = img.Pixel(x, y);
                if (r == 0xff && g == 0xf3 && b == 0xcd) window++;                 // the race window's band
                if (r > 150 && g < 40 && b < 70) red++;                             // the violation's text
                if (r < 128 && g < 128 && b < 128) ink++;
            }
        Assert.True(window > 20_000, $"race window pixels: {window}");
        Assert.True(red > 200, $"violation-red pixels: {red}");
        Assert.True(ink > 2_000, $"dark pixels: {ink}");
    }
}
