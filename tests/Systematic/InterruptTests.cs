using System.Diagnostics;
using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Systematic;

/// <summary>Ctrl-C (SIGINT) on a long Coyote or generate run: it stops, says what it covered and the seed to continue from, exit 5.</summary>
public class InterruptTests
{
    private static (int Code, string Err) RunAndInterrupt(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Catalog.Locate().Root };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "modelcheck.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEndAsync();
        Thread.Sleep(TimeSpan.FromSeconds(4));
        Assert.False(p.HasExited, "the run ended before it could be interrupted");
        using (var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("the run did not stop within 60 s of SIGINT");
        }
        return (p.ExitCode, err.Result);
    }

    [Fact]
    public void AnInterruptedCoyoteRunSaysWhatItCoveredAndTheSeed()
    {
        var (code, err) = RunAndInterrupt("check", "wt-aio-truncate", "--variant", "WtAioDioCount=on", "--engine", "coyote",
            "--iterations", "100000000", "--seed", "42", "-q");
        Assert.True(code == 5, err);
        Assert.Matches(@"interrupted after [\d,]+ of 100,000,000 iterations \(seed 42, strategy random\)", err);
        Assert.Contains("--seed 43", err);
    }

    [Fact]
    public void AnInterruptedGenerateRunSaysWhatItCoveredAndTheSeed()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mc-gen-{Guid.NewGuid():N}");
        try
        {
            var (code, err) = RunAndInterrupt("generate", "--tests", "100000000", "--seed", "7", "--profile", "fixed", "--out", dir, "-q",
                "--ops", "buffered-write,buffered-read,truncate,fsync");
            Assert.True(code == 5, err);
            Assert.Matches(@"interrupted after [\d,]+ of 100,000,000 tests \(seed 7\)", err);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
