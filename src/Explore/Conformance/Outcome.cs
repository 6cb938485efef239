using ModelCheck.Model.State;

namespace ModelCheck.Explore.Conformance;

/// <summary>
/// The final outcome of one concurrent run, as both the model and the kernel can report it:
/// what each read operation returned (per unit), the final i_size and the file's contents as a
/// read at the end returns them. Reads are keyed "thread.op" (op numbered from 1 in its thread).
/// </summary>
public sealed record Outcome(string Reads, string Final)
{
    public override string ToString() => (Reads.Length == 0 ? "" : Reads + " | ") + Final;

    public static Outcome Of(IEnumerable<(string Key, int Unit, byte Tag)> reads, string final) =>
        new(Canonical(reads), final);

    /// <summary>"reader.1=[W0 W1]; writer.2=[0]": each read's units in order.</summary>
    private static string Canonical(IEnumerable<(string Key, int Unit, byte Tag)> reads) =>
        string.Join("; ", reads.GroupBy(r => r.Key).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}=[{string.Join(" ", g.OrderBy(r => r.Unit).Select(r => DataTag.Name(r.Tag)))}]"));

    /// <summary>
    /// A kernel outcome with a torn unit ("-": the unit's bytes came from two writes, as a read
    /// copying a page while a write copies into it can see) matches a model outcome that has a
    /// whole tag there: the model's data are per-unit tags, so tearing inside a unit is below its
    /// resolution. Everything else must match exactly.
    /// </summary>
    public bool MatchesUpToTearing(Outcome model)
    {
        var a = Tokens(ToString());
        var b = Tokens(model.ToString());
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i] && !(a[i] == "-" && IsTag(b[i]))) return false;
        return true;
    }

    private static string[] Tokens(string s) => System.Text.RegularExpressions.Regex.Split(s, @"(\s+|\[|\])");

    private static bool IsTag(string t) => t == "0" || t == "Stale" || (t.Length > 1 && t[0] == 'W' && t[1..].All(char.IsAsciiDigit));

    public static string FinalOf(long sizeBytes, IEnumerable<byte> content, Func<long, string> bytes) =>
        $"size {bytes(sizeBytes)} file [{string.Join(" ", content.Select(DataTag.Name))}]";
}
