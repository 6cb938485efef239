using ModelCheck.Model.State;

namespace ModelCheck.Explore.Conformance;

/// <summary>
/// What both sides can show after one operation, in the kernel's terms: the data an operation
/// returned (one tag per 1 KiB unit), i_size, per page whether it is cached, dirty or under
/// writeback (cachestat), and per block below EOF the extent type (FIEMAP).
/// </summary>
public sealed record Observation(byte[]? Returned, long Size, bool[] Cached, bool[] Dirty, bool[] Writeback, string Extents)
{
    /// <summary>The disk's bytes under each written block below EOF, per unit ("." for a unit of a block that is not written).</summary>
    public string Disk { get; init; } = "";

    public static string Tags(byte[] tags) => string.Join(" ", tags.Select(DataTag.Name));

    public static string Flags(bool[] pages) => string.Concat(pages.Select(p => p ? '1' : '0'));

    /// <summary>Extent types per block as letters: h hole, d delalloc, u unwritten, w written.</summary>
    public static char Letter(ExtentType t) => t switch
    {
        ExtentType.Hole => 'h',
        ExtentType.Delalloc => 'd',
        ExtentType.Unwritten => 'u',
        _ => 'w',
    };

    /// <summary>Each observable that differs, as "name: model X, kernel Y"; which ones are compared is the caller's choice.</summary>
    public static List<string> Differences(Observation model, Observation kernel, ISet<string> compared)
    {
        var d = new List<string>();
        void Cmp(string name, string m, string k)
        {
            if (compared.Contains(name) && m != k) d.Add($"{name}: model {m}, kernel {k}");
        }
        Cmp("data", model.Returned is null ? "-" : Tags(model.Returned), kernel.Returned is null ? "-" : Tags(kernel.Returned));
        Cmp("size", model.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), kernel.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Cmp("cached", Flags(model.Cached), Flags(kernel.Cached));
        Cmp("dirty", Flags(model.Dirty), Flags(kernel.Dirty));
        Cmp("writeback", Flags(model.Writeback), Flags(kernel.Writeback));
        Cmp("extents", model.Extents, kernel.Extents);
        Cmp("disk", model.Disk, kernel.Disk);
        return d;
    }

    /// <summary>
    /// Every observable; "crash" is taken once per sequence, after its last operation: the size and
    /// bytes a crash leaves (<see cref="CrashImages"/>).
    /// </summary>
    public static readonly IReadOnlyList<string> All = ["data", "size", "cached", "dirty", "writeback", "extents", "disk", "crash"];

    public override string ToString() =>
        $"{(Returned is null ? "" : "returned [" + Tags(Returned) + "] ")}size {Size} cached {Flags(Cached)} dirty {Flags(Dirty)} writeback {Flags(Writeback)} extents {Extents}{(Disk.Length > 0 ? " disk " + Disk : "")}";
}
