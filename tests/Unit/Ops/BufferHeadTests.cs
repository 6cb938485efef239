using ModelCheck.Explore.Scenarios;

namespace ModelCheck.Tests.Unit.Ops;

/// <summary>Buffer heads on the block device (bh-write) and buffer migration (migrate on fs: blockdev).</summary>
public class BufferHeadTests
{
    private static ScenarioSpec Spec(string meta, string migrate = "[{op: migrate, offset: 0, length: 4K}]") => ScenarioText.Parse($"""
        id: t
        file: {"{fs: blockdev, block_size: 1K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}]}"}
        threads:
          - name: meta
            ops: {meta}
          - name: kcompactd
            ops: {migrate}
        actors: {"{device: irq}"}
        """);

    private const string TwoWrites = "[{op: bh-write, offset: 0, length: 1K}, {op: bh-write, offset: 1K, length: 1K}]";

    [Fact]
    public void AMissCreatesTheFolioAndItsBuffersAndTheNextLookupTakesAReferenceWithoutTheFolioLock()
    {
        var s = MachineBuilder.Build(Spec(TwoWrites), Variant.Default);
        s = Mechanism.RunUntil(s, 0, "memcpy(bh->b_data)");
        Assert.True(s.Folios[0].Buffers);
        Assert.Equal(1, s.Folios[0].BhRefs);
        Assert.False(s.Folios[0].Locked);
        s = Mechanism.RunUntil(s, 0, "__find_get_block"); // the first update done: dirty, brelse
        Assert.Equal(0, s.Folios[0].BhRefs);
        Assert.True(s.Folios[0].Dirty);
        Assert.Equal(DataTag.Write(1), s.CacheData[0]);
        // the second lookup hits while another thread holds the folio lock
        var locked = s.Clone();
        locked.FoliosW[0].LockOwner = 1;
        var hit = Mechanism.Step(locked, 0);
        Assert.Equal(1, hit.Folios[0].BhRefs);
        Assert.Equal("memcpy(bh->b_data)", hit.Machine.Threads[0].Program[hit.Threads[0].Pc].Function);
    }

    [Fact]
    public void MigrationBacksOffWhileABufferIsReferenced()
    {
        var s = MachineBuilder.Build(Spec(TwoWrites), Variant.Default);
        s = Mechanism.RunUntil(s, 0, "__find_get_block");
        s = Mechanism.RunUntil(Mechanism.Step(s, 0), 0, "mark_buffer_dirty"); // second reference held, data written
        s = Mechanism.RunUntil(s, 1);
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(s, 1, out _, out _));
        Assert.False(s.Folios[0].Locked);
        Assert.False(s.Folios[0].BhMigrate);
        Assert.False(s.Folios[0].BhOnOldFolio);
    }

    [Fact]
    public void WithBhMigrateTheAtomicLookupBailsAndTheSlowPathWaitsForTheFolioLock()
    {
        var s = MachineBuilder.Build(Spec(TwoWrites), Variant.Default);
        s = Mechanism.RunUntil(s, 0, "__find_get_block");
        s = Mechanism.RunUntil(Mechanism.Step(s, 0), 0, "__find_get_block"); // first update complete
        s = Mechanism.RunUntil(s, 1, "filemap_migrate_folio"); // locked, BH_Migrate, no references
        Assert.True(s.Folios[0].BhMigrate);
        s = Mechanism.Step(s, 0); // __find_get_block bails
        Assert.Equal(0, s.Folios[0].BhRefs);
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(s, 0, out int pc, out _));
        Assert.Equal("__getblk_slow", s.Machine.Threads[0].Program[pc].Function);
    }

    [Fact]
    public void WithThePrivateLockHeldTheLookupSpinsUntilTheBuffersHaveMoved()
    {
        var s = MachineBuilder.Build(Spec(TwoWrites), Variant.Parse(["BufferMigration=private-lock"]));
        s = Mechanism.RunUntil(s, 0, "__find_get_block");
        s = Mechanism.RunUntil(Mechanism.Step(s, 0), 0, "__find_get_block");
        s = Mechanism.RunUntil(s, 1, "filemap_migrate_folio");
        Assert.Equal(2, s.Inode.PrivateLock); // kcompactd (tid 1) + 1
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(s, 0, out _, out var guard));
        Assert.Equal(WaitKind.PrivateLock, guard.Wait.Kind);
        s = Mechanism.RunUntil(s, 1);
        Assert.Equal(0, s.Inode.PrivateLock);
        Assert.Equal(ThreadStatus.Enabled, Semantics.Status(s, 0, out _, out _));
    }

    [Fact]
    public void RefsOnlyLetsALateReferenceWriteIntoTheOldFolio()
    {
        var s = MachineBuilder.Build(Spec(TwoWrites), Variant.Parse(["BufferMigration=refs-only"]));
        s = Mechanism.RunUntil(s, 0, "__find_get_block");
        s = Mechanism.RunUntil(Mechanism.Step(s, 0), 0, "__find_get_block");
        s = Mechanism.RunUntil(s, 1, "filemap_migrate_folio"); // checked, lock dropped
        s = Mechanism.Step(s, 0); // the reference
        s = Mechanism.Step(s, 1); // copy
        Assert.True(s.Folios[0].BhOnOldFolio);
        s = Mechanism.Step(s, 0); // memcpy into the old folio
        Assert.NotEqual(DataTag.Write(2), s.CacheData[1]);
    }

    [Fact]
    public void BhWriteNeedsTheBlockDevice()
    {
        var e = Assert.Throws<InputException>(() => ScenarioText.OneThread("[{op: bh-write, offset: 0, length: 1K}]"));
        Assert.Contains("fs: blockdev", e.Message, StringComparison.Ordinal);
    }
}
