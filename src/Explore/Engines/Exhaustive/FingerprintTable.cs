using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>
/// The visited set: an open-addressing hash table from 128-bit fingerprints to node ids (linear
/// probing, power-of-two capacity, at most 3/4 full). A slot holds the fingerprint and the id side
/// by side, 20 bytes, so a probe touches one cache line; no object per entry: about 27 bytes a
/// stored state, where Dictionary spends 36 or more.
/// </summary>
public sealed class FingerprintTable
{
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Slot
    {
        public ulong Lo, Hi;
        public int Id; // id + 1; 0 marks an empty slot
    }

    private Slot[] slots;
    private int mask;

    public FingerprintTable(int capacity = 1 << 16)
    {
        int size = 16;
        while (size < capacity) size <<= 1;
        slots = new Slot[size];
        mask = size - 1;
    }

    public int Count { get; private set; }

    private static int Home(ulong lo, ulong hi, int mask) => (int)(lo ^ hi) & mask;

    /// <summary>The slot holding fp, or the empty slot where it would go.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Slot Find(ulong lo, ulong hi)
    {
        for (int i = Home(lo, hi, mask); ; i = (i + 1) & mask)
        {
            ref var slot = ref slots[i];
            if (slot.Id == 0 || (slot.Lo == lo && slot.Hi == hi)) return ref slot;
        }
    }

    public bool TryGetValue(UInt128 fp, out int id)
    {
        id = Find((ulong)fp, (ulong)(fp >> 64)).Id - 1;
        return id >= 0;
    }

    /// <summary>Adds fp with its node id; false when it is already there.</summary>
    public bool TryAdd(UInt128 fp, int id) => TryAdd(fp, id, out _);

    /// <summary>Adds fp with its node id in one probe; when it is already there, false and its id.</summary>
    public bool TryAdd(UInt128 fp, int id, out int existing)
    {
        if ((Count + 1) * 4 > slots.Length * 3) Grow();
        ulong lo = (ulong)fp, hi = (ulong)(fp >> 64);
        ref var slot = ref Find(lo, hi);
        existing = slot.Id - 1;
        if (existing >= 0) return false;
        slot.Lo = lo;
        slot.Hi = hi;
        slot.Id = id + 1;
        Count++;
        return true;
    }

    /// <summary>Every (fingerprint, id) stored, for a checkpoint.</summary>
    public void Write(BinaryWriter w)
    {
        w.Write(Count);
        foreach (var s in slots)
        {
            if (s.Id == 0) continue;
            w.Write(s.Lo);
            w.Write(s.Hi);
            w.Write(s.Id - 1);
        }
    }

    /// <summary>The table a checkpoint wrote.</summary>
    public static FingerprintTable Read(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n < 0) throw new InvalidDataException("negative fingerprint count");
        var t = new FingerprintTable(Math.Max(1 << 16, n / 3 * 4 + 16));
        for (int i = 0; i < n; i++)
        {
            ulong lo = r.ReadUInt64(), hi = r.ReadUInt64();
            int id = r.ReadInt32();
            if (!t.TryAdd(((UInt128)hi << 64) | lo, id)) throw new InvalidDataException("a fingerprint stored twice");
        }
        return t;
    }

    // runs a few times a search, too rarely for tiered compilation to optimise it, on millions of slots
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Grow()
    {
        var old = slots;
        slots = new Slot[old.Length * 2];
        mask = slots.Length - 1;
        foreach (var s in old)
        {
            if (s.Id == 0) continue;
            int i = Home(s.Lo, s.Hi, mask);
            while (slots[i].Id != 0) i = (i + 1) & mask;
            slots[i] = s;
        }
    }
}
