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

    [Fact]
    public void ACachedFolioWithoutBuffersMissesTheLookupAndTheSlowPathGivesItBuffers()
    {
        var spec = ScenarioText.Parse("""
            id: t
            file: {fs: blockdev, block_size: 1K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K}]}
            threads:
              - name: meta
                ops: [{op: bh-write, offset: 1K, length: 1K}]
              - name: holder
                ops: [{op: fsync}]
            actors: {device: irq}
            invariants: [crash-size, lost-write]
            """);
        var s = MachineBuilder.Build(spec, Variant.Default);
        s = Mechanism.Step(s, 0); // __find_get_block: cached, but no buffers
        Assert.Equal(0, s.Folios[0].BhRefs);
        Assert.Equal("__getblk_slow", s.Machine.Threads[0].Program[s.Threads[0].Pc].Function);
        s.FoliosW[0].UptodateMask = 0; // say its read failed meanwhile: the slow path reads it
        s = Mechanism.Step(s, 0);
        Assert.True(s.Folios[0].Buffers);
        Assert.True(s.Folios[0].Uptodate(s.Geo));
        Assert.False(s.Folios[0].Dropbehind);
        Assert.Equal(1, s.Local(0, 0)); // the thread holds its reference
        s = Mechanism.RunUntil(s, 0);
        Assert.Equal(0, s.Local(0, 0));
        Assert.Equal(0, s.Folios[0].BhRefs);
        Assert.Equal(0b10, s.Folios[0].DirtyMask); // block 1 only
        Assert.True(s.History.Rank(1, DataTag.Write(1)) > 0); // the write landed, ranked
        Assert.Equal(DataTag.Write(1), s.History.MustSurvive[1]);
    }

    [Fact]
    public void AFolioTheSlowPathCreatesIsNotDropbehindAndDataPastTheOnDiskSizeIsTracked()
    {
        var spec = ScenarioText.Parse("""
            id: t
            file: {fs: blockdev, block_size: 1K, folio_size: 4K, max_size: 4K, size: 4K, disk_size: 1K, extents: [{offset: 0, length: 4K, type: written}]}
            threads:
              - name: meta
                ops: [{op: bh-write, offset: 2K, length: 1K}]
            actors: {device: irq}
            invariants: [crash-size]
            """);
        var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0);
        Assert.False(s.Folios[0].Dropbehind);
        Assert.Equal([0, 0, 1, 0], s.History.PastDiskEof.ToArray().Select(b => (int)b));
    }

    [Fact]
    public void ThePrivateLockLetsItsHolderThroughAndNamesItToTheOthers()
    {
        var s = MachineBuilder.Build(Spec(TwoWrites), Variant.Default);
        s.InodeW.PrivateLock = 2; // held by kcompactd (tid 1)
        Assert.Equal(GuardKind.Run, BufferHeads.PrivateLockGuard(s, 1).Kind);
        var g = BufferHeads.PrivateLockGuard(s, 0);
        Assert.Equal(GuardKind.Block, g.Kind);
        Assert.Equal(1, g.Wait.Target);
        s.InodeW.PrivateLock = 0;
        Assert.Equal(GuardKind.Run, BufferHeads.PrivateLockGuard(s, 0).Kind);
    }

    [Fact]
    public void OnlyTheBhMigrateVariantSetsTheBit()
    {
        foreach (var (variant, bit) in new[] { ("BufferMigration=private-lock", false), ("BufferMigration=refs-only", false), ("default", true) })
        {
            var s = MachineBuilder.Build(Spec(TwoWrites), Variant.Parse([variant]));
            s = Mechanism.RunUntil(s, 0, "__find_get_block");
            s = Mechanism.RunUntil(Mechanism.Step(s, 0), 0, "__find_get_block");
            s = Mechanism.RunUntil(s, 1, "__buffer_migrate_folio");
            Assert.Equal(bit, s.Folios[0].BhMigrate);
        }
    }

    [Fact]
    public void MigrationMovesADirtyPteIntoTheFolio()
    {
        var spec = ScenarioText.Parse("""
            id: t
            file: {block_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, mapped: true}]}
            threads:
              - name: kcompactd
                ops: [{op: migrate, offset: 0, length: 4K}]
            """);
        var s = MachineBuilder.Build(spec, Variant.Default);
        s.FoliosW[0].PteDirty = true; // a store through the writable PTE
        s = Mechanism.Step(s, 0);
        Assert.False(s.Folios[0].PteDirty);
        Assert.True(s.Folios[0].Dirty);
        var clean = Mechanism.Step(MachineBuilder.Build(spec, Variant.Default), 0);
        Assert.False(clean.Folios[0].Dirty); // a clean PTE leaves the folio clean
    }

    [Fact]
    public void TheRaceDiagramSaysWhereTheBuffersPoint()
    {
        var spec = Spec(TwoWrites);
        var v = Variant.Parse(["BufferMigration=refs-only"]);
        var (_, _, trace) = ModelCheck.Explore.Runs.Checker.Check(spec, v);
        var notes = ModelCheck.Explore.Traces.Replayer.Replay(spec, v, trace!.Choices).Steps.SelectMany(st => st.Notes).ToList();
        Assert.Contains("not in the buffer cache", notes);
        Assert.Contains("F0 created and read", notes);
        Assert.Contains("grow_buffers: F0 gets its buffers", notes);
        Assert.Contains("no references; spin_unlock(i_private_lock)", notes);
        Assert.Contains("get_bh on a buffer of F0 (b_count 1)", notes);
        Assert.Contains("F0 replaced in the mapping and copied; its buffers still point into the old folio", notes);
        Assert.Contains("b_data points into the old F0, which migration has already copied", notes);
        Assert.Contains("dirties the old F0, which has left the page cache", notes);
        var held = ModelCheck.Explore.Runs.Checker.Check(spec, Variant.Parse(["BufferMigration=private-lock"]));
        Assert.Equal("holds", held.Row.Verdict);
    }

    [Fact]
    public void TheMigrationSaysWhatItDid()
    {
        foreach (var (variant, expected) in new[]
        {
            ("default", new[] { "test_and_set_bit_lock(BH_Migrate)", "no references; spin_unlock(i_private_lock)", "buffers moved to the new F0; clear_bit_unlock(BH_Migrate), folio_unlock" }),
            ("BufferMigration=private-lock", new[] { "no references; i_private_lock held on", "buffers moved to the new F0; spin_unlock(i_private_lock), folio_unlock" }),
            ("BufferMigration=refs-only", new[] { "buffers moved to the new F0; folio_unlock" }),
        })
        {
            var s = MachineBuilder.Build(Spec(TwoWrites), Variant.Parse([variant]));
            s = Mechanism.RunUntil(s, 0, "__find_get_block");
            s = Mechanism.RunUntil(Mechanism.Step(s, 0), 0, "__find_get_block");
            var (_, notes) = Mechanism.RunNoting(s, 1);
            foreach (var n in expected) Assert.Contains(n, notes);
        }
        // busy: a reference held
        var busy = MachineBuilder.Build(Spec(TwoWrites), Variant.Default);
        busy = Mechanism.RunUntil(busy, 0, "__find_get_block");
        busy = Mechanism.RunUntil(Mechanism.Step(busy, 0), 0, "mark_buffer_dirty");
        Assert.Contains("b_count 1: busy, -EAGAIN", Mechanism.RunNoting(busy, 1).Notes);
        // without buffers the folio migrates as any other
        var plain = MachineBuilder.Build(Spec("[{op: bh-write, offset: 0, length: 1K}]", "[{op: migrate, offset: 0, length: 4K}]"), Variant.Default);
        plain.FoliosW[0] = Folio.New(-1) with { UptodateMask = (byte)plain.Geo.AllBlocksMask };
        Assert.Contains("F0 migrated", Mechanism.RunNoting(plain, 1).Notes);
    }

    [Fact]
    public void ASecondUpdateOfADirtyBufferKeepsItDirty()
    {
        var spec = Spec("[{op: bh-write, offset: 1K, length: 1K}, {op: bh-write, offset: 1K, length: 1K}]", "[{op: fsync}]");
        var s = Mechanism.RunUntil(MachineBuilder.Build(spec, Variant.Default), 0);
        Assert.Equal(0b10, s.Folios[0].DirtyMask);
        Assert.Equal(DataTag.Write(2), s.CacheData[1]);
    }
}
