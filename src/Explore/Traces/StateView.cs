using ModelCheck.Model.State;

namespace ModelCheck.Explore.Traces;

/// <summary>A flat, readable view of a state; replay diffs two views to say what a step changed.</summary>
public static class StateView
{
    public static SortedDictionary<string, string> Describe(KernelState s)
    {
        var g = s.Geo;
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["i_size"] = g.Bytes(s.Inode.ISize),
            ["i_disk_size"] = g.Bytes(s.Inode.IDiskSize),
            ["i_rwsem"] = Lock(s, s.Inode.IRwsem),
            ["invalidate_lock"] = Lock(s, s.Inode.InvalidateLock),
            ["i_dio_count"] = s.Inode.DioCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AS_STABLE_WRITES"] = s.Inode.StableWrites ? "set" : "clear",
        };
        for (int i = 0; i < s.Folios.Length; i++) d[$"F{i}"] = Folio(s, i);
        for (int b = 0; b < g.Blocks; b++)
        {
            var units = Enumerable.Range(g.FirstUnitOfBlock(b), g.UnitsPerBlock);
            string cow = s.Cow[b] == CowType.None ? "" : $" cow:{s.Cow[b].ToString().ToLowerInvariant()}";
            d[$"blk{b}"] = $"{s.Extents[b].ToString().ToLowerInvariant()}{cow} disk:{string.Join(",", units.Select(u => DataTag.Name(s.Disk[u])))}";
        }
        return d;
    }

    private static string Lock(KernelState s, RwSem l)
    {
        if (l.Writer >= 0) return $"excl({s.Machine.Threads[l.Writer].Name})";
        var readers = Enumerable.Range(0, s.Threads.Length).Where(t => (l.Readers & (1 << t)) != 0).Select(t => s.Machine.Threads[t].Name);
        return l.Readers != 0 ? $"shared({string.Join(",", readers)})" : "free";
    }

    public static string Folio(KernelState s, int i)
    {
        var f = s.Folios[i];
        if (!f.Present) return "-";
        var g = s.Geo;
        var flags = new List<string>();
        if (f.Locked) flags.Add($"locked({s.Machine.Threads[f.LockOwner].Name})");
        flags.Add(f.Uptodate(g) ? "uptodate" : $"uptodate:{f.UptodateMask:b}");
        if (f.Dirty) flags.Add("dirty");
        if (g.BlocksPerFolio > 1 && f.DirtyMask != 0) flags.Add($"ifs-dirty:{f.DirtyMask:b}");
        if (f.Writeback) flags.Add("writeback");
        if (f.Dropbehind) flags.Add("dropbehind");
        if (f.Reclaim) flags.Add("reclaim");
        var tags = new List<string>();
        if (f.TagDirty) tags.Add("D");
        if (f.TagToWrite) tags.Add("T");
        if (f.TagWriteback) tags.Add("W");
        if (tags.Count > 0) flags.Add("marks:" + string.Join("", tags));
        if (f.PteMapped)
            flags.Add("pte:" + (f.PteWritablePages == 0 ? "ro" : f.PteWritablePages == 0xFF || g.UnitsPerFolio == g.UnitsPerPage ? "rw" : $"rw:{f.PteWritablePages:b}") + (f.PteDirty ? ",dirty" : ""));
        var data = Enumerable.Range(g.FirstUnitOfFolio(i), g.UnitsPerFolio).Select(u => DataTag.Name(s.CacheData[u]));
        flags.Add("data:" + string.Join(",", data));
        return string.Join(" ", flags);
    }

    /// <summary>"key old -> new" for every key whose value differs.</summary>
    public static List<string> Diff(SortedDictionary<string, string> before, SortedDictionary<string, string> after)
    {
        var changes = new List<string>();
        foreach (var (k, v) in after)
        {
            before.TryGetValue(k, out var old);
            if (old != v) changes.Add($"{k}: {old ?? "-"} -> {v}");
        }
        return changes;
    }
}
