namespace ModelCheck.Model.State;

/// <summary>
/// File contents are modelled per unit (the smallest piece a scenario addresses) as a tag:
/// zeros, the data of write n (W0 is the file's content before the scenario starts), or
/// the previous owner's bytes on a freshly allocated disk block (Stale).
/// </summary>
public static class DataTag
{
    public const byte Zero = 0;
    public const byte Stale = 1;
    public const byte None = 255;

    public static byte Write(int n) => (byte)(2 + n);

    public static bool IsWrite(byte tag) => tag >= 2 && tag != None;

    public static int WriteId(byte tag) => tag - 2;

    public static string Name(byte tag) => tag switch
    {
        Zero => "0",
        Stale => "Stale",
        None => "-",
        _ => "W" + (tag - 2),
    };
}
