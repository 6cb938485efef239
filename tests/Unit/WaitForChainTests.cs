using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// The wait-for chain a blocked-forever violation prints, link by link: through an i_rwsem held by
/// a blocked writer, and through a folio lock held by a blocked migration, to the FUSE server that
/// never answers. (These links were the surviving mutants of src/Invariants: nothing checked them.)
/// </summary>
public class WaitForChainTests
{
    private static string Chain(string yaml)
    {
        var spec = ScenarioLoader.Parse(yaml, "chain.yaml");
        var (row, _, _) = Checker.Check(spec, Variant.Parse(["FuseWriteback=no-temp-page"]));
        Assert.Equal("blocked-forever", row.Invariant);
        return row.Message!;
    }

    private const string Fuse = """
        file: {fs: fuse, block_size: 4K, folio_size: 4K, max_size: 8K, size: 4K, STABLE
               extents: [{offset: 0, length: 4K, type: written}],
               cached: [{offset: 0, length: 4K, dirty: true}]}
        actors: {flusher: 1, device: irq, fuse_server: {threads: 1, behaviour: never}}
        invariants: [blocked-forever, deadlock]
        """;

    [Fact]
    public void ThroughTheIrwsemOfAWriterWaitingForStablePages()
    {
        string yaml = "id: chain-rwsem\n" + Fuse.Replace("STABLE", "stable_writes: true,") + """

            threads:
              - {name: syncer, ops: [{op: fsync, may_block: true}]}
              - {name: writer, ops: [{op: buffered-write, offset: 0, length: 4K, may_block: true}]}
              - {name: trunc, ops: [{op: truncate, size: 0}]}
            """;
        Assert.Equal("blocked forever: trunc -> inode_lock(i_rwsem) -> writer -> folio_wait_stable(F0) -> server -> the server never answers -> nobody (the server never answers)",
            Chain(yaml));
    }

    [Fact]
    public void ThroughTheFolioLockOfAMigrationWaitingForWriteback()
    {
        string yaml = "id: chain-folio-lock\n" + Fuse.Replace("STABLE", "") + """

            threads:
              - {name: mover, ops: [{op: migrate, offset: 0, length: 4K, may_block: true}]}
              - {name: reader, ops: [{op: mmap-read, offset: 0, length: 4K}]}
            """;
        Assert.Equal("blocked forever: reader -> folio_lock(F0) -> mover -> folio_wait_writeback(F0) [MIGRATE_SYNC] -> server -> the server never answers -> nobody (the server never answers)",
            Chain(yaml));
    }
}

/// <summary>Who holds an rwsem a thread waits for: the writer, or every reader, in thread order.</summary>
public class RwsemHoldersTests
{
    private static ModelCheck.Model.State.KernelState ThreeThreads()
    {
        var spec = ScenarioText.Parse("""
            id: t
            file: {block_size: 4K, folio_size: 4K, max_size: 4K, size: 0}
            threads:
              - {name: a, ops: [{op: fsync}]}
              - {name: b, ops: [{op: fsync}]}
              - {name: c, ops: [{op: fsync}]}
            """);
        return ModelCheck.Model.Scenario.MachineBuilder.Build(spec, Variant.Default).Clone();
    }

    private static readonly ModelCheck.Model.Steps.Wait OnIrwsem = new(ModelCheck.Model.Steps.WaitKind.IRwsem, 0, "i_rwsem", null);

    [Theory]
    [InlineData(-1, 0b000, new int[0])]
    [InlineData(0, 0b000, new[] { 0 })]
    [InlineData(2, 0b000, new[] { 2 })]
    [InlineData(-1, 0b001, new[] { 0 })]
    [InlineData(-1, 0b110, new[] { 1, 2 })]
    [InlineData(-1, 0b111, new[] { 0, 1, 2 })]
    public void TheWriterOrEveryReader(int writer, int readers, int[] holders)
    {
        var s = ThreeThreads();
        s.InodeW.IRwsem = new ModelCheck.Model.State.RwSem { Writer = (sbyte)writer, Readers = readers };
        Assert.Equal(holders, ModelCheck.Invariants.WaitFor.Holders(s, OnIrwsem).ToArray());
    }
}
