using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// Compiling a scenario (<see cref="MachineBuilder"/>): the unit of its geometry and the limits on
/// it, write ids and operation labels, which threads are interchangeable, actors and the device.
/// </summary>
public class MachineBuilderTests
{
    private static ScenarioSpec TwoThreads(string op, string fs = "xfs") => ScenarioText.Parse($$"""
        id: t
        file: {fs: {{fs}}, block_size: 4K, folio_size: 4K, max_size: 16K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}
        threads:
          - name: a
            ops: [{{op}}]
          - name: b
            ops: [{{op}}]
        """);

    /// <summary>The operations that write new data: each gets a write id of its own (W&lt;n&gt;).</summary>
    private static readonly HashSet<string> Writers =
        ["buffered-write", "dontcache-write", "writethrough", "aio-writethrough", "dio-write", "mmap-store", "bh-write", "aio-dio-write"];

    public static TheoryData<string> KernelOperations() => [.. Operations.All.Where(o => !o.Peer).Select(o => o.Name)];

    /// <summary>Two threads running the operation, on the first file system that takes it.</summary>
    private static KernelState BuildAnywhere(string name)
    {
        var def = Operations.All.Single(o => o.Name == name);
        string op = def.Shape switch
        {
            OpShape.Range => $"{{op: {name}, offset: 0, length: 4K}}",
            OpShape.Size => $"{{op: {name}, size: 4K}}",
            _ => $"{{op: {name}}}",
        };
        var refusals = new List<string>();
        foreach (var fs in new[] { "xfs", "ext4", "fuse", "blockdev" })
        {
            try { return MachineBuilder.Build(TwoThreads(op, fs), Variant.Default); }
            catch (InputException e) { refusals.Add($"{fs}: {e.Message}"); }
        }
        throw new InvalidOperationException($"no file system takes {name}: {string.Join("; ", refusals)}");
    }

    [Theory]
    [MemberData(nameof(KernelOperations))]
    public void AnOperationThatWritesDataGetsAWriteIdAndTheOthersMakeTheirThreadsInterchangeable(string name)
    {
        var s = BuildAnywhere(name);
        var def = Operations.All.Single(o => o.Name == name);
        string range = def.Shape switch { OpShape.Range => "(0, 4K)", OpShape.Size => "(4K)", _ => "" };
        if (Writers.Contains(name))
        {
            Assert.True(def.Writes);
            Assert.Equal(2, s.Machine.WriteCount);
            Assert.Empty(s.Machine.SymmetryClasses);
            Assert.Equal($"{name}{range} W1", s.Machine.Threads[0].Ops[0].Label);
            Assert.Equal($"{name}{range} W2", s.Machine.Threads[1].Ops[0].Label);
        }
        else
        {
            Assert.False(def.Writes);
            Assert.Equal(0, s.Machine.WriteCount);
            Assert.Equal([[0, 1]], s.Machine.SymmetryClasses);
            Assert.Equal(name + range, s.Machine.Threads[0].Ops[0].Label);
        }
    }

    [Fact]
    public void ALabelGivesTheRangeAndSizeInTheScenariosUnits()
    {
        var s = MachineBuilder.Build(ScenarioText.Parse("""
            id: t
            file: {block_size: 1K, folio_size: 4K, max_size: 8K, size: 8K}
            threads:
              - name: a
                ops: [{op: buffered-read, offset: 2K, length: 3K}, {op: truncate, size: 5K}, {op: buffered-write, offset: 1K, length: 6K}]
            """), Variant.Default);
        Assert.Equal(["buffered-read(2K, 3K)", "truncate(5K)", "buffered-write(1K, 6K) W1"], s.Machine.Threads[0].Ops.Select(o => o.Label));
        Assert.Equal(1024, s.Geo.UnitBytes);
    }

    [Fact]
    public void ThreadsWithADifferentOperationOrAWriteAmongTheirsAreNotInterchangeable()
    {
        var s = MachineBuilder.Build(ScenarioText.Parse("""
            id: t
            file: {block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K}
            threads:
              - name: r1
                ops: [{op: buffered-read, offset: 0, length: 4K}]
              - name: w
                ops: [{op: buffered-read, offset: 0, length: 4K}, {op: buffered-write, offset: 0, length: 4K}]
              - name: r2
                ops: [{op: buffered-read, offset: 0, length: 4K}]
              - name: r3
                ops: [{op: buffered-read, offset: 4K, length: 4K}]
              - name: r4
                ops: [{op: buffered-read, offset: 0, length: 4K}]
            """), Variant.Default);
        Assert.Equal([[0, 2, 4]], s.Machine.SymmetryClasses);
    }

    [Fact]
    public void TheDiskSizeAndTheFileSizeRefineTheUnit()
    {
        static int Unit(string file) => MachineBuilder.GeometryOf(ScenarioText.Parse($"""
            id: t
            file: {file}
            threads:
              - name: a
                ops: [{"{"}op: fsync{"}"}]
            """)).UnitBytes;
        Assert.Equal(4096, Unit("{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K}"));
        Assert.Equal(2048, Unit("{block_size: 4K, folio_size: 4K, max_size: 8K, size: 2K}"));
        Assert.Equal(1024, Unit("{block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, disk_size: 1K}"));
        Assert.Equal(4096, Unit("{block_size: 4K, folio_size: 4K, max_size: 8K, size: 0, disk_size: 0}"));
    }

    public static TheoryData<long, long, long, string> BadGeometries() => new()
    {
        { 0, 4096, 8192, "file.folio_size" },
        { 4096, 6144, 12288, "file.folio_size" },
        { 1024, 16384, 16384, "file.folio_size" },
        { 4096, 4096, 0, "file.max_size" },
        { 4096, 8192, 12288, "file.max_size" },
        { 4096, 4096, 25 * 4096, "file.max_size" },
    };

    [Theory]
    [MemberData(nameof(BadGeometries))]
    public void AGeometryOutsideTheLimitsIsRefusedWithItsField(long block, long folio, long max, string field)
    {
        // built from a spec the loader did not see: the builder checks what it relies on itself
        var spec = TwoThreads("{op: fsync}");
        spec = spec with { File = spec.File with { BlockSize = block, FolioSize = folio, MaxSize = max, Size = 0, Extents = [] } };
        var e = Assert.Throws<ScenarioException>(() => MachineBuilder.GeometryOf(spec));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void TheLargestGeometriesStillBuild()
    {
        var spec = TwoThreads("{op: fsync}");
        var g = MachineBuilder.GeometryOf(spec with { File = spec.File with { MaxSize = MachineBuilder.MaxUnits * 4096L, Size = 0, Extents = [] } });
        Assert.Equal(MachineBuilder.MaxUnits, g.Units);
        g = MachineBuilder.GeometryOf(spec with { File = spec.File with { BlockSize = 512, FolioSize = 4096, MaxSize = 8192, Size = 0, Extents = [] } });
        Assert.Equal(8, g.BlocksPerFolio);
    }

    [Fact]
    public void AtMostTwelveThreadsActorsIncluded()
    {
        static ScenarioSpec Readers(int n) => ScenarioText.Parse($"""
            id: t
            file: {"{"}block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K{"}"}
            threads:
            {string.Join("\n", Enumerable.Range(0, n).Select(k => $"  - {{name: r{k}, ops: [{{op: buffered-read, offset: 0, length: 4K}}]}}"))}
            """);
        // XFS adds the device and the workqueue
        var s = MachineBuilder.Build(Readers(MachineBuilder.MaxThreads - 2), Variant.Default);
        Assert.Equal(MachineBuilder.MaxThreads, s.Threads.Length);
        // the loader compiles what it parses: the builder's refusal comes back with the file and field
        var e = Assert.Throws<InputException>(() => Readers(MachineBuilder.MaxThreads - 1));
        Assert.Equal("threads", e.Field);
        Assert.Contains("11 user threads and 2 actors", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDeviceIsAThreadOnlyUnderABlockDevice()
    {
        var xfs = BuildAnywhere("fsync");
        Assert.Equal("xfs", xfs.Machine.Fs.Name);
        Assert.Equal(ThreadKind.Actor, xfs.Machine.Threads[xfs.Machine.DeviceTid].Kind);
        Assert.Equal(2, xfs.Machine.DeviceTid);
        var fuse = TwoThreads("{op: fsync}", "fuse");
        Assert.True(fuse.File.Fuse);
        Assert.False(fuse.File.Blockdev || fuse.File.Bench);
        Assert.True(TwoThreads("{op: fsync}", "blockdev").File.Blockdev);
        // the SPIN peer model has no device; its end-io and flusher processes are actors, its writer and truncate users
        var bench = MachineBuilder.Build(ScenarioText.Parse("""
            id: t
            file: {fs: bench, block_size: 4K, folio_size: 4K, max_size: 8K, size: 0}
            threads:
              - name: writer
                ops: [{op: bench-writer, offset: 0, length: 8K}]
              - name: truncate
                ops: [{op: bench-truncate}]
              - name: bflusher
                ops: [{op: bench-flusher}]
              - name: bendio
                ops: [{op: bench-endio}]
            """), Variant.Default);
        Assert.Equal("bench", bench.Machine.Fs.Name);
        Assert.Equal(-1, bench.Machine.DeviceTid);
        Assert.Equal([ThreadKind.User, ThreadKind.User, ThreadKind.Actor, ThreadKind.Actor], bench.Machine.Threads.Select(t => t.Kind));
        Assert.Equal(1, bench.Machine.WriteCount);
    }

    [Theory]
    [InlineData("{offset: 2K, length: 4K, type: written}")]
    [InlineData("{offset: 0, length: 2K, type: written}")]
    [InlineData("{offset: 4K, length: 8K, type: written}")]
    public void AnExtentMustBeBlockAlignedAndInsideMaxSize(string extent)
    {
        var e = Assert.Throws<InputException>(() => ScenarioText.Parse($$"""
            id: t
            file: {block_size: 4K, folio_size: 4K, max_size: 8K, size: 0, extents: [{{extent}}]}
            threads:
              - name: a
                ops: [{op: fsync}]
            """));
        Assert.Equal("file.extents", e.Field);
        Assert.Contains("must be block aligned and inside max_size", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("xfs", "{op: mmap-read, offset: 2K, length: 4K}", "an mmap-read must stay inside one folio")]
    [InlineData("xfs", "{op: mmap-store, offset: 2K, length: 4K}", "an mmap-store must stay inside one page")]
    [InlineData("blockdev", "{op: bh-write, offset: 2K, length: 4K}", "a bh-write stays inside one folio")]
    [InlineData("xfs", "{op: truncate, size: 12K}", "must be within 0..max_size")]
    public void AnOperationOutsideWhatItCanReachIsRefusedWithItsField(string fs, string op, string message)
    {
        var e = Assert.Throws<InputException>(() => ScenarioText.Parse($$"""
            id: t
            file: {fs: {{fs}}, block_size: 2K, folio_size: 4K, max_size: 8K, size: 8K}
            threads:
              - name: a
                ops: [{{op}}]
            """));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        // the same operation inside one folio builds
        string inside = op.Replace("offset: 2K", "offset: 4K", StringComparison.Ordinal).Replace("size: 12K", "size: 8K", StringComparison.Ordinal);
        Assert.NotNull(ScenarioText.Parse($$"""
            id: t
            file: {fs: {{fs}}, block_size: 2K, folio_size: 4K, max_size: 8K, size: 8K}
            threads:
              - name: a
                ops: [{{inside}}]
            """));
    }
}
