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

    /// <summary>Room for count more bytes: the buffer doubles, or grows to fit when doubling is not enough (a small first buffer).</summary>
    private void Reserve(int count)
    {
        if (length + count > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + count));
    }

    public void Byte(byte b)
    {
        Reserve(1);
        buffer[length++] = b;
    }

    public void Bool(bool b) => Byte(b ? (byte)1 : (byte)0);

    public void Short(int v)
    {
        Reserve(2);
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
        Reserve(data.Length);
        data.CopyTo(buffer.AsSpan(length));
        length += data.Length;
    }

    /// <summary>
    /// A value that is usually small (a pc, a local, a rank): one byte when it is 0..254, else the
    /// escape byte 255 and the value as <see cref="Short"/> writes it. Injective, so still canonical.
    /// </summary>
    public void Small(int v)
    {
        if ((uint)v < 255) Byte((byte)v);
        else
        {
            Byte(255);
            Short(v);
        }
    }

    public void Smalls(ReadOnlySpan<int> values)
    {
        Reserve(3 * values.Length);
        foreach (int v in values)
        {
            if ((uint)v < 255) buffer[length++] = (byte)v;
            else
            {
                buffer[length] = 255;
                buffer[length + 1] = (byte)v;
                buffer[length + 2] = (byte)(v >> 8);
                length += 3;
            }
        }
    }

    public readonly byte[] Buffer => buffer;
}
