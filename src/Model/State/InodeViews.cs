namespace ModelCheck.Model.State;

/// <summary>The inode for reading (<see cref="KernelState.Inode"/>): each field group read is recorded when the state records.</summary>
public readonly ref struct InodeView
{
    private readonly KernelState s;

    internal InodeView(KernelState s) => this.s = s;

    private ref readonly Inode R(int component)
    {
        s.Recording?.Read(component);
        return ref s.InodeRef;
    }

    public int ISize => R(Footprint.ISize).ISize;
    public int IDiskSize => R(Footprint.IDiskSize).IDiskSize;
    public RwSem IRwsem => R(Footprint.IRwsem).IRwsem;
    public RwSem InvalidateLock => R(Footprint.InvalidateLock).InvalidateLock;
    public int DioCount => R(Footprint.DioCount).DioCount;
    public bool StableWrites => R(Footprint.MappingFlags).StableWrites;
    public byte StableCount => R(Footprint.MappingFlags).StableCount;
    public bool DeviceStable => R(Footprint.MappingFlags).DeviceStable;
    public bool WritebackMayDeadlock => R(Footprint.MappingFlags).WritebackMayDeadlock;
    public bool DioDoneWq => R(Footprint.MappingFlags).DioDoneWq;
    public byte WbErr => R(Footprint.Errors).WbErr;
    public bool AsEio => R(Footprint.Errors).AsEio;
    public byte IoErrors => R(Footprint.Errors).IoErrors;
    public byte ReadErrors => R(Footprint.Errors).ReadErrors;
    public byte PrivateLock => R(Footprint.PrivateLock).PrivateLock;

    /// <summary>A copy of the whole inode (records a read of every field).</summary>
    public Inode Value
    {
        get
        {
            if (s.Recording is { } r) r.Reads |= Footprint.InodeFields;
            return s.InodeRef;
        }
    }
}

/// <summary>The inode for writing (<see cref="KernelState.InodeW"/>): each field handed out by reference counts as written.</summary>
public readonly ref struct InodeWriter
{
    private readonly KernelState s;

    internal InodeWriter(KernelState s) => this.s = s;

    private ref Inode W(int component)
    {
        s.Recording?.Write(component);
        return ref s.InodeRef;
    }

    public ref int ISize => ref W(Footprint.ISize).ISize;
    public ref int IDiskSize => ref W(Footprint.IDiskSize).IDiskSize;
    public ref RwSem IRwsem => ref W(Footprint.IRwsem).IRwsem;
    public ref RwSem InvalidateLock => ref W(Footprint.InvalidateLock).InvalidateLock;
    public ref int DioCount => ref W(Footprint.DioCount).DioCount;
    public ref bool StableWrites => ref W(Footprint.MappingFlags).StableWrites;
    public ref byte StableCount => ref W(Footprint.MappingFlags).StableCount;
    public ref bool DeviceStable => ref W(Footprint.MappingFlags).DeviceStable;
    public ref bool WritebackMayDeadlock => ref W(Footprint.MappingFlags).WritebackMayDeadlock;
    public ref bool DioDoneWq => ref W(Footprint.MappingFlags).DioDoneWq;
    public ref byte WbErr => ref W(Footprint.Errors).WbErr;
    public ref bool AsEio => ref W(Footprint.Errors).AsEio;
    public ref byte IoErrors => ref W(Footprint.Errors).IoErrors;
    public ref byte ReadErrors => ref W(Footprint.Errors).ReadErrors;
    public ref byte PrivateLock => ref W(Footprint.PrivateLock).PrivateLock;

    /// <summary>The whole inode by reference (counts as writing every field group).</summary>
    public ref Inode All
    {
        get
        {
            if (s.Recording is { } r) r.Writes |= Footprint.InodeFields;
            return ref s.InodeRef;
        }
    }
}
