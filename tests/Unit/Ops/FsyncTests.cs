namespace ModelCheck.Tests.Unit.Ops;

/// <summary>src/Model/Ops/Fsync.cs, run to quiescence in one thread.</summary>
public class FsyncTests
{
    [Fact]
    public void FsyncAllocatesWritesAndRaisesDiskSizeThroughXfsEndIo()
    {
        var spec = ScenarioText.OneThread("[{op: buffered-write, offset: 0, length: 4K}, {op: fsync}]");
        var o = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, Variant.Default));
        var s = o.Final;
        Assert.Equal(ExtentType.Written, s.Extents[0]);
        Assert.Equal(DataTag.Write(1), s.Disk[0]);
        Assert.Equal(1, s.Inode.IDiskSize);
        Assert.False(s.Folios[0].Dirty || s.Folios[0].Writeback || s.Folios[0].TagDirty || s.Folios[0].TagWriteback);
        Assert.Contains("xfs_end_bio", o.Functions); // an append ioend completes through the XFS workqueue
        Assert.Contains("xfs_end_io", o.Functions);
        Assert.Contains(o.Events, e => e is DurabilityPoint);
    }

    [Fact]
    public void IntegrityWritebackSkipsACleanFolioUnderWritebackWithoutWaiting()
    {
        // folio_prepare_writeback returns "not dirty" before its WB_SYNC_ALL folio_wait_writeback
        var spec = ScenarioText.OneThread("[{op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 4K, size: 4K, extents: [{offset: 0, length: 4K, type: written}], cached: [{offset: 0, length: 4K, dirty: false}]}");
        var s = MachineBuilder.Build(spec, Variant.Default).Clone();
        ref var f = ref s.FoliosW[0];
        f.Writeback = f.TagWriteback = f.TagToWrite = true; // written back by someone else, still in flight
        var program = s.Machine.Threads[0].Program;
        int pc = Array.FindIndex(program, st => st.Function == "iomap_writepages");
        Assert.Equal(GuardKind.Run, program[pc].Check(s, 0).Kind);
        f.Dirty = true; // dirty again: now the integrity pass waits for the writeback in flight
        Assert.Equal(GuardKind.Block, program[pc].Check(s, 0).Kind);
    }
}
