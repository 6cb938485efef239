using ModelCheck.Explore.Conformance;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;
using ModelCheck.Kernel;

namespace ModelCheck.Tests.Systematic;

/// <summary>`reproduce`: checked-in traces on the kernel, or the reason they cannot run there.</summary>
[Collection(KernelCollection.Name)]
public class ReproduceTests
{
    private static string TracePath(string prefix) =>
        Directory.GetFiles(Catalog.Locate().TraceDir, prefix + "*.json").Order(StringComparer.Ordinal).First();

    private static ReproResult Run(string prefix, string fs)
    {
        string path = TracePath(prefix);
        var spec = new FsSpec(fs, 4096);
        return Reproduce.Run(TraceFile.Load(path), path, spec, () =>
        {
            Skip.If(LoopMount.CannotRun(spec) is not null, $"kernel reproduce cannot run here: {LoopMount.CannotRun(spec)}");
            return LoopMount.Create(spec);
        });
    }

    [SkippableFact]
    public void TheDontcacheLeakReproducesOnExt4()
    {
        var r = Run("db-irq-skip-fs.", "ext4");
        Assert.Equal(ReproStatus.Reproduced, r.Status);
        Assert.Equal("dropbehind-leak", r.Invariant);
        Assert.Equal(["writer: dontcache-write(0, 4K) W1", "writer: fsync"], r.Order);
    }

    [Fact]
    public void WriteThroughTracesNameTheMissingFlag()
    {
        var r = Run("wt-aio-truncate.", "xfs");
        Assert.Equal(ReproStatus.MechanismAbsent, r.Status);
        Assert.Contains("RWF_WRITETHROUGH", r.Why);
    }

    [Fact]
    public void APatchedBehaviourIsNotTheKernelHere()
    {
        var r = Run("db-redirty.", "xfs");
        Assert.Equal(ReproStatus.MechanismAbsent, r.Status);
        Assert.Contains("DropbehindRecheck=off", r.Why);
        Assert.Contains("EOPNOTSUPP", Run("db-batch-full.", "xfs").Why);
    }

    [SkippableFact]
    public void SyncOnASilentFuseServerDoesNotHangOn618()
    {
        string path = Directory.GetFiles(Catalog.Locate().TraceDir, "fuse-sync-hang.FuseWriteback=no-temp-page+merged-flag.json").Single();
        Skip.If(FuseMount.CannotRun() is not null, $"FUSE checks cannot run here: {FuseMount.CannotRun()}");
        var r = Reproduce.Run(TraceFile.Load(path), path, new FsSpec("xfs", 4096), () => throw new InvalidOperationException("no loop mount"),
            () => FuseMount.Start(Cli.ReproduceCommand.ServerProcessFor(Path.Combine(AppContext.BaseDirectory, "modelcheck.dll"))));
        Assert.Equal(ReproStatus.NotReproduced, r.Status);
        Assert.Contains("syncfs returned", r.Why);
        Assert.Equal(ReproStatus.NotFromUserSpace, Run("fuse-migrate.FuseWriteback=no-temp-page+merged-flag", "xfs").Status);
    }
}
