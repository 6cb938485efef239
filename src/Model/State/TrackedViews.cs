namespace ModelCheck.Model.State;

/// <summary>
/// The state's per-folio arrays as its accessors hand them out: reading an element records a read
/// of the folio it lies under, writing one a write (<see cref="Footprint"/>), when the state is
/// recording; otherwise they cost an array access and one null test.
/// </summary>
public readonly ref struct TrackedView<T>
{
    private readonly KernelState s;
    private readonly T[] a;
    private readonly int perFolio;
    private readonly int component;

    internal TrackedView(KernelState s, T[] a, int perFolio, int component)
    {
        this.s = s;
        this.a = a;
        this.perFolio = perFolio;
        this.component = component;
    }

    public int Length => a.Length;

    public ref readonly T this[int i]
    {
        get
        {
            if (s.Recording is { } r) r.Read(component + ((i / perFolio) % Footprint.FolioSlots));
            return ref a[i];
        }
    }

    public ReadOnlySpan<T> Slice(int start, int length)
    {
        if (s.Recording is { } r) r.Reads |= Footprint.Range(start, length, perFolio, component);
        return a.AsSpan(start, length);
    }

    public T[] ToArray() => Slice(0, a.Length).ToArray();

    public ReadOnlySpan<T>.Enumerator GetEnumerator() => Slice(0, a.Length).GetEnumerator();

    public static implicit operator ReadOnlySpan<T>(TrackedView<T> v) => v.Slice(0, v.a.Length);
}

/// <summary>The writable form of <see cref="TrackedView{T}"/> (a <c>...W</c> accessor): every element handed out counts as written.</summary>
public readonly ref struct TrackedWriter<T>
{
    private readonly KernelState s;
    private readonly T[] a;
    private readonly int perFolio;
    private readonly int component;

    internal TrackedWriter(KernelState s, T[] a, int perFolio, int component)
    {
        this.s = s;
        this.a = a;
        this.perFolio = perFolio;
        this.component = component;
    }

    public int Length => a.Length;

    public ref T this[int i]
    {
        get
        {
            if (s.Recording is { } r) r.Write(component + ((i / perFolio) % Footprint.FolioSlots));
            return ref a[i];
        }
    }

    public Span<T> Slice(int start, int length)
    {
        if (s.Recording is { } r) r.Writes |= Footprint.Range(start, length, perFolio, component);
        return a.AsSpan(start, length);
    }

    public Span<T> AsSpan() => Slice(0, a.Length);

    public Span<T> AsSpan(int start) => Slice(start, a.Length - start);

    public static implicit operator Span<T>(TrackedWriter<T> w) => w.AsSpan();
}
