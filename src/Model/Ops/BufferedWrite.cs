using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>
/// XFS buffered write through iomap (kernel-reference §2.1): xfs_file_buffered_write takes the
/// i_rwsem exclusively, zeroes a gap past EOF after inode_dio_wait, reserves delalloc
/// (xfs_buffered_write_iomap_begin), then per folio iomap_write_begin (lock or create,
/// folio_wait_stable) and iomap_write_end (fill partial blocks, copy, dirty, i_size update,
/// unlock). RWF_DONTCACHE creates new folios with PG_dropbehind; its generic_write_sync
/// branch kicks the flusher (the flusher-kick series, the default), so the flusher does the writeback.
/// </summary>
public static class BufferedWrite
{
    /// <summary>iomap_file_buffered_write's old_size: i_size before the write, for pagecache_isize_extended.</summary>
    private static readonly Local OldSize = Local.Scratch(0, "old_size");

    public static void Emit(ProgramBuilder b, int from, int to, int writeId, bool dontcache)
    {
        var g = b.Geo;
        // IomapValidity=none: the write keeps the mapping of its iomap_begin (CachedIomap)
        bool cached = !b.Variant.WriteRevalidatesIomap;
        if (cached && g.Blocks > CachedIomap.MaxBlocks)
            throw new ModelError($"IomapValidity=none models files of at most {CachedIomap.MaxBlocks} blocks");
        int lastBlock = g.BlockOfUnit(to - 1);
        b.Add("inode_lock", InodeLock.Exclusive, (s, c) =>
        {
            s.InodeW.IRwsem.Lock(c.Tid);
            OpHistory.WriteStarted(s, writeId, from, to);
            OldSize.Set(s, c.Tid, s.Inode.ISize);
        });
        b.Fs.EmitWriteZeroEof(b, from, direct: false);
        b.Add("xfs_buffered_write_iomap_begin", (_, _) => Guard.Run, (s, c) =>
        {
            for (int blk = g.BlockOfUnit(from); blk <= g.BlockOfUnit(to - 1); blk++)
                if (s.Extents[blk] == ExtentType.Hole) s.ExtentsW[blk] = ExtentType.Delalloc;
            if (cached) CachedIomap.Map(s, c.Tid, g.BlockOfUnit(from), lastBlock, c);
        }, (_, _) => Range(g, from, to));
        for (int fi = g.FolioOfUnit(from); fi <= g.FolioOfUnit(to - 1); fi++)
        {
            int i = fi;
            EmitWriteBegin(b, i, dontcache);
            b.Add("iomap_write_end", (_, _) => Guard.Run, (s, c) =>
            {
                if (cached) CopyIntoFolio(s, i, from, to, DataTag.Write(writeId), c, cached: blk => CachedIomap.TypeFor(s, c.Tid, blk, lastBlock, c));
                else CopyIntoFolio(s, i, from, to, DataTag.Write(writeId), c);
                OpHistory.GrowSize(s, Math.Min(to, g.FirstUnitOfFolio(i + 1)), from, to, c);
                s.FoliosW[i].LockOwner = -1;
            }, (_, _) => $"F{i}");
        }
        b.Add("pagecache_isize_extended",
            (s, tid) => IsizeExtended.Check(s, OldSize.Get(s, tid), from, tid),
            (s, c) => IsizeExtended.Apply(s, OldSize.Get(s, c.Tid), from, c));
        InodeLock.EmitUnlock(b, "inode_unlock", (s, c) =>
        {
            OldSize.Set(s, c.Tid, 0);
            if (cached) CachedIomap.Clear(s, c.Tid);
            OpHistory.WriteDone(s, writeId, from, to);
        });
        if (dontcache) EmitDontcacheSync(b, from, to);
    }

    /// <summary>
    /// generic_write_sync's DONTCACHE branch, after the i_rwsem is dropped: before the flusher-kick series,
    /// filemap_flush_range runs WB_SYNC_NONE writeback of the range in the writer's own task;
    /// with the flusher-kick series it only wakes the flusher (the scenario's flusher actor does the work).
    /// </summary>
    private static void EmitDontcacheSync(ProgramBuilder b, int from, int to)
    {
        var g = b.Geo;
        Writeback.EmitRange(b, SyncMode.None, (s, _, fi) =>
            s.Machine.Variant.Dropbehind.Sync.InlineFlush && fi >= g.FolioOfUnit(from) && fi <= g.FolioOfUnit(to - 1));
    }

    /// <summary>iomap_write_begin: __filemap_get_folio(FGP_LOCK|FGP_CREAT|FGP_STABLE) then folio_wait_stable.</summary>
    public static void EmitWriteBegin(ProgramBuilder b, int i, bool dontcache)
    {
        b.Add("iomap_write_begin", (s, tid) => PageCache.LockGuard(s, i, tid), (s, c) =>
        {
            if (!s.Folios[i].Present)
            {
                PageCache.AddFolio(s, i, c.Tid, dontcache);
                c.Note($"F{i} created{(dontcache ? " PG_dropbehind" : "")}");
            }
            else
            {
                s.FoliosW[i].LockOwner = (sbyte)c.Tid;
                if (!dontcache) PageCache.NonDontcacheLookup(s, i);
            }
        }, (_, _) => $"F{i}");
        b.Add("folio_wait_stable",
            (s, _) => s.Inode.StableWrites && s.Folios[i].Writeback
                ? Guard.Block(WaitKind.FolioStable, i, static t => $"folio_wait_stable(F{t})")
                : Guard.Skip(),
            (_, _) => { });
    }

    /// <summary>
    /// __iomap_write_begin (zero or read partial blocks) + copy + __iomap_write_end (dirty). The
    /// partial blocks' mapping is the extents as they are, or the write's cached iomap when given.
    /// </summary>
    public static void CopyIntoFolio(KernelState s, int i, int from, int to, byte tag, StepContext c, bool markDirty = true, bool cowSource = false,
        Func<int, ExtentType>? cached = null)
    {
        var g = s.Geo;
        ref var f = ref s.FoliosW[i];
        if (f.Writeback && f.StableIo)
            c.Emit(new StablePagesBroken(i, $"write changed F{i} while its stable-write I/O was in flight"));
        for (int k = 0; k < g.BlocksPerFolio; k++)
        {
            int blk = g.FirstBlockOfFolio(i) + k;
            int bu0 = g.FirstUnitOfBlock(blk), bu1 = g.FirstUnitOfBlock(blk + 1);
            if (bu1 <= from || bu0 >= to) continue;
            bool whole = from <= bu0 && to >= bu1;
            if (!whole && (f.UptodateMask & (1 << k)) == 0)
            {
                // the source mapping is the COW extent for a write-through over a COW staging block
                bool fromCow = cowSource && s.Cow[blk] != CowType.None;
                bool zero = fromCow ? s.Cow[blk] != CowType.Written || bu0 >= s.Inode.ISize
                    : cached is null ? NeedsZeroing(s, blk, bu0)
                    : cached(blk) != ExtentType.Written || bu0 >= s.Inode.ISize;
                for (int u = bu0; u < bu1; u++) s.CacheDataW[u] = zero ? DataTag.Zero : fromCow ? s.CowDisk[u] : s.Disk[u];
                c.Note(zero ? $"blk {blk} zeroed" : $"blk {blk} read from disk");
            }
            for (int u = Math.Max(bu0, from); u < Math.Min(bu1, to); u++)
            {
                // a newer write replaces older data: the older write no longer has to survive here
                if (DataTag.IsWrite(tag) && s.CacheData[u] != tag && s.History.MustSurvive[u] != DataTag.None) s.H.MustSurvive[u] = DataTag.None;
                if (s.CacheData[u] != tag) s.H.Landed(u, tag);
                if (DataTag.IsWrite(tag)) OpHistory.LandedAt(s, u);
                s.CacheDataW[u] = tag;
            }
            f.UptodateMask |= (byte)(1 << k);
            if (markDirty) f.DirtyMask |= (byte)(1 << k);
        }
        if (markDirty) PageCache.MarkFolioDirty(ref f);
    }

    /// <summary>iomap_block_needs_zeroing: not a written mapping, or at/after EOF.</summary>
    public static bool NeedsZeroing(KernelState s, int blk, int firstUnit) =>
        s.Extents[blk] != ExtentType.Written || firstUnit >= s.Inode.ISize;

    public static string Range(Geometry g, int from, int to) => $"{g.Bytes(from)}..{g.Bytes(to)}";
}
