using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// The mapping a buffered write caches (fs/iomap/iter.c::iomap_iter, buffered-io.c::
/// iomap_write_begin): iomap_begin maps the longest run of same-type blocks from the write's
/// position, and the write uses that iomap for every folio inside the run. Since 6.1
/// (IomapValidity=if-seq) iomap_write_begin asks xfs_iomap_valid whether the data fork's sequence
/// number moved since, and a stale mapping is remapped; the model then uses the extents as they
/// are, which is what the remap returns. Before (IomapValidity=none) the run's types stay as they
/// were sampled: this class keeps them in two locals, only in programs built for that value.
/// A block past the run is mapped afresh when the write reaches it (the next iomap_iter).
/// </summary>
public static class CachedIomap
{
    private static readonly Local Run = Local.Scratch(1, "iomap: blocks mapped");
    private static readonly Local Types = Local.Scratch(2, "iomap: extent types (2 bits per block)");

    /// <summary>At most this many blocks: two bits each in one local.</summary>
    public const int MaxBlocks = 16;

    /// <summary>The write's cached mapping for blk: maps a new run from blk when blk is past the current one.</summary>
    public static ExtentType TypeFor(KernelState s, int tid, int blk, int lastBlock, StepContext c)
    {
        if ((Run.Get(s, tid) & (1 << blk)) == 0) Map(s, tid, blk, lastBlock, c);
        return (ExtentType)((Types.Get(s, tid) >> (2 * blk)) & 3);
    }

    /// <summary>iomap_begin from blk: the run of blocks of blk's type up to lastBlock.</summary>
    public static void Map(KernelState s, int tid, int blk, int lastBlock, StepContext c)
    {
        var type = s.Extents[blk];
        int run = 0, types = 0;
        for (int b = blk; b <= lastBlock && s.Extents[b] == type; b++)
        {
            run |= 1 << b;
            types |= (int)type << (2 * b);
        }
        Run.Set(s, tid, run);
        Types.Set(s, tid, types);
        c.Note($"iomap {type.ToString().ToLowerInvariant()} blk {blk}..{31 - System.Numerics.BitOperations.LeadingZeroCount((uint)run)} cached");
    }

    public static void Clear(KernelState s, int tid)
    {
        Run.Clear(s, tid);
        Types.Clear(s, tid);
    }
}
