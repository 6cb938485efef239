using System.Runtime.InteropServices;

namespace ModelCheck.Kernel;

/// <summary>The libc calls the kernel driver makes (x86_64 Linux); every one sets errno.</summary>
internal static unsafe partial class Native
{
    public const int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0x40, O_TRUNC = 0x200, O_DIRECT = 0x4000, O_CLOEXEC = 0x80000;
    public const int RWF_DONTCACHE = 0x80;
    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public const int POSIX_FADV_RANDOM = 1, POSIX_FADV_WILLNEED = 3, POSIX_FADV_DONTNEED = 4, MADV_RANDOM = 1;
    public const uint SYNC_FILE_RANGE_WAIT_BEFORE = 1, SYNC_FILE_RANGE_WRITE = 2, SYNC_FILE_RANGE_WAIT_AFTER = 4;
    public const int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2, FALLOC_FL_ZERO_RANGE = 0x10;
    public const int FALLOC_FL_COLLAPSE_RANGE = 0x08, FALLOC_FL_INSERT_RANGE = 0x20, EINVAL = 22;
    public const int MNT_DETACH = 2;
    public const long SYS_cachestat = 451;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CachestatRange
    {
        public ulong Off, Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Cachestat
    {
        public ulong NrCache, NrDirty, NrWriteback, NrEvicted, NrRecentlyEvicted;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    public static partial nint Pread(int fd, void* buf, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "pwritev2", SetLastError = true)]
    public static partial nint Pwritev2(int fd, IoVec* iov, int iovcnt, long offset, int flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    public static partial int Syncfs(int fd);

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long len);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    public static partial int PosixFadvise(int fd, long offset, long len, int advice);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* addr, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(void* addr, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    public static partial int Mincore(void* addr, nuint length, byte* vec);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, void* arg);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlInt(int fd, ulong request, nint arg);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall4(long number, long a, void* b, void* c, long d);

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Mount(string source, string target, string fstype, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Unlink(string path);

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int Gettid();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint Geteuid();

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint StrError(int errnum);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string ErrorText(int errno) => $"{Marshal.PtrToStringUTF8(StrError(errno))} (errno {errno})";

    /// <summary>Throws a KernelCallException when a call returned a negative value.</summary>
    public static long Check(long rc, string what)
    {
        if (rc < 0) throw new KernelCallException(what, Errno);
        return rc;
    }
}

/// <summary>A system call failed: what was called, and errno.</summary>
public sealed class KernelCallException(string call, int errno)
    : Exception($"{call}: {Native.ErrorText(errno)}")
{
    public string Call { get; } = call;
    public int Errno { get; } = errno;
}
