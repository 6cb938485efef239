namespace ModelCheck.Model.State;

/// <summary>Appends a canonical byte encoding of a state; the explorer hashes it.</summary>
public ref struct Encoder
{
    private byte[] buffer;
    private int length;

    public Encoder(byte[] buffer)
    {
        this.buffer = buffer;
        length = 0;
    }

    public readonly int Length => length;
    public readonly ReadOnlySpan<byte> Written => buffer.AsSpan(0, length);

    public void Byte(byte b)
    {
        if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
        buffer[length++] = b;
    }

    public void Bool(bool b) => Byte(b ? (byte)1 : (byte)0);

    public void Short(int v)
    {
        if (length + 2 > buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
        buffer[length] = (byte)v;
        buffer[length + 1] = (byte)(v >> 8);
        length += 2;
    }

    public void Int(int v)
    {
        Short(v);
        Short(v >> 16);
    }

    public void Bytes(ReadOnlySpan<byte> data)
    {
        if (length + data.Length > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + data.Length));
        data.CopyTo(buffer.AsSpan(length));
        length += data.Length;
    }

    /// <summary>Each value as <see cref="Short"/> writes it, in one pass.</summary>
    public void Shorts(ReadOnlySpan<int> values)
    {
        int n = values.Length * 2;
        if (length + n > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + n));
        var into = buffer.AsSpan(length, n);
        for (int i = 0; i < values.Length; i++)
        {
            into[2 * i] = (byte)values[i];
            into[(2 * i) + 1] = (byte)(values[i] >> 8);
        }
        length += n;
    }

    public readonly byte[] Buffer => buffer;
}
