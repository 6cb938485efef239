namespace ModelCheck.Tests.Unit.Ops;

/// <summary>
/// The dirty protocol in finer steps (MkwriteLock): a write fault's page_mkwrite, PTE install and
/// folio dirtying, and folio_clear_dirty_for_io's folio_mkclean and test-and-clear.
/// </summary>
public class DirtyProtocolTests
{
    private static readonly ScenarioSpec Spec = ScenarioText.Parse("""
        id: t
        file: {block_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K}]}
        threads:
          - name: app
            ops: [{op: mmap-store, offset: 0, length: 4K}, {op: fsync}]
        actors: {flusher: 1, device: irq}
        """);

    private static readonly Variant Unlocked = Variant.Parse(["MkwriteLock=unlocked"]);

    private static string[] Functions(KernelState s, int tid) => [.. s.Machine.Threads[tid].Program.Select(p => p.Function)];

    [Fact]
    public void OnlyTheUnlockedVariantHasTheSeparateStepsSoTheDefaultStateSpaceIsUnchanged()
    {
        var locked = MachineBuilder.Build(Spec, Variant.Default);
        var unlocked = MachineBuilder.Build(Spec, Unlocked);
        Assert.DoesNotContain("do_wp_page", Functions(locked, 0));
        Assert.DoesNotContain("folio_mkclean", Functions(locked, 1));
        Assert.Contains("do_wp_page", Functions(unlocked, 0));
        Assert.Contains("set_page_dirty_balance", Functions(unlocked, 0));
        Assert.Contains("folio_mkclean", Functions(unlocked, 1)); // the flusher
        Assert.Contains("folio_mkclean", Functions(unlocked, 0)); // fsync's writeback
    }

    [Fact]
    public void TheDefaultFaultKeepsTheFolioLockedUntilItIsDirtyAndMapped()
    {
        var s = Mechanism.Step(MachineBuilder.Build(Spec, Variant.Default), 0); // iomap_page_mkwrite
        Assert.Equal(0, s.Folios[0].LockOwner);
        Assert.True(s.Folios[0].Dirty);
        var flusher = Mechanism.RunUntil(s, 1);
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(flusher, 1, out int pc, out _)); // its folio_lock waits
        Assert.Equal("folio_lock", flusher.Machine.Threads[1].Program[pc].Function);
        s = Mechanism.RunUntil(s, 0, "mmap_store");
        Assert.Equal(-1, s.Folios[0].LockOwner);
        Assert.True(s.Folios[0].PteWritable);
    }

    [Fact]
    public void UnlockedTheFlushersTestAndClearEatsTheFaultsDirtyingAndLeavesAWritablePteOnACleanFolio()
    {
        var s = Mechanism.Step(MachineBuilder.Build(Spec, Unlocked), 0); // page_mkwrite, returns unlocked
        Assert.Equal(-1, s.Folios[0].LockOwner);
        Assert.True(s.Folios[0].Dirty);
        s = Mechanism.RunUntil(s, 1, "iomap_writepages"); // the flusher: folio_lock, folio_mkclean (no PTE yet)
        Assert.Equal(1, s.Folios[0].LockOwner);
        s = Mechanism.RunUntil(s, 0, "mmap_store"); // do_wp_page, set_page_dirty_balance: no lock needed
        Assert.True(s.Folios[0].PteWritable);
        Assert.True(s.Folios[0].Dirty);
        s = Mechanism.Step(s, 1); // folio_test_clear_dirty, writeback of the data before the store
        Assert.False(s.Folios[0].Dirty);
        Assert.True(s.Folios[0].PteWritable);
        Assert.True(s.Folios[0].Writeback);
    }

    [Fact]
    public void MkcleanFindingADirtyPteRedirtiesTheFolioBeforeTheTestAndClear()
    {
        // the store lands before the flusher runs: folio_mkclean sees the dirty PTE, marks the folio
        // dirty, write-protects it; the test-and-clear then writes the store
        var s = Mechanism.RunUntil(MachineBuilder.Build(Spec, Unlocked), 0, "file_write_and_wait_range");
        Assert.True(s.Folios[0].PteDirty);
        s = Mechanism.RunUntil(s, 1, "iomap_writepages");
        Assert.False(s.Folios[0].PteWritable);
        Assert.True(s.Folios[0].Dirty);
        s = Mechanism.Step(s, 1);
        Assert.Contains(s.Bios.ToArray(), bio => bio.Data[0] == DataTag.Write(1));
    }
}
