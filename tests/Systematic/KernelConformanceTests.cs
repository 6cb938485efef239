using System.Text.Json;
using ModelCheck.Explore.Conformance;
using ModelCheck.Kernel;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The model against the running kernel, on private loop-mounted file systems. Each test skips
/// itself, with the reason, where the machine cannot run it (not root, no loop devices, no mkfs);
/// it never passes without having compared anything.
/// </summary>
[Collection(KernelCollection.Name)]
public class KernelConformanceTests
{
    private static readonly HashSet<string> All = [.. Observation.All];

    private static LoopMount Mount(string fs, int blockSize)
    {
        var spec = new FsSpec(fs, blockSize);
        Skip.If(LoopMount.CannotRun(spec) is { } why, $"kernel conformance cannot run here: {LoopMount.CannotRun(spec)}");
        return LoopMount.Create(spec);
    }

    private static Variant ModelOf(string fs, params string[] items) =>
        Conformance.ModelVariant(new FsSpec(fs, 4096), KernelProfiles.V618, Variant.Parse(items).Explicit);

    [SkippableTheory]
    [InlineData("xfs", 4096, 7UL)]
    [InlineData("xfs", 2048, 8UL)]
    public void GeneratedSequencesAgreeWithTheKernel(string fs, int blockSize, ulong seed)
    {
        using var mount = Mount(fs, blockSize);
        var r = Conformance.Run(mount, new ConformOptions(mount.Fs, 120, seed, [.. ConformOp.KernelCalls.Keys], ModelOf(fs), All));
        Assert.True(r.Shrunk is null, $"{mount.Fs}: {r.Shrunk}\n{r.Shrunk?.Table()}");
        Assert.Equal(120, r.Tests);
    }

    /// <summary>What conformance runs on ext4: every operation but DONTCACHE writes (the open case below).</summary>
    private static readonly OpKind[] Ext4Ops = [.. ConformOp.KernelCalls.Keys.Where(k => k != OpKind.DontcacheWrite)];

    [SkippableTheory]
    [InlineData(4096, 11UL)]
    [InlineData(2048, 12UL)]
    [InlineData(1024, 13UL)]
    public void Ext4GeneratedSequencesAgreeWithTheExt4Flavour(int blockSize, ulong seed)
    {
        using var mount = Mount("ext4", blockSize);
        var r = Conformance.Run(mount, new ConformOptions(mount.Fs, 120, seed, Ext4Ops, ModelOf("ext4"), All));
        Assert.True(r.Shrunk is null, $"{mount.Fs}: {r.Shrunk}\n{r.Shrunk?.Table()}");
        Assert.Equal(120, r.Tests);
        // the only kernel finding known on ext4: an extending O_DIRECT write over a post-EOF store
        // (zeroed-range); any other is a model artifact or a new finding, to triage either way
        Assert.All(r.KernelFindings, f => Assert.StartsWith("invariant zeroed-range", f.KernelFinding, StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Ext4PunchAndTruncateDifferFromXfsAsTheKernelShows()
    {
        // no writeback before the punch (the folio stays dirty, the block delalloc); the EOF folio
        // created over a hole by ext4_truncate's block zeroing; both agree with the ext4 flavour
        // and not with XFS's step programs, so the comparison can fail
        foreach (var text in new[] { "buffered-write(0K,4K), punch-hole(1K,1K)", "truncate(8K), truncate(7K)" })
        {
            var seq = ConformOp.ParseSequence(text);
            using var mount = Mount("ext4", 4096);
            Assert.Null(Conformance.Compare(mount, seq, ModelOf("ext4"), All));
            var asXfs = ModelSide.Run(seq, 4096, ModelOf("ext4"), "xfs");
            Assert.NotEqual(KernelSide.Run(mount, seq)[^1].ToString(), asXfs[^1].ToString());
        }
    }

    [SkippableFact]
    public void AnExtendingDirectWriteOverAPostEofStoreIsAKernelFindingOnExt4AndAgreementOnXfs()
    {
        // the kernel and the model agree on every observable; on ext4 the model's zeroed-range
        // flags the outcome (the stored bytes past the old EOF come back), so conform reports a
        // kernel finding; on XFS the EOF zeroing removes them and nothing is flagged
        var seq = ConformOp.ParseSequence("truncate(3K), mmap-store(3K,1K), dio-write(4K,1K), dio-read(3K,1K)");
        using (var ext4 = Mount("ext4", 4096))
        {
            var d = Conformance.Compare(ext4, seq, ModelOf("ext4"), All);
            Assert.NotNull(d);
            Assert.StartsWith("invariant zeroed-range", d.KernelFinding, StringComparison.Ordinal);
        }
        using var xfs = Mount("xfs", 4096);
        Assert.Null(Conformance.Compare(xfs, seq, ModelOf("xfs"), All));
    }

    [SkippableFact]
    public void Ext4KeepsAStoreAfterATruncateUpAsPagecacheIsizeExtendedSays()
    {
        // isize-extend-mmap-ext4: the kernel keeps the second store; a model without
        // pagecache_isize_extended (IsizeExtended=none, before 3.18) loses it, so it disagrees
        var seq = ConformOp.ParseSequence("buffered-write(0K,1K), fsync, mmap-store(0K,1K), truncate(4K), mmap-store(2K,1K), fsync, dio-read(0K,4K)");
        using var mount = Mount("ext4", 1024);
        Assert.Null(Conformance.Compare(mount, seq, ModelOf("ext4"), All));
        var before318 = Conformance.Compare(mount, seq, ModelOf("ext4", "IsizeExtended=none"), All);
        Assert.NotNull(before318);
        // the observables differ at the second store: the kernel faulted and reserved the blocks
        // (extents wddd), the model without the fix did not (whhh) and later loses the store
        Assert.Null(before318.KernelFinding);
        Assert.Contains(before318.Differences, d => d.StartsWith("extents:", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Ext4KeepsADontcacheWriteStartingInsideANewBlockCachedWhichTheModelDoesNotExplain()
    {
        // an open disagreement (docs/conformance.md): on 4K blocks a DONTCACHE write into a new
        // block that does not start at the block's first byte leaves its folio cached after
        // writeback; one starting at the block's start is dropped, as the model says for both
        using var mount = Mount("ext4", 4096);
        Assert.Null(Conformance.Compare(mount, ConformOp.ParseSequence("dontcache-write(0K,1K)"), ModelOf("ext4"), All));
        var d = Conformance.Compare(mount, ConformOp.ParseSequence("dontcache-write(1K,1K)"), ModelOf("ext4"), All);
        Assert.NotNull(d);
        Assert.Equal(["cached: model 00, kernel 10"], d.Differences);
    }

    [SkippableFact]
    public void Ext4LeavesADontcacheOverwriteCachedAsTheModelSays()
    {
        // measured on the live kernel: ext4 ends overwrite writeback in softirq, where 6.18 skips the invalidation
        var seq = ConformOp.ParseSequence("dio-write(0K,4K), dontcache-write(0K,4K), fsync");
        using var mount = Mount("ext4", 4096);
        Assert.Null(Conformance.Compare(mount, seq, ModelOf("ext4"), All));
        var kernel = KernelSide.Run(mount, seq);
        Assert.True(kernel[^1].Cached[0], "the kernel dropped the DONTCACHE folio: " + kernel[^1]);
        // and a model that completes dropbehind in task context disagrees: the comparison can fail
        var wrong = Conformance.Compare(mount, seq, ModelOf("ext4", "DropbehindIrq=complete-in-task"), All);
        Assert.NotNull(wrong);
        Assert.Contains(wrong.Differences, d => d.StartsWith("cached:", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void XfsDropsADontcacheOverwriteThroughItsWorkqueue()
    {
        var seq = ConformOp.ParseSequence("dio-write(0K,4K), dontcache-write(0K,4K), fsync");
        using var mount = Mount("xfs", 4096);
        Assert.Null(Conformance.Compare(mount, seq, ModelOf("xfs"), All));
        Assert.False(KernelSide.Run(mount, seq)[^1].Cached[0]);
    }

    [SkippableFact]
    public void TheStoreAfterAnExtendingDirectWriteSurvivesAsTheKernelShows()
    {
        // docs/findings.md, mmap-extend-dio: the EOF zeroing's flush write-protects the PTE
        var seq = ConformOp.ParseSequence(
            "buffered-write(0K,2K), fsync, mmap-store(0K,1K), dio-write(4K,2K), mmap-store(2K,1K), fsync, buffered-read(0K,6K)");
        using var mount = Mount("xfs", 2048);
        Assert.Null(Conformance.Compare(mount, seq, ModelOf("xfs"), All));
        var read = KernelSide.Run(mount, seq)[^1].Returned!;
        Assert.Equal(ModelCheck.Model.State.DataTag.Write(4), read[2]);
    }

    [SkippableFact]
    public void ATruncateUpKeepsTheBlocksAZeroRangePreallocatedPastEof()
    {
        // found by conformance once zero-range joined it: the model's truncate freed post-EOF blocks
        // when growing the file; xfs_setattr_size calls xfs_itruncate_extents only when it shrinks
        var seq = ConformOp.ParseSequence("zero-range(1K,4K), truncate(3K), buffered-write(3K,2K)");
        using var mount = Mount("xfs", 4096);
        Assert.Null(Conformance.Compare(mount, seq, ModelOf("xfs"), All));
        Assert.Equal("uu", KernelSide.Run(mount, seq)[^1].Extents);
    }

    [SkippableFact]
    public void EveryRunUnmountsAndDetaches()
    {
        string dir;
        using (var mount = Mount("xfs", 4096))
        {
            dir = mount.MountPoint;
            Assert.Contains(dir, File.ReadAllText("/proc/self/mounts"));
        }
        Assert.DoesNotContain(dir, File.ReadAllText("/proc/self/mounts"));
        Assert.False(Directory.Exists(dir));
        // no loop device still backed by this run's image (/sys/block/loopN/loop/backing_file)
        foreach (var loop in Directory.GetDirectories("/sys/block", "loop*"))
        {
            string backing = Path.Combine(loop, "loop", "backing_file");
            if (File.Exists(backing)) Assert.DoesNotContain(Path.GetDirectoryName(dir)!, File.ReadAllText(backing));
        }
    }

    [SkippableFact]
    public void ConformCommandReportsTheKernelAndExitsZeroWhenItAgrees()
    {
        Skip.If(LoopMount.CannotRun(new FsSpec("xfs", 4096)) is not null, "kernel conformance cannot run here");
        var (code, output, err) = CliTests.Run("conform", "--fs", "xfs", "--tests", "30", "--seed", "3", "--json");
        Assert.True(code == 0, err + output);
        using var doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetProperty("agree").GetBoolean());
        Assert.StartsWith("6.", doc.RootElement.GetProperty("kernel").GetString(), StringComparison.Ordinal);
    }
}
