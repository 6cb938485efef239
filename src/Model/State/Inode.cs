namespace ModelCheck.Model.State;

/// <summary>A sleeping reader/writer lock (i_rwsem, invalidate_lock): owner tid or readers mask.</summary>
public struct RwSem
{
    public sbyte Writer;
    public int Readers;

    public static RwSem Free => new() { Writer = -1 };

    public readonly bool CanWrite => Writer < 0 && Readers == 0;
    public readonly bool CanRead => Writer < 0;
    public readonly bool HeldBy(int tid) => Writer == tid || (Readers & (1 << tid)) != 0;

    public void Lock(int tid) => Writer = (sbyte)tid;
    public void LockShared(int tid) => Readers |= 1 << tid;

    public void Unlock(int tid)
    {
        if (Writer == tid) Writer = -1;
        else Readers &= ~(1 << tid);
    }

    public readonly void Encode(ref Encoder e)
    {
        e.Byte((byte)(Writer + 1));
        e.Int(Readers);
    }

    public readonly string Describe() =>
        Writer >= 0 ? $"excl(T{Writer})" : Readers != 0 ? $"shared({Readers:x})" : "free";
}

/// <summary>The inode: sizes, locks, the direct-I/O count and mapping-wide flags.</summary>
public struct Inode
{
    public int ISize;        // in-core i_size, units
    public int IDiskSize;    // XFS i_disk_size, units
    public RwSem IRwsem;     // IOLOCK
    public RwSem InvalidateLock; // MMAPLOCK
    public int DioCount;     // i_dio_count
    public bool StableWrites;    // AS_STABLE_WRITES
    public byte StableCount;     // in-flight write-throughs (WtStableWrites=counted)
    public bool DeviceStable;    // SB_I_STABLE_WRITES: the bit was preset at inode setup
    public bool WritebackMayDeadlock; // AS_WRITEBACK_MAY_DEADLOCK_ON_RECLAIM / INDETERMINATE
    public bool DioDoneWq;   // sb->s_dio_done_wq allocated
    /// <summary>mapping->wb_err, an errseq_t (<see cref="Ops.WritebackError"/>): counter, error, SEEN.</summary>
    public byte WbErr;
    public bool AsEio;       // AS_EIO in mapping->flags
    public byte IoErrors;    // write errors the device has injected in this run
    /// <summary>mapping->i_private_lock (a spinlock; the buffer list's lock): 0 free, else the holder's tid + 1.</summary>
    public byte PrivateLock;
    public byte ReadErrors;  // read errors the device has injected in this run

    public readonly void Encode(ref Encoder e)
    {
        e.Short(ISize);
        e.Short(IDiskSize);
        IRwsem.Encode(ref e);
        InvalidateLock.Encode(ref e);
        e.Byte((byte)DioCount);
        e.Byte((byte)((StableWrites ? 1 : 0) | (WritebackMayDeadlock ? 2 : 0) | (DioDoneWq ? 4 : 0) | (DeviceStable ? 8 : 0)));
        e.Byte(StableCount);
        e.Byte(WbErr);
        e.Byte((byte)((AsEio ? 1 : 0) | (IoErrors << 1)));
        e.Byte(PrivateLock);
        e.Byte(ReadErrors);
    }
}

/// <summary>Data-fork extent state of one block (what ->iomap_begin reports).</summary>
public enum ExtentType : byte { Hole, Delalloc, Unwritten, Written }

/// <summary>COW-fork staging extent of one block.</summary>
public enum CowType : byte { None, Unwritten, Written }
