using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Model.Ops;

/// <summary>
/// xfs_bunmapi as hole punch (xfs_unmap_extent) and truncate down (xfs_itruncate_extents) both
/// call it: the file blocks [first, end) become holes and lose their COW staging. With the fault
/// freed-block-reuse, another file may take the freed blocks at once and write them: their disk
/// bytes become that owner's (Stale), which a read bio that mapped them before the free returns.
/// </summary>
public static class Bunmapi
{
    public static void Free(KernelState s, int first, int end, StepContext c)
    {
        List<int>? freed = null;
        for (int blk = first; blk < end; blk++)
        {
            if (s.Extents[blk] == ExtentType.Hole && s.Cow[blk] == CowType.None) continue;
            c.Note($"blk {blk} freed");
            if (s.Extents[blk] != ExtentType.Hole) (freed ??= []).Add(blk);
            s.ExtentsW[blk] = ExtentType.Hole;
            s.CowW[blk] = CowType.None;
        }
        if (freed is null || !Faults.FreedBlockReuse.Fails(c)) return;
        var g = s.Geo;
        foreach (int blk in freed)
            for (int u = g.FirstUnitOfBlock(blk); u < g.FirstUnitOfBlock(blk + 1); u++) s.DiskW[u] = DataTag.Stale;
        c.Note($"blk {string.Join(",", freed)} reused and written by another file");
    }

    /// <summary>The freeing step's alternatives: with freed-block-reuse, reuse or not, when it frees an allocated block.</summary>
    public static int Alternatives(KernelState s, int first, int end) =>
        Faults.FreedBlockReuse.Alternatives(s, canFail: AnyAllocated(s, first, end));

    private static bool AnyAllocated(KernelState s, int first, int end)
    {
        for (int blk = first; blk < end; blk++)
            if (s.Extents[blk] != ExtentType.Hole) return true;
        return false;
    }
}
