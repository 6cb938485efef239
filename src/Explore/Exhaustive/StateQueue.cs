using System.Buffers.Binary;

namespace ModelCheck.Explore.Exhaustive;

/// <summary>
/// The breadth-first frontier: encoded states with their node ids, packed back to back in 1 MiB
/// byte chunks. A queued state is no object of its own, so the garbage collector never copies or
/// scans the frontier, however large it grows; a chunk is reused once every state in it is taken.
/// </summary>
internal sealed class StateQueue
{
    private const int ChunkSize = 1 << 20;
    private const int Header = 6; // node id (4 bytes), encoding length (2 bytes)

    private readonly Queue<byte[]> chunks = new(); // the oldest is read, the newest written
    private readonly Stack<byte[]> spare = new();
    private byte[] write;
    private int writeAt;
    private int readAt;

    public StateQueue()
    {
        write = new byte[ChunkSize];
        chunks.Enqueue(write);
    }

    public long Count { get; private set; }

    public void Enqueue(ReadOnlySpan<byte> encoding, int id)
    {
        if (encoding.Length > ushort.MaxValue) throw new InvalidOperationException($"a state encoding of {encoding.Length} bytes");
        if (writeAt + Header + encoding.Length > ChunkSize)
        {
            if (writeAt + Header <= ChunkSize) BinaryPrimitives.WriteInt32LittleEndian(write.AsSpan(writeAt), -1); // end of chunk
            write = spare.Count > 0 ? spare.Pop() : new byte[ChunkSize];
            chunks.Enqueue(write);
            writeAt = 0;
        }
        BinaryPrimitives.WriteInt32LittleEndian(write.AsSpan(writeAt), id);
        BinaryPrimitives.WriteUInt16LittleEndian(write.AsSpan(writeAt + 4), (ushort)encoding.Length);
        encoding.CopyTo(write.AsSpan(writeAt + Header));
        writeAt += Header + encoding.Length;
        Count++;
    }

    /// <summary>The oldest queued state; its bytes stay valid until the next call.</summary>
    public bool TryDequeue(out ReadOnlySpan<byte> encoding, out int id)
    {
        encoding = default;
        id = -1;
        if (Count == 0) return false;
        var read = chunks.Peek();
        if (readAt + Header > ChunkSize || BinaryPrimitives.ReadInt32LittleEndian(read.AsSpan(readAt)) < 0)
        {
            spare.Push(chunks.Dequeue());
            read = chunks.Peek();
            readAt = 0;
        }
        id = BinaryPrimitives.ReadInt32LittleEndian(read.AsSpan(readAt));
        int length = BinaryPrimitives.ReadUInt16LittleEndian(read.AsSpan(readAt + 4));
        encoding = read.AsSpan(readAt + Header, length);
        readAt += Header + length;
        Count--;
        return true;
    }

    public void Clear()
    {
        while (chunks.Count > 1) spare.Push(chunks.Dequeue());
        write = chunks.Peek();
        writeAt = readAt = 0;
        Count = 0;
    }
}
