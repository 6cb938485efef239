namespace ModelCheck.Explore.Exhaustive;

/// <summary>
/// The visited set: an open-addressing hash table from 128-bit fingerprints to node ids (linear
/// probing, power-of-two capacity, at most 3/4 full). 20 bytes a slot, no object per entry: about
/// 27 bytes a stored state, where Dictionary spends 36 or more.
/// </summary>
public sealed class FingerprintTable
{
    private UInt128[] keys;
    private int[] ids; // id + 1; 0 marks an empty slot
    private int mask;

    public FingerprintTable(int capacity = 1 << 16)
    {
        int size = 16;
        while (size < capacity) size <<= 1;
        keys = new UInt128[size];
        ids = new int[size];
        mask = size - 1;
    }

    public int Count { get; private set; }

    /// <summary>Bytes held by the table's arrays.</summary>
    public long Bytes => (long)keys.Length * 20;

    private static int Slot(UInt128 fp, int mask) => (int)((ulong)fp ^ (ulong)(fp >> 64)) & mask;

    public bool TryGetValue(UInt128 fp, out int id)
    {
        for (int i = Slot(fp, mask); ; i = (i + 1) & mask)
        {
            if (ids[i] == 0)
            {
                id = -1;
                return false;
            }
            if (keys[i] == fp)
            {
                id = ids[i] - 1;
                return true;
            }
        }
    }

    public bool ContainsKey(UInt128 fp) => TryGetValue(fp, out _);

    /// <summary>Adds fp with its node id; false when it is already there.</summary>
    public bool TryAdd(UInt128 fp, int id) => TryAdd(fp, id, out _);

    /// <summary>Adds fp with its node id in one probe; when it is already there, false and its id.</summary>
    public bool TryAdd(UInt128 fp, int id, out int existing)
    {
        if ((Count + 1) * 4 > keys.Length * 3) Grow();
        for (int i = Slot(fp, mask); ; i = (i + 1) & mask)
        {
            if (ids[i] == 0)
            {
                keys[i] = fp;
                ids[i] = id + 1;
                Count++;
                existing = -1;
                return true;
            }
            if (keys[i] == fp)
            {
                existing = ids[i] - 1;
                return false;
            }
        }
    }

    private void Grow()
    {
        var oldKeys = keys;
        var oldIds = ids;
        keys = new UInt128[oldKeys.Length * 2];
        ids = new int[oldKeys.Length * 2];
        mask = keys.Length - 1;
        for (int j = 0; j < oldKeys.Length; j++)
        {
            if (oldIds[j] == 0) continue;
            int i = Slot(oldKeys[j], mask);
            while (ids[i] != 0) i = (i + 1) & mask;
            keys[i] = oldKeys[j];
            ids[i] = oldIds[j];
        }
    }
}
