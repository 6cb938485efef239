using ModelCheck.Model.State;

namespace ModelCheck.Model.Steps;

/// <summary>
/// A named local variable of an operation (PlusCal's <c>variable</c>): one of the thread's scratch
/// slots, declared once by the mechanism that uses it, with the kernel name of what it holds. An
/// operation resets its locals to zero before it ends, so that states which differ only in a
/// finished operation's leftovers merge.
/// </summary>
public readonly record struct Local(int Slot, string Name)
{
    /// <summary>Slots 0..3 are per-operation scratch; slot 4 is iomap_zero_range's flush position.</summary>
    public static Local Scratch(int slot, string name) =>
        slot is >= 0 and < Ops.OpHistory.ScratchSlots ? new(slot, name) : throw new ArgumentOutOfRangeException(nameof(slot));

    /// <summary>
    /// A scratch slot that another thread's step may write (a completion waking its waiter): it must
    /// be one of <see cref="SharedSlots"/>, which count as shared for every thread in every scenario
    /// (<see cref="Footprint"/>), so no step that touches them is taken for one only its own thread
    /// can see. A fixed set, not one gathered as models load: the reduction must not depend on which
    /// scenarios a process built before.
    /// </summary>
    public static Local Shared(int slot, string name) =>
        (SharedSlots & (1 << slot)) != 0 ? Scratch(slot, name)
        : throw new ArgumentOutOfRangeException(nameof(slot), $"slot {slot} is not one of Local.SharedSlots");

    /// <summary>The scratch slots other threads' steps may write: slot 2, O_DIRECT's dio->submit.waiter (its end_io wakes the waiter).</summary>
    public const int SharedSlots = 1 << 2;

    public int Get(KernelState s, int tid) => s.Local(tid, Slot);

    public bool IsSet(KernelState s, int tid) => s.Local(tid, Slot) != 0;

    /// <summary>The slot, for writing: goes through the state's copy-on-write accessor.</summary>
    public ref int Ref(KernelState s, int tid) => ref s.LocalW(tid, Slot);

    public void Set(KernelState s, int tid, int value) => s.LocalW(tid, Slot) = value;

    /// <summary>Resets it, writing only when it is not already zero (so a state part is not copied for nothing).</summary>
    public void Clear(KernelState s, int tid)
    {
        if (s.Local(tid, Slot) != 0) s.LocalW(tid, Slot) = 0;
    }

    public override string ToString() => Name;
}
