using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// fallocate(FALLOC_FL_COLLAPSE_RANGE) and fallocate(FALLOC_FL_INSERT_RANGE), which move the file's
/// blocks (and so its data) by the range's length. XFS (xfs_falloc_collapse_range,
/// xfs_falloc_insert_range) and ext4 (ext4_collapse_range, ext4_insert_range) under the i_rwsem
/// and the invalidate_lock, after inode_dio_wait: EINVAL unless the range is block-aligned and, for
/// a collapse, ends before EOF, for an insert, starts below EOF (and, in the model, fits
/// max_size); the page cache is written back and dropped from the range's first page to EOF
/// (ext4's filemap_write_and_wait_range and truncate_pagecache) or, on XFS, from the page holding
/// the block before the range (xfs_prepare_shift steps back one allocation unit); a collapse frees the range's blocks and shifts the later ones down, an
/// insert shifts the blocks from the offset up and leaves a hole. XFS changes the size through
/// xfs_vn_setattr_size (the truncate program, with its EOF zeroing): after the shift for a collapse,
/// before it for an insert, so the program has one branch per size the file can have; ext4 sets
/// i_size and i_disksize itself. The history moves with the data: what a unit owed, its floor and
/// its zeros move to the unit the data moved to.
/// </summary>
public static class ShiftRange
{
    /// <summary>The shift ran (not -EINVAL): the inserted range reads as zeros when it returns.</summary>
    private static readonly Local Shifted = Local.Scratch(0, "shifted");

    public static void Emit(ProgramBuilder b, int from, int to, bool insert, bool viaSetattr)
    {
        var g = b.Geo;
        int bs = g.UnitsPerBlock, page = g.UnitsPerPage, len = to - from;
        // xfs_prepare_shift starts one allocation unit before the offset, to stabilise the boundary
        int start = viaSetattr ? Math.Max(0, (from / bs * bs) - bs) : from;
        // rounded down to a page, and in the model to a folio: the kernel splits a large folio the
        // truncation starts inside and drops its tail; the model's folios do not split, so the whole
        // folio is written back and dropped (its head is read back from disk when needed)
        int pageFrom = start / Math.Max(page, g.UnitsPerFolio) * Math.Max(page, g.UnitsPerFolio);
        var unlock = b.NewLabel();
        var shift = b.NewLabel();
        string xfs = insert ? "xfs_falloc_insert_range" : "xfs_falloc_collapse_range";
        string fn = viaSetattr ? xfs : insert ? "ext4_insert_range" : "ext4_collapse_range";
        // XFS: one truncate program per size the setattr can set
        var sizes = new SortedDictionary<int, Label>();
        if (viaSetattr)
            for (int ns = insert ? to + 1 : from + 1; ns <= (insert ? g.Units : g.Units - len); ns++) sizes[ns] = b.NewLabel();
        InodeLock.EmitFallocateLock(b, viaSetattr ? "xfs_file_fallocate" : "ext4_fallocate",
            (_, _) => $"{(insert ? "INSERT_RANGE" : "COLLAPSE_RANGE")} {BufferedWrite.Range(g, from, to)}");
        b.Add(fn, (_, _) => Guard.Run, (s, c) =>
        {
            int isize = s.Inode.ISize;
            bool aligned = from % bs == 0 && to % bs == 0;
            bool ok = insert ? aligned && from < isize && isize + len <= g.Units : aligned && to < isize;
            if (!ok)
            {
                c.Note("-EINVAL");
                c.Goto(unlock);
                return;
            }
            OpHistory.SizeOpStarted(s);
            if (viaSetattr && insert) c.Goto(sizes[isize + len]); // xfs_falloc_setsize grows the file first
            else c.Goto(shift);
        }, (_, _) => "");
        if (viaSetattr && insert) EmitSizeBranches(b, sizes, shift);
        b.Mark(shift);
        // write back and drop the page cache from the range's first page to EOF
        Writeback.FolioFilter tail = (_, _, i) => g.FirstUnitOfFolio(i + 1) > pageFrom;
        Writeback.EmitRange(b, SyncMode.All, tail);
        Writeback.EmitWaitRange(b, tail);
        b.Add("truncate_pagecache", (_, _) => Guard.Run, (s, _) => Truncate.UnmapPastEof(s, g.FolioOfUnit(pageFrom)), (_, _) => $"from {g.Bytes(pageFrom)}");
        TruncateRange.Emit(b, pageFrom, g.Units);
        string shiftFn = !viaSetattr ? "ext4_ext_shift_extents" : insert ? "xfs_insert_file_space" : "xfs_collapse_file_space";
        b.Add(shiftFn, (_, _) => Guard.Run, (s, c) =>
        {
            Shifted.Set(s, c.Tid, 1);
            if (insert) Insert(s, from, len, c);
            else Collapse(s, from, len, c);
            if (viaSetattr) return;
            int size = s.Inode.ISize + (insert ? len : -len);
            s.InodeW.ISize = size;
            s.InodeW.IDiskSize = size;
            OpHistory.TruncateSetSize(s, size);
            c.Note($"i_size = i_disksize = {g.Bytes(size)}");
        }, (_, _) => insert ? "shift up" : "shift down");
        if (viaSetattr && !insert)
        {
            // xfs_falloc_setsize(i_size - len): the truncate program for that size
            b.Add("xfs_falloc_setsize", (_, _) => Guard.Run, (s, c) => c.Goto(sizes[s.Inode.ISize - len]), (_, _) => "");
            EmitSizeBranches(b, sizes, unlock);
        }
        b.Mark(unlock);
        // the inserted range, and after a collapse every hole from the offset to EOF (a hole moved
        // down into the file), read as zeros from now on
        InodeLock.EmitUnlock(b, "inode_unlock", (s, c) =>
        {
            if (Shifted.IsSet(s, c.Tid))
            {
                if (insert) OpHistory.Zeroed(s, from, to);
                else
                    for (int blk = from / bs; blk < g.Blocks; blk++)
                        if (s.Extents[blk] == ExtentType.Hole) OpHistory.Zeroed(s, g.FirstUnitOfBlock(blk), g.FirstUnitOfBlock(blk + 1));
            }
            Shifted.Clear(s, c.Tid);
        });
    }

    /// <summary>One locked truncate program per size, each ending with a jump to next.</summary>
    private static void EmitSizeBranches(ProgramBuilder b, SortedDictionary<int, Label> sizes, Label next)
    {
        foreach (var (size, label) in sizes)
        {
            b.Mark(label);
            Truncate.Emit(b, size, locked: true);
            b.Add("xfs_falloc_setsize", (_, _) => Guard.Skip(next), (_, _) => { }, (_, _) => "");
        }
    }

    /// <summary>The range's blocks freed, the later ones moved down by len units, the history with them.</summary>
    private static void Collapse(KernelState s, int from, int len, StepContext c)
    {
        var g = s.Geo;
        int bs = g.UnitsPerBlock;
        Bunmapi.Free(s, from / bs, (from + len) / bs, c);
        MoveBlocks(s, (from + len) / bs, from / bs, g.Blocks - ((from + len) / bs));
        OpHistory.ShiftUnits(s, from + len, from, g.Units - from - len);
        c.Note($"blocks from {(from + len) / bs} moved down by {len / bs}");
    }

    /// <summary>The blocks from the offset moved up by len units, a hole left at the range, the history with them.</summary>
    private static void Insert(KernelState s, int from, int len, StepContext c)
    {
        var g = s.Geo;
        int bs = g.UnitsPerBlock;
        MoveBlocks(s, from / bs, (from + len) / bs, g.Blocks - ((from + len) / bs));
        OpHistory.ShiftUnits(s, from, from + len, g.Units - from - len);
        c.Note($"blocks from {from / bs} moved up by {len / bs}");
    }

    /// <summary>
    /// Moves count blocks' mappings and disk bytes from src to dst; the blocks left behind become
    /// holes. The model's disk is indexed by file block, so a read bio still in flight, which reads
    /// the physical blocks it mapped at submission, first takes their bytes as they are now.
    /// </summary>
    private static void MoveBlocks(KernelState s, int src, int dst, int count)
    {
        var g = s.Geo;
        int bs = g.UnitsPerBlock;
        for (int k = 0; k < s.Bios.Count; k++)
        {
            var bio = s.Bios[k];
            if (bio.Kind != BioKind.Read || bio.Completed) continue;
            int u0 = g.FirstUnitOfBlock(bio.FirstBlock);
            var data = bio.Data.ToArray();
            for (int j = 0; j < data.Length; j++)
                if (data[j] == DataTag.None) data[j] = s.Disk[u0 + j];
            s.BiosW[k] = bio with { Data = data };
        }
        var ext = s.Extents.ToArray();
        var cow = s.Cow.ToArray();
        var disk = s.Disk.ToArray();
        var cowDisk = s.CowDisk.ToArray();
        for (int blk = Math.Min(src, dst); blk < g.Blocks; blk++)
        {
            int from = blk - dst + src; // the block whose mapping lands here
            bool moved = blk >= dst && blk < dst + count && from >= 0 && from < g.Blocks;
            s.ExtentsW[blk] = moved ? ext[from] : ExtentType.Hole;
            s.CowW[blk] = moved ? cow[from] : CowType.None;
            for (int k = 0; k < bs; k++)
            {
                s.DiskW[(blk * bs) + k] = moved ? disk[(from * bs) + k] : DataTag.Stale;
                s.CowDiskW[(blk * bs) + k] = moved ? cowDisk[(from * bs) + k] : DataTag.Stale;
            }
        }
    }
}
