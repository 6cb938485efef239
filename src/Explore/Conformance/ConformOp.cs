using System.Globalization;
using System.Text;
using ModelCheck.Model.Scenario;

namespace ModelCheck.Explore.Conformance;

/// <summary>One operation of a sequential conformance run; offsets, lengths and sizes in 1 KiB units.</summary>
public sealed record ConformOp(OpKind Kind, int Offset, int Length, int Size)
{
    public override string ToString() => Kind switch
    {
        OpKind.Truncate => $"truncate({Size}K)",
        OpKind.Fsync or OpKind.Sync => OpNames.Name(Kind),
        _ => $"{OpNames.Name(Kind)}({Offset}K,{Length}K)",
    };

    /// <summary>The operations conformance drives on both sides, and how each runs on the kernel.</summary>
    public static readonly IReadOnlyDictionary<OpKind, string> KernelCalls = new Dictionary<OpKind, string>
    {
        [OpKind.BufferedWrite] = "pwrite",
        [OpKind.DontcacheWrite] = "pwritev2(RWF_DONTCACHE)",
        [OpKind.DioWrite] = "pwrite on an O_DIRECT descriptor",
        [OpKind.MmapStore] = "a store through a MAP_SHARED mapping, clipped to EOF",
        [OpKind.BufferedRead] = "pread",
        [OpKind.DioRead] = "pread on an O_DIRECT descriptor",
        [OpKind.MmapRead] = "a load through a MAP_SHARED mapping, clipped to EOF",
        [OpKind.Truncate] = "ftruncate",
        [OpKind.Fsync] = "fsync",
        [OpKind.Sync] = "syncfs (the file system's own sync; never the global sync(2))",
        [OpKind.PunchHole] = "fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)",
        [OpKind.Readahead] = "posix_fadvise(POSIX_FADV_WILLNEED)",
        [OpKind.ZeroRange] = "fallocate(FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE)",
        [OpKind.CollapseRange] = "fallocate(FALLOC_FL_COLLAPSE_RANGE) (EINVAL leaves the file as it was)",
        [OpKind.InsertRange] = "fallocate(FALLOC_FL_INSERT_RANGE), not issued when it would grow the file past 8 KiB",
    };

    public static OpKind[] ParseOps(string? list)
    {
        if (string.IsNullOrWhiteSpace(list)) return [.. KernelCalls.Keys];
        var kinds = new List<OpKind>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!OpNames.ByName.TryGetValue(name, out var k) || !KernelCalls.ContainsKey(k))
                throw new ArgumentException($"'{name}' is not an operation conformance can run (operations: {string.Join(", ", KernelCalls.Keys.Select(OpNames.Name))})");
            kinds.Add(k);
        }
        return [.. kinds];
    }

    /// <summary>Parses a sequence as ToString prints it: "buffered-write(0K,3K), truncate(5K), fsync".</summary>
    public static List<ConformOp> ParseSequence(string text)
    {
        var ops = new List<ConformOp>();
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"\s*([a-z-]+)(?:\(([^)]*)\))?\s*(?:,|$)"))
        {
            if (m.Length == 0) continue;
            string name = m.Groups[1].Value;
            if (!OpNames.ByName.TryGetValue(name, out var kind) || !KernelCalls.ContainsKey(kind))
                throw new ArgumentException($"'{name}' is not an operation conformance can run (operations: {string.Join(", ", KernelCalls.Keys.Select(OpNames.Name))})");
            var args = m.Groups[2].Success && m.Groups[2].Value.Length > 0
                ? m.Groups[2].Value.Split(',').Select(a => Units(a.Trim(), name)).ToArray() : [];
            int want = kind == OpKind.Truncate ? 1 : OpNames.HasRange(kind) ? 2 : 0;
            if (args.Length != want) throw new ArgumentException($"{name} takes {want} sizes in K, as in {(want == 1 ? "truncate(5K)" : want == 2 ? name + "(0K,2K)" : name)}");
            var op = kind == OpKind.Truncate ? new ConformOp(kind, 0, 0, args[0]) : want == 2 ? new ConformOp(kind, args[0], args[1], 0) : new ConformOp(kind, 0, 0, 0);
            int end = op.Offset + op.Length;
            if (op.Size > ConformanceGeometry.FileUnits || end > ConformanceGeometry.FileUnits || (want == 2 && op.Length < 1))
                throw new ArgumentException($"{op}: ranges and sizes stay inside the {ConformanceGeometry.FileUnits}K file, lengths at least 1K");
            ops.Add(op);
        }
        if (ops.Count == 0) throw new ArgumentException($"no operation in '{text}'");
        return ops;
    }

    private static int Units(string arg, string op)
    {
        string digits = arg.EndsWith('K') ? arg[..^1] : arg;
        if (!int.TryParse(digits, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out int k))
            throw new ArgumentException($"{op}: '{arg}' is not a size in K (such as 2K)");
        return k;
    }

    /// <summary>The sequence as a scenario file a user can check, edit and keep.</summary>
    public static string ToYaml(string id, IReadOnlyList<ConformOp> ops, int blockSize, string note, string fs = "xfs")
    {
        static string K(int units) => units.ToString(CultureInfo.InvariantCulture) + "K";
        var sb = new StringBuilder();
        sb.Append("# ").Append(note.Replace("\n", "\n# ", StringComparison.Ordinal)).Append('\n');
        sb.Append("id: ").Append(id).Append('\n');
        sb.Append("title: conformance disagreement between the model and the kernel\n");
        string onFs = fs == "xfs" ? "" : $", fs: {fs}";
        sb.Append($"file: {{block_size: {K(blockSize / 1024)}, folio_size: 4K, max_size: {K(ConformanceGeometry.FileUnits)}, size: 0{onFs}}}\n");
        sb.Append("threads:\n  - name: user\n    ops:\n");
        foreach (var o in ops)
        {
            sb.Append("      - {op: ").Append(OpNames.Name(o.Kind));
            if (o.Kind == OpKind.Truncate) sb.Append(", size: ").Append(K(o.Size));
            else if (OpNames.HasRange(o.Kind)) sb.Append(", offset: ").Append(K(o.Offset)).Append(", length: ").Append(K(o.Length));
            sb.Append("}\n");
        }
        sb.Append("actors: {device: irq, flusher: 0, memcg: v2}\n");
        sb.Append("invariants: [isize-regression, stale-data, read-coherence, lost-write, folio-flags, dropbehind-leak]\n");
        sb.Append("expect:\n  - default holds\n");
        return sb.ToString();
    }
}

/// <summary>The file conformance works on: 8 KiB in 1 KiB units, 4 KiB folios and pages.</summary>
public static class ConformanceGeometry
{
    public const int FileUnits = 8;
    public const int UnitBytes = 1024;
    public const int PageUnits = 4;
    public static int Pages => FileUnits / PageUnits;
}
