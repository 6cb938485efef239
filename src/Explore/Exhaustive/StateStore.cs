using System.Buffers.Binary;

namespace ModelCheck.Explore.Exhaustive;

/// <summary>
/// The parallel search's frontier: encoded states by node id, appended in id order into 1 MiB
/// byte blocks (no object per state) and read by any thread once the id is published. One thread
/// (the merger) appends and releases; a block is recycled once every id stored in it is merged,
/// which no reader still needs, since workers read only ids the merger has not consumed.
/// </summary>
internal sealed class StateStore
{
    private const int BlockBits = 20;
    private const int BlockSize = 1 << BlockBits;
    private const int IdBits = 16;
    private const int IdChunk = 1 << IdBits;

    private readonly byte[]?[] blocks = new byte[]?[1 << 16]; // 64 GiB of encodings at most
    private readonly long[]?[] positions = new long[]?[1 << 15];
    private readonly Stack<byte[]> spare = new();
    private long end;      // where the next encoding goes
    private int released;  // blocks below this are recycled

    /// <summary>Stores the encoding of id (ids come in order); publish the id after this returns.</summary>
    public void Append(int id, ReadOnlySpan<byte> encoding)
    {
        if (encoding.Length > ushort.MaxValue) throw new InvalidOperationException($"a state encoding of {encoding.Length} bytes");
        int need = 2 + encoding.Length;
        if ((end & (BlockSize - 1)) + need > BlockSize) end = ((end >> BlockBits) + 1) << BlockBits;
        int b = (int)(end >> BlockBits);
        var block = blocks[b] ??= spare.Count > 0 ? spare.Pop() : new byte[BlockSize];
        int at = (int)(end & (BlockSize - 1));
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(at), (ushort)encoding.Length);
        encoding.CopyTo(block.AsSpan(at + 2));
        (positions[id >> IdBits] ??= new long[IdChunk])[id & (IdChunk - 1)] = end;
        end += need;
    }

    /// <summary>The encoding of a stored id that is not yet released.</summary>
    public ReadOnlySpan<byte> Get(int id)
    {
        long p = positions[id >> IdBits]![id & (IdChunk - 1)];
        var block = blocks[p >> BlockBits]!;
        int at = (int)(p & (BlockSize - 1));
        return block.AsSpan(at + 2, BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(at)));
    }

    /// <summary>Every id below id is merged: recycles the blocks and position chunks only they used.</summary>
    public void ReleaseBelow(int id)
    {
        int keep = (int)(positions[id >> IdBits]![id & (IdChunk - 1)] >> BlockBits);
        for (; released < keep; released++)
        {
            spare.Push(blocks[released]!);
            blocks[released] = null;
        }
        if ((id & (IdChunk - 1)) == 0 && id > 0) positions[(id >> IdBits) - 1] = null;
    }
}
