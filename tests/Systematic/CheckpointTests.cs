using System.Diagnostics;
using System.Text.Json;
using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// Long runs lose nothing: a search interrupted (or killed) after a checkpoint and resumed from it
/// ends with the same states, transitions, verdict and trace as a straight run.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"mc-ckpt-{Guid.NewGuid():N}");

    public CheckpointTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static ParallelExplorer Explorer(string fix, int workers, string? file = null, bool resume = false,
        Action<ModelCheck.Model.State.KernelState>? visit = null, CancellationToken stop = default) =>
        new(BenchScenario.Invariants, Bounds.Default with { MaxDepth = 10_000 }, workers)
        {
            PartialOrder = false, CheckpointFile = file, Resume = resume, Interrupt = stop, CheckpointKey = "bench 2x2 " + fix, Visit = visit,
            FrontierBlockBits = 12, FrontierMemory = 1 << 16, // small blocks that spill: the checkpoint reads them back from the file
        };

    [Theory]
    [InlineData("on", 1)]   // holds: the whole space
    [InlineData("off", 1)]  // violates: the same shortest trace
    [InlineData("on", 2)]
    public void AnInterruptedAndResumedSearchEndsLikeAStraightOne(string fix, int workers)
    {
        var initial = BenchScenario.Initial(2, 2, fix);
        var straight = Explorer(fix, workers).Run(initial);
        Assert.Equal(fix == "on" ? Verdict.Holds : Verdict.Violated, straight.Verdict);

        string file = Path.Combine(dir, $"s-{fix}-{workers}.checkpoint");
        using var cts = new CancellationTokenSource();
        long visits = 0;
        var first = Explorer(fix, workers, file, stop: cts.Token, visit: _ => { if (Interlocked.Increment(ref visits) == straight.States / 3) cts.Cancel(); });
        var partial = first.Run(initial);
        Assert.True(first.Interrupted);
        Assert.Equal(Verdict.Incomplete, partial.Verdict);
        Assert.True(File.Exists(file));
        Assert.True(partial.States < straight.States);

        var resumed = Explorer(fix, workers, file, resume: true).Run(initial);
        Assert.Equal(straight.Verdict, resumed.Verdict);
        Assert.Equal(straight.States, resumed.States);
        Assert.Equal(straight.Transitions, resumed.Transitions);
        Assert.Equal(straight.MaxDepth, resumed.MaxDepth);
        Assert.Equal(straight.Trace, resumed.Trace);
        Assert.Equal(straight.Violation?.Invariant, resumed.Violation?.Invariant);
        Assert.False(File.Exists(file), "a finished search removes its checkpoint");
    }

    [Fact]
    public void ACheckpointOfAnotherSearchIsRefused()
    {
        string file = Path.Combine(dir, "other.checkpoint");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Explorer("on", 1, file, stop: cts.Token).Run(BenchScenario.Initial(3, 2, "on"));
        Assert.True(File.Exists(file));
        Assert.Throws<InvalidDataException>(() => Explorer("off", 1, file, resume: true).Run(BenchScenario.Initial(3, 2, "off")));
    }

    [Fact]
    public void AKilledCheckIsResumedFromItsLastCheckpoint()
    {
        // the peer model NF=3, about 14 s straight: killed (SIGKILL, no chance to write anything) after its first checkpoints
        string root = Catalog.Locate().Root, ckpt = Path.Combine(dir, "ck");
        string[] args = ["check", "scenarios/bench/bench-spin-a.yaml", "--variant", "BenchFix=on", "--no-por", "-q"];
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "modelcheck.dll"));
        foreach (var a in args.Concat(["--checkpoint", ckpt, "--checkpoint-every", "1"])) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(60) && !p.HasExited
                   && !(Directory.Exists(ckpt) && Directory.GetFiles(ckpt, "*.checkpoint").Length > 0 && clock.Elapsed > TimeSpan.FromSeconds(4)))
                Thread.Sleep(100);
            Assert.False(p.HasExited, "the search ended before it could be killed");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        var (code, output, err) = CliTests.Run([.. args, "--resume", ckpt, "--json"]);
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        // the figures of the straight run (and of SPIN: SpinCrossValidationTests, docs/bench.md)
        Assert.Equal(1_889_530, doc.RootElement.GetProperty("states").GetInt64());
        Assert.Equal(5_562_639, doc.RootElement.GetProperty("transitions").GetInt64());
        Assert.Equal("holds", doc.RootElement.GetProperty("verdict").GetString());
        Assert.True(doc.RootElement.GetProperty("complete").GetBoolean());
    }
}
