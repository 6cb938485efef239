namespace ModelCheck.Model.Steps;

/// <summary>Observable events a step produces; history invariants judge them.</summary>
public abstract record ModelEvent;

/// <summary>
/// A read operation returned this tag for this unit; FloorRank is what it must not undercut, and
/// FloorIsZeroing says that floor is the zeros an operation that returned defined there (a punched hole).
/// </summary>
public sealed record ReadReturned(int Tid, string Op, int Unit, byte Tag, int Rank, int FloorRank, bool FloorIsZeroing = false) : ModelEvent;

/// <summary>An fsync returned, with an error or not; Owed: a writeback error was owed to its file description.</summary>
public sealed record FsyncReturned(int Tid, bool Error, bool Owed) : ModelEvent;

/// <summary>A kernel assertion (VM_BUG_ON) or folio-flag rule the step broke.</summary>
public sealed record FolioFlagsBroken(int Folio, string Message) : ModelEvent;

/// <summary>Folio contents changed while an I/O that needs stable pages was reading them.</summary>
public sealed record StablePagesBroken(int Folio, string Message) : ModelEvent;

/// <summary>A data copy the kernel made (a metric, not a verdict): FUSE temp pages.</summary>
public sealed record CopyMade(int Folio, string What) : ModelEvent;

/// <summary>An integrity operation (fsync, sync) returned: every surviving write must be on disk.</summary>
/// <summary>Required holds, per unit, the data of writes completed before the operation started (DataTag.None: nothing).</summary>
public sealed record DurabilityPoint(int Tid, string Op, byte[] Required) : ModelEvent;
