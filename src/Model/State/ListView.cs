using System.Collections;

namespace ModelCheck.Model.State;

/// <summary>
/// A read-only view of one of the state's lists: what the plain accessors return, so that only the
/// copy-on-write accessor can change the list. A struct with List's own struct enumerator, so
/// reading it in the guards the search runs for every thread of every state allocates nothing.
/// </summary>
public readonly struct ListView<T>(List<T> list) : IReadOnlyList<T>
{
    public int Count => list.Count;

    public T this[int index] => list[index];

    public List<T>.Enumerator GetEnumerator() => list.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => list.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => list.GetEnumerator();
}
