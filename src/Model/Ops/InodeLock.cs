using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Model.Ops;

/// <summary>The VFS inode lock (i_rwsem, XFS IOLOCK) and the invalidate_lock (XFS MMAPLOCK).</summary>
public static class InodeLock
{
    public static Guard Exclusive(KernelState s, int tid) =>
        s.Inode.IRwsem.CanWrite || s.Inode.IRwsem.Writer == tid
            ? Guard.Run
            : Guard.Block(WaitKind.IRwsem, "inode_lock(i_rwsem)");

    /// <summary>The i_rwsem and then the invalidate_lock, both exclusive (truncate, fallocate).</summary>
    public static Guard ExclusiveWithInvalidate(KernelState s, int tid) =>
        !s.Inode.IRwsem.CanWrite ? Exclusive(s, tid)
        : s.Inode.InvalidateLock.CanWrite ? Guard.Run
        : Guard.Block(WaitKind.InvalidateLock, "filemap_invalidate_lock(MMAPLOCK_EXCL)");

    public static Guard Shared(KernelState s, int tid) =>
        s.Inode.IRwsem.CanRead
            ? Guard.Run
            : Guard.Block(WaitKind.IRwsem, "inode_lock_shared(i_rwsem)");

    public static Guard DioWait(KernelState s) =>
        s.Inode.DioCount == 0
            ? Guard.Skip()
            : Guard.Block(WaitKind.DioCount, $"inode_dio_wait(i_dio_count={s.Inode.DioCount})");

    /// <summary>
    /// ->fallocate's locking for the modes that drop page cache (xfs_file_fallocate, ext4_fallocate):
    /// the i_rwsem and the invalidate_lock exclusive, after direct I/O in flight has drained
    /// (inode_dio_wait), in one step.
    /// </summary>
    public static void EmitFallocateLock(ProgramBuilder b, string function, Func<KernelState, int, string> describe, Action<KernelState>? then = null) =>
        b.Add(function,
            (s, tid) => ExclusiveWithInvalidate(s, tid) is { Kind: GuardKind.Block } l ? l
                : DioWait(s) is { Kind: GuardKind.Block } w ? w
                : Guard.Run,
            (s, c) =>
            {
                s.InodeW.IRwsem.Lock(c.Tid);
                s.InodeW.InvalidateLock.Lock(c.Tid);
                then?.Invoke(s);
            },
            describe);

    public static void EmitUnlock(ProgramBuilder b, string function, Action<KernelState, StepContext>? after = null) =>
        b.Add(function, (_, _) => Guard.Run, (s, c) =>
        {
            s.InodeW.IRwsem.Unlock(c.Tid);
            if (s.Inode.InvalidateLock.HeldBy(c.Tid)) s.InodeW.InvalidateLock.Unlock(c.Tid);
            after?.Invoke(s, c);
        });
}
