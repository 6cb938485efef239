using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>
/// The search's frontier: encoded states by node id, appended in id order into byte blocks (no
/// object per state) and read by any thread once the id is published. One thread (the merger)
/// appends, releases and spills; a block is recycled once every id stored in it is merged, which
/// no reader still needs, since workers read only ids the merger has not consumed.
/// <para>
/// Spilling: when more than the memory limit's worth of blocks is held, a block that has just
/// filled goes to a temporary file (deleted on close) unless readers may need it soon, and it is
/// read back when the merger comes within <c>ahead</c> ids of it. Breadth-first search reads the
/// frontier in the order it was written, so the file is written and read sequentially.
/// </para>
/// </summary>
internal sealed class StateStore(long memoryLimit, int ahead, int blockBits = 20) : IDisposable
{
    private const int IdBits = 16;
    private const int IdChunk = 1 << IdBits;

    private readonly int blockSize = 1 << blockBits;
    // 64 GiB of encodings at most (1 GiB with the small blocks tests use)
    private readonly byte[]?[] blocks = new byte[]?[Math.Min(1 << (36 - blockBits), 1 << 20)];
    private readonly bool[] onDisk = new bool[Math.Min(1 << (36 - blockBits), 1 << 20)];
    private readonly long[]?[] positions = new long[]?[1 << 15];
    private readonly Stack<byte[]> spare = new();
    private long end;       // where the next encoding goes
    private int lastId = -1;
    private int released;   // blocks below this are recycled
    private int resident;   // blocks in memory
    private int needed;     // the merger is at this id: ids from here to needed + ahead stay in memory
    private SafeFileHandle? file;

    /// <summary>Blocks written to the spill file so far.</summary>
    public int Spilled { get; private set; }

    private int MaxResident => (int)Math.Max(4, memoryLimit >> blockBits);

    /// <summary>Stores the encoding of id (ids come in order); publish the id after this returns.</summary>
    public void Append(int id, ReadOnlySpan<byte> encoding)
    {
        if (encoding.Length > ushort.MaxValue || 2 + encoding.Length > blockSize)
            throw new InvalidOperationException($"a state encoding of {encoding.Length} bytes");
        if (lastId < 0) needed = id; // a resumed search's frontier starts past 0
        int need = 2 + encoding.Length;
        if ((end & (blockSize - 1)) + need > blockSize)
        {
            int full = (int)(end >> blockBits);
            end = (long)(full + 1) << blockBits;
            MaybeSpill(full);
        }
        int b = (int)(end >> blockBits);
        var block = blocks[b] ??= Take();
        int at = (int)(end & (blockSize - 1));
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(at), (ushort)encoding.Length);
        encoding.CopyTo(block.AsSpan(at + 2));
        (positions[id >> IdBits] ??= new long[IdChunk])[id & (IdChunk - 1)] = end;
        end += need;
        lastId = id;
    }

    /// <summary>The encoding of a stored id that is not yet released (and, when spilling, within reach of the merger).</summary>
    public ReadOnlySpan<byte> Get(int id)
    {
        long p = Position(id);
        var block = blocks[p >> blockBits] ?? throw new InvalidOperationException($"state {id} is not in memory");
        int at = (int)(p & (blockSize - 1));
        return block.AsSpan(at + 2, BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(at)));
    }

    /// <summary>The encoding of a stored, unreleased id, read back from the spill file when it is there (merger thread only).</summary>
    public byte[] Copy(int id)
    {
        long p = Position(id);
        int b = (int)(p >> blockBits), at = (int)(p & (blockSize - 1));
        if (blocks[b] is { } block)
            return block.AsSpan(at + 2, BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(at))).ToArray();
        if (!onDisk[b]) throw new InvalidOperationException($"state {id} is released");
        var len = new byte[2];
        RandomAccess.Read(file!, len, ((long)b << blockBits) + at);
        var bytes = new byte[BinaryPrimitives.ReadUInt16LittleEndian(len)];
        for (int read = 0; read < bytes.Length;)
        {
            int n = RandomAccess.Read(file!, bytes.AsSpan(read), ((long)b << blockBits) + at + 2 + read);
            if (n <= 0) throw new IOException($"spill file ended in block {b}");
            read += n;
        }
        return bytes;
    }

    /// <summary>
    /// The merger is at id (every id below it is merged): recycles the blocks only those used, and
    /// brings back from the spill file every block holding an id readers may take next.
    /// </summary>
    public void ReleaseBelow(int id)
    {
        needed = id;
        int keep = (int)(Position(id) >> blockBits);
        for (; released < keep; released++)
        {
            if (blocks[released] is { } b) Recycle(b);
            blocks[released] = null;
        }
        if ((id & (IdChunk - 1)) == 0 && id > 0) positions[(id >> IdBits) - 1] = null;
        if (Spilled == 0) return;
        int last = (int)(Position(Math.Min(lastId, id + ahead)) >> blockBits);
        for (int b = keep; b <= last; b++)
            if (onDisk[b]) Load(b);
    }

    private long Position(int id) => positions[id >> IdBits]![id & (IdChunk - 1)];

    private byte[] Take()
    {
        resident++;
        return spare.Count > 0 ? spare.Pop() : new byte[blockSize];
    }

    private void Recycle(byte[] b)
    {
        resident--;
        if (spare.Count < 4) spare.Push(b);
    }

    /// <summary>Writes a just-filled block to the spill file when memory is over the limit and readers are not near it.</summary>
    private void MaybeSpill(int b)
    {
        if (resident <= MaxResident || blocks[b] is not { } block) return;
        if (lastId >= 0 && (int)(Position(Math.Min(lastId, needed + ahead)) >> blockBits) >= b) return; // readers may need it soon
        file ??= File.OpenHandle(Path.Combine(Path.GetTempPath(), $"modelcheck-frontier-{Environment.ProcessId}-{Guid.NewGuid():N}.bin"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        RandomAccess.Write(file, block, (long)b << blockBits);
        onDisk[b] = true;
        blocks[b] = null;
        Recycle(block);
        Spilled++;
    }

    private void Load(int b)
    {
        var block = Take();
        for (int read = 0; read < blockSize;)
        {
            int n = RandomAccess.Read(file!, block.AsSpan(read), ((long)b << blockBits) + read);
            if (n <= 0) throw new IOException($"spill file ended in block {b}");
            read += n;
        }
        onDisk[b] = false;
        Volatile.Write(ref blocks[b], block);
    }

    public void Dispose() => file?.Dispose();
}
