using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// lost-write's reachability, branch by branch, and folio-flags' WRITEBACK-mark rule, on states built
/// by hand: the data W1 of a completed write at 4K (block 1) must survive; where it may be is tried
/// one place at a time (these branches were surviving mutants of src/Invariants).
/// </summary>
public class InvariantReachabilityTests
{
    private static readonly byte W1 = DataTag.Write(1);

    /// <summary>A 2-block file, both blocks written with W0 on disk, nothing cached; W1 must survive at block 1.</summary>
    private static KernelState Base()
    {
        var spec = ScenarioText.OneThread("[{op: fsync}]",
            "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 8K, extents: [{offset: 0, length: 8K, type: written}]}");
        var s = MachineBuilder.Build(spec, Variant.Default).Clone();
        s.H.MustSurvive[1] = W1;
        return s;
    }

    private static Violation? LostWrite(KernelState s) => new LostWrite().AfterStep(s, []);

    private static Bio Carrying(BioKind kind, int firstBlock, params byte[] data) =>
        new(kind, 0, firstBlock, data.Length, data, [firstBlock], false, false, 0, false, false);

    [Fact]
    public void NowhereIsALostWrite() => Assert.Contains("W1 at 4K is neither on disk", LostWrite(Base())!.Message);

    [Fact]
    public void OnDiskIsReachable()
    {
        var s = Base();
        s.DiskW[1] = W1;
        Assert.Null(LostWrite(s));
    }

    [Theory]
    [InlineData(1, new byte[] { 0 }, false)]       // the bio writes another tag there
    [InlineData(1, new byte[] { 99 }, true)]       // 99 stands for W1: the bio writes it
    [InlineData(0, new byte[] { 0, 99 }, true)]    // a two-block bio from block 0 covers block 1
    [InlineData(0, new byte[] { 99 }, false)]      // a bio of block 0 alone does not
    public void InABioInFlight(int firstBlock, byte[] data, bool reachable)
    {
        var s = Base();
        var tags = data.Select(d => d == 99 ? W1 : DataTag.Zero).ToArray();
        s.BiosW.Add(Carrying(BioKind.Writeback, firstBlock, tags));
        Assert.Equal(reachable, LostWrite(s) is null);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    public void InAFuseWriteRequest(int firstBlock, bool reachable)
    {
        var s = Base();
        s.FuseRequestsW.Add(new FuseRequest(firstBlock, firstBlock, [W1], false, -1));
        Assert.Equal(reachable, LostWrite(s) is null);
    }

    [Theory]
    [InlineData(true, false, false, false, false, true)]  // dirty
    [InlineData(false, true, false, false, false, true)]  // locked
    [InlineData(false, false, true, false, false, true)]  // behind a dirty PTE
    [InlineData(false, false, false, true, true, true)]   // under writeback with block 1 in its I/O
    [InlineData(false, false, false, true, false, false)] // under writeback, but not this block
    [InlineData(false, false, false, false, false, false)] // clean: reclaimable
    public void InTheFolio(bool dirty, bool locked, bool pteDirty, bool writeback, bool blockInIo, bool reachable)
    {
        var s = Base();
        ref var f = ref s.FoliosW[1];
        f = new Folio { Present = true, LockOwner = (sbyte)(locked ? 0 : -1), UptodateMask = 1, Dirty = dirty, PteMapped = pteDirty, PteDirty = pteDirty,
            Writeback = writeback, TagWriteback = writeback, WritebackMask = (byte)(blockInIo ? 1 : 0) };
        s.CacheDataW[1] = W1;
        Assert.Equal(reachable, LostWrite(s) is null);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(0, false)]
    public void InAnIoendQueuedForItsCompletionWork(int firstBlock, bool reachable)
    {
        var s = Base();
        s.WorkW.Add(new WorkItem(WorkKind.XfsEndIo, 0, Carrying(BioKind.Writeback, firstBlock, W1)));
        Assert.Equal(reachable, LostWrite(s) is null);
    }

    /// <summary>W1 on disk in block 1, an unwritten extent an unfinished write-through still has to convert.</summary>
    [Theory]
    [InlineData(true, true, false, 1, 1, true, true)]    // active, unwritten, not completed, covers block 1
    [InlineData(false, true, false, 1, 1, true, false)]  // no write-through in flight
    [InlineData(true, false, false, 1, 1, true, false)]  // not an unwritten write
    [InlineData(true, true, true, 1, 1, true, false)]    // ->end_io already ran: the extent stays unwritten
    [InlineData(true, true, false, 1, 0, true, false)]   // nothing written yet
    [InlineData(true, true, false, 0, 1, true, false)]   // it covers block 0 only
    [InlineData(true, true, false, 0, 2, true, true)]    // it covers blocks 0 and 1
    [InlineData(true, true, false, 1, 1, false, false)]  // the disk holds other data
    public void OnDiskUnderAWriteThroughStillToConvert(bool active, bool unwritten, bool completed, int pos, int written, bool diskHasIt, bool reachable)
    {
        var s = Base();
        s.ExtentsW[1] = ExtentType.Unwritten;
        s.DiskW[1] = diskHasIt ? W1 : DataTag.Zero;
        s.WtW[0] = new WtCtx { Active = active, Unwritten = unwritten, Completed = completed, Pos = pos, Written = written };
        Assert.Equal(reachable, LostWrite(s) is null);
    }

    [Fact]
    public void ADirtyFolioHoldingOtherDataDoesNotCount()
    {
        var s = Base();
        s.FoliosW[1] = new Folio { Present = true, LockOwner = -1, UptodateMask = 1, Dirty = true };
        s.CacheDataW[1] = DataTag.Zero;
        Assert.NotNull(LostWrite(s));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void APgWritebackWithoutItsMarkBreaksFolioFlags(int folio)
    {
        var s = Base();
        s.FoliosW[folio] = new Folio { Present = true, LockOwner = -1, UptodateMask = 1, Writeback = true, TagWriteback = false };
        Assert.Equal($"F{folio}: PG_writeback=True but WRITEBACK mark=False", new FolioFlags().AfterStep(s, [])!.Message);
        s.FoliosW[folio].TagWriteback = true;
        Assert.Null(new FolioFlags().AfterStep(s, []));
    }
}
