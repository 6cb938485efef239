using ModelCheck.Explore.Conformance;
using ModelCheck.Explore.Runs;
using ModelCheck.Kernel;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>`outcomes`: the model's allowed final outcomes, and the kernel's observed ones.</summary>
[Collection(KernelCollection.Name)]
public class OutcomeTests
{
    private static readonly Catalog Catalog = Catalog.Locate();

    [Fact]
    public void AReadUnderTheSharedIrwsemSeesAllOldOrAllNewData()
    {
        var (outcomes, complete, _) = ModelOutcomes.Enumerate(Catalog.Resolve("race-write-read"), KernelProfiles.V618.Resolve());
        Assert.True(complete);
        Assert.Equal(
            ["reader.1=[W0 W0] | size 8K file [W1 W1]", "reader.1=[W1 W1] | size 8K file [W1 W1]"],
            outcomes.Select(o => o.ToString()).OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void ATruncateRacingAReadAllowsBothSizes()
    {
        var (outcomes, _, _) = ModelOutcomes.Enumerate(Catalog.Resolve("race-truncate-read"), KernelProfiles.V618.Resolve());
        Assert.Contains(outcomes, o => o.ToString() == "reader.1=[W0] | size 4K file [W0]");
        Assert.Contains(outcomes, o => o.ToString() == "reader.1=[W0 W0] | size 4K file [W0]");
        Assert.Equal(2, outcomes.Count);
    }

    [Fact]
    public void ScenariosTheHarnessCannotBuildAreNamed()
    {
        Assert.StartsWith("aio-writethrough (line ", KernelOutcomes.Unsupported(Catalog.Resolve("wt-aio-truncate")));
        Assert.StartsWith("extent type Unwritten", KernelOutcomes.Unsupported(Catalog.Resolve("wt-aio-dio-read")));
        Assert.Null(KernelOutcomes.Unsupported(Catalog.Resolve("db-ioend-mixed")));
        Assert.StartsWith("the harness runs scenarios on XFS or ext4", KernelOutcomes.Unsupported(Catalog.Resolve("fuse-sync-hang")));
        Assert.Null(KernelOutcomes.Unsupported(Catalog.Resolve("race-dio-write-read")));
    }

    [SkippableTheory]
    [InlineData("race-truncate-read")]
    [InlineData("race-dio-write-read")]
    [InlineData("race-punch-readahead")]
    public void EveryOutcomeTheKernelShowsIsAllowed(string id)
    {
        var spec = Catalog.Resolve(id);
        var fs = new FsSpec("xfs", (int)spec.File.BlockSize);
        Skip.If(LoopMount.CannotRun(fs) is not null, $"kernel outcomes cannot run here: {LoopMount.CannotRun(fs)}");
        var (allowed, complete, _) = ModelOutcomes.Enumerate(spec, KernelProfiles.V618.Resolve());
        Assert.True(complete);
        using var mount = LoopMount.Create(fs);
        var seen = KernelOutcomes.Run(mount, spec, 100, 5);
        Assert.Equal(100, seen.Values.Sum());
        Assert.All(seen.Keys, o => Assert.Contains(o, allowed));
    }

    [Fact]
    public void WithoutEitherLockAReadaheadInsideThePunchLeavesTheOldDataOverTheHole()
    {
        var spec = Catalog.Resolve("race-punch-readahead");
        var (locked, _, _) = ModelOutcomes.Enumerate(spec, KernelProfiles.V618.Resolve());
        Assert.Equal(["punch.2=[0] | size 8K file [0 W0]"], locked.Select(o => o.ToString()));
        var old = new Variant(new Dictionary<string, string>(KernelProfiles.V618.Values) { ["FadviseLock"] = "none", ["FillInvalidateLock"] = "fs-only" });
        var (unlocked, complete, _) = ModelOutcomes.Enumerate(spec, old);
        Assert.True(complete);
        Assert.Contains(unlocked, o => o.Reads == "punch.2=[W0]");
    }

    [Fact]
    public void ATornUnitMatchesOnlyWhereAWholeTagIsAllowed()
    {
        var torn = new Outcome("race-reader.1=[- W0]", "size 8K file [W1 W1]");
        Assert.True(torn.MatchesUpToTearing(new Outcome("race-reader.1=[W1 W0]", "size 8K file [W1 W1]")));
        Assert.False(torn.MatchesUpToTearing(new Outcome("race-reader.1=[W1 W1]", "size 8K file [W1 W1]")));
        Assert.False(torn.MatchesUpToTearing(new Outcome("race-reader.1=[W1 W0]", "size 4K file [W1]")));
        Assert.False(new Outcome("r.1=[W0]", "size 4K file [W0]").MatchesUpToTearing(new Outcome("r.1=[W1]", "size 4K file [W0]")));
    }

    [Fact]
    public void Ext4ReadsTakeNoInodeLockSoAReadMaySeeAWriteHalfDone()
    {
        var fs = new FsSpec("ext4", 4096);
        var ext4 = Conformance.ModelVariant(fs, KernelProfiles.V618, new Dictionary<string, string>());
        var (outcomes, _, _) = ModelOutcomes.Enumerate(Conformance.OnFilesystem(Catalog.Resolve("race-write-read"), fs), ext4);
        Assert.Contains(outcomes, o => o.Reads == "reader.1=[W1 W0]");
        Assert.Equal(4, outcomes.Count);
    }

    [Fact]
    public void AReadThatReachesEofStopsThereEvenIfTheFileGrowsBehindIt()
    {
        // found by outcomes on ext4: an unlocked read once skipped the EOF folio's tail and went on
        var fs = new FsSpec("ext4", 2048);
        var ext4 = Conformance.ModelVariant(fs, KernelProfiles.V618, new Dictionary<string, string>());
        var (outcomes, _, _) = ModelOutcomes.Enumerate(Conformance.OnFilesystem(Catalog.Resolve("race-extend-truncate-read"), fs), ext4);
        Assert.Equal(
            ["truncate.2=[W0 0 W1 W1] | size 8K file [W0 0 W1 W1]", "truncate.2=[W0] | size 2K file [W0]", "truncate.2=[W0] | size 8K file [W0 0 W1 W1]"],
            outcomes.Select(o => o.ToString()).Order(StringComparer.Ordinal));
    }
}
