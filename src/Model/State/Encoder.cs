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
        Byte((byte)v);
        Byte((byte)(v >> 8));
    }

    public void Int(int v)
    {
        Short(v);
        Short(v >> 16);
    }

    public void Bytes(ReadOnlySpan<byte> data)
    {
        foreach (var b in data) Byte(b);
    }

    public readonly byte[] Buffer => buffer;
}
