using System.Diagnostics;
using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The packaged tool as a user installs it: `dotnet pack`, `dotnet tool install --tool-path`, then
/// run from a directory that is not the repository. It must find the catalog it carries, check a
/// race, save the trace under the current directory and replay it.
/// </summary>
public sealed class InstalledToolTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"mc-tool-{Guid.NewGuid():N}");

    public InstalledToolTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Out) Run(string file, string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("MODELCHECK_ROOT");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [SkippableFact]
    public void TheInstalledToolCarriesTheCatalogAndWorksOutsideTheRepository()
    {
        string root = Catalog.Locate().Root;
        string pkg = Path.Combine(dir, "pkg"), tools = Path.Combine(dir, "tools"), work = Path.Combine(dir, "work");
        Directory.CreateDirectory(work);
        var (packCode, packOut) = Run("dotnet", root, "pack", "src/Cli", "-c", "Release", "-o", pkg, "-p:PackageVersion=0.0.0-test", "-nologo");
        Assert.True(packCode == 0, packOut);
        var (installCode, installOut) = Run("dotnet", work, "tool", "install", "ModelCheck", "--version", "0.0.0-test", "--tool-path", tools, "--add-source", pkg);
        Skip.If(installCode != 0 && installOut.Contains("NU1301", StringComparison.Ordinal), $"no package feed reachable for dotnet tool install: {installOut}");
        Assert.True(installCode == 0, installOut);
        string tool = Path.Combine(tools, "modelcheck");

        var (listCode, list) = Run(tool, work, "list");
        Assert.Equal(0, listCode);
        Assert.Contains("wt-aio-truncate", list);
        var (checkCode, check) = Run(tool, work, "check", "wt-aio-truncate", "--variant", "WtAioDioCount=off");
        Assert.True(checkCode == 1, check);
        string trace = Path.Combine(work, "out", "traces", "wt-aio-truncate.WtAioDioCount=off.json");
        Assert.True(File.Exists(trace), check);
        var (replayCode, replay) = Run(tool, work, "replay", trace);
        Assert.Equal(1, replayCode);
        Assert.Contains("same violation as recorded", replay);
    }
}
