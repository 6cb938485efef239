namespace ModelCheck.Model.State;

/// <summary>
/// One of the state's per-folio arrays with what its elements belong to: perFolio elements to a
/// folio, from component on (<see cref="Footprint"/>). Records an access when the state records.
/// </summary>
internal readonly struct TrackedArray<T>(KernelState s, T[] a, int perFolio, int component)
{
    public readonly T[] Array = a;

    public void Record(int i, bool write)
    {
        if (s.Recording is not { } r) return;
        int c = component + ((i / perFolio) % Footprint.FolioSlots);
        if (write) r.Write(c);
        else r.Read(c);
    }

    public void Record(int start, int length, bool write)
    {
        if (s.Recording is not { } r) return;
        var set = Footprint.Range(start, length, perFolio, component);
        if (write) r.Writes |= set;
        else r.Reads |= set;
    }
}

/// <summary>
/// The state's per-folio arrays as its accessors hand them out: reading an element records a read
/// of the folio it lies under, writing one a write (<see cref="Footprint"/>), when the state is
/// recording; otherwise they cost an array access and one null test.
/// </summary>
public readonly ref struct TrackedView<T>
{
    private readonly TrackedArray<T> t;

    internal TrackedView(KernelState s, T[] a, int perFolio, int component) => t = new(s, a, perFolio, component);

    public int Length => t.Array.Length;

    public ref readonly T this[int i]
    {
        get
        {
            t.Record(i, write: false);
            return ref t.Array[i];
        }
    }

    public ReadOnlySpan<T> Slice(int start, int length)
    {
        t.Record(start, length, write: false);
        return t.Array.AsSpan(start, length);
    }

    public T[] ToArray() => Slice(0, Length).ToArray();

    public ReadOnlySpan<T>.Enumerator GetEnumerator() => Slice(0, Length).GetEnumerator();

    public static implicit operator ReadOnlySpan<T>(TrackedView<T> v) => v.Slice(0, v.Length);
}

/// <summary>The writable form of <see cref="TrackedView{T}"/> (a <c>...W</c> accessor): every element handed out counts as written.</summary>
public readonly ref struct TrackedWriter<T>
{
    private readonly TrackedArray<T> t;

    internal TrackedWriter(KernelState s, T[] a, int perFolio, int component) => t = new(s, a, perFolio, component);

    public int Length => t.Array.Length;

    public ref T this[int i]
    {
        get
        {
            t.Record(i, write: true);
            return ref t.Array[i];
        }
    }

    public Span<T> Slice(int start, int length)
    {
        t.Record(start, length, write: true);
        return t.Array.AsSpan(start, length);
    }

    public Span<T> AsSpan() => Slice(0, Length);

    public Span<T> AsSpan(int start) => Slice(start, Length - start);

    public static implicit operator Span<T>(TrackedWriter<T> w) => w.AsSpan();
}
