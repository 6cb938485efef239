using System.Runtime.InteropServices;

namespace ModelCheck.Kernel;

/// <summary>What FIEMAP says of a file range.</summary>
public enum KernelExtentType : byte { Hole, Delalloc, Unwritten, Written }

public readonly record struct KernelExtent(long Logical, long Physical, long Length, KernelExtentType Type, bool Shared);

/// <summary>What cachestat(2) counts over a range, in pages.</summary>
public readonly record struct PageCounts(long Cached, long Dirty, long Writeback);

/// <summary>
/// One test file on a <see cref="LoopMount"/>: the model's operations as system calls on it
/// (a buffered descriptor and an O_DIRECT one), and what user space can observe of its page
/// cache and extents. Data is written as one repeated byte per write, so a read decodes back
/// into the model's data tags.
/// </summary>
public sealed unsafe class KernelFile : IDisposable
{
    public const int PageSize = 4096;
    private const ulong FS_IOC_FIEMAP = 0xC020660B;
    private const uint FIEMAP_EXTENT_DELALLOC = 0x4, FIEMAP_EXTENT_UNWRITTEN = 0x800, FIEMAP_EXTENT_SHARED = 0x2000;

    private readonly int fd;
    private readonly int dioFd;

    public string Path { get; }

    private KernelFile(string path, int fd, int dioFd)
    {
        Path = path;
        this.fd = fd;
        this.dioFd = dioFd;
    }

    /// <summary>A new empty file (an existing one of that name is removed first).</summary>
    public static KernelFile Create(string dir, string name)
    {
        string path = System.IO.Path.Combine(dir, name);
        Native.Unlink(path);
        return OpenPath(path, Native.O_CREAT | Native.O_TRUNC);
    }

    /// <summary>A new file with a buffered descriptor only (FUSE: no O_DIRECT descriptor, no readahead advice).</summary>
    public static KernelFile CreateBuffered(string dir, string name)
    {
        string path = System.IO.Path.Combine(dir, name);
        int fd = (int)Native.Check(Native.Open(path, Native.O_RDWR | Native.O_CREAT | Native.O_CLOEXEC, 0x1A4), "open " + path);
        return new KernelFile(path, fd, -1);
    }

    /// <summary>Another pair of descriptors on an existing file (each concurrent thread has its own).</summary>
    public static KernelFile Open(string dir, string name) => OpenPath(System.IO.Path.Combine(dir, name), 0);

    private static KernelFile OpenPath(string path, int createFlags)
    {
        int fd = (int)Native.Check(Native.Open(path, Native.O_RDWR | createFlags | Native.O_CLOEXEC, 0x1A4), "open " + path);
        int dio = Native.Open(path, Native.O_RDWR | Native.O_DIRECT | Native.O_CLOEXEC, 0);
        if (dio < 0)
        {
            int err = Native.Errno;
            Native.Close(fd);
            throw new KernelCallException("open O_DIRECT " + path, err);
        }
        // the model has no readahead: reads and faults bring in exactly the pages they touch
        int rc = Native.PosixFadvise(fd, 0, 0, Native.POSIX_FADV_RANDOM);
        if (rc != 0)
        {
            Native.Close(dio);
            Native.Close(fd);
            throw new KernelCallException("posix_fadvise(RANDOM)", rc);
        }
        return new KernelFile(path, fd, dio);
    }

    /// <summary>A page-aligned buffer, as O_DIRECT needs.</summary>
    private sealed class Aligned : IDisposable
    {
        public byte* Ptr { get; }
        public int Length { get; }

        public Aligned(long length)
        {
            Length = (int)Math.Max(PageSize, (length + PageSize - 1) / PageSize * PageSize);
            Ptr = (byte*)NativeMemory.AlignedAlloc((nuint)Length, PageSize);
            new Span<byte>(Ptr, Length).Clear();
        }

        public Span<byte> Span(long n) => new(Ptr, (int)n);

        public void Dispose() => NativeMemory.AlignedFree(Ptr);
    }

    /// <summary>pwrite (or pwritev2 with RWF_DONTCACHE) of len bytes of value at off.</summary>
    public void Write(long off, long len, byte value, bool dontcache = false) => WriteOn(fd, off, len, value, dontcache ? Native.RWF_DONTCACHE : 0, dontcache ? "pwritev2(RWF_DONTCACHE)" : "pwrite");

    /// <summary>An O_DIRECT write (offset and length 512-aligned).</summary>
    public void DioWrite(long off, long len, byte value) => WriteOn(dioFd, off, len, value, 0, "pwrite(O_DIRECT)");

    private static void WriteOn(int fd, long off, long len, byte value, int flags, string what)
    {
        using var buf = new Aligned(len);
        buf.Span(len).Fill(value);
        var iov = new Native.IoVec { Base = buf.Ptr, Len = (nuint)len };
        long n = Native.Check(Native.Pwritev2(fd, &iov, 1, off, flags), what);
        if (n != len) throw new InvalidOperationException($"{what}: short write {n} of {len}");
    }

    /// <summary>A buffered read; shorter than len at EOF.</summary>
    public byte[] Read(long off, long len) => ReadOn(fd, off, len, "pread");

    /// <summary>An O_DIRECT read; shorter than len at EOF.</summary>
    public byte[] DioRead(long off, long len) => ReadOn(dioFd, off, len, "pread(O_DIRECT)");

    private static byte[] ReadOn(int fd, long off, long len, string what)
    {
        using var buf = new Aligned(len);
        long n = Native.Check(Native.Pread(fd, buf.Ptr, (nuint)len, off), what);
        return buf.Span(n).ToArray();
    }

    /// <summary>
    /// A store through a shared mapping of the page that holds off (the range stays inside that
    /// page). A page wholly past EOF would raise SIGBUS, so nothing is stored there; past EOF inside
    /// the EOF page the store lands in the page, as a program's would. Returns whether it stored.
    /// </summary>
    public bool MmapStore(long off, long len, byte value)
    {
        long page = off / PageSize * PageSize;
        if (page >= Size) return false;
        byte* map = Map(page, Native.PROT_READ | Native.PROT_WRITE);
        try
        {
            new Span<byte>(map + (off - page), (int)len).Fill(value);
        }
        finally
        {
            Native.Munmap(map, PageSize);
        }
        return true;
    }

    /// <summary>
    /// A load through a shared mapping of the page that holds off: it faults the page in whenever
    /// the page starts below EOF, and returns the bytes below EOF (a page past EOF: SIGBUS, so no load).
    /// </summary>
    public byte[] MmapRead(long off, long len)
    {
        long size = Size;
        long page = off / PageSize * PageSize;
        if (page >= size) return [];
        byte* map = Map(page, Native.PROT_READ);
        try
        {
            var loaded = new Span<byte>(map + (off - page), (int)len).ToArray();
            return loaded.AsSpan(0, (int)Math.Clamp(size - off, 0, len)).ToArray();
        }
        finally
        {
            Native.Munmap(map, PageSize);
        }
    }

    /// <summary>A shared writable mapping of one page that stays mapped (its PTE outlives a single store).</summary>
    public sealed class Mapping : IDisposable
    {
        private byte* map;
        private readonly long page;

        internal Mapping(byte* map, long page)
        {
            this.map = map;
            this.page = page;
        }

        /// <summary>Stores value at [off, off+len) of the file through this mapping (the range stays in its page).</summary>
        public void Store(long off, long len, byte value) => new Span<byte>(map + (off - page), (int)len).Fill(value);

        public void Dispose()
        {
            if (map != null) Native.Munmap(map, PageSize);
            map = null;
        }
    }

    /// <summary>Maps the page holding off, shared and writable, until the mapping is disposed.</summary>
    public Mapping MapPage(long off)
    {
        long page = off / PageSize * PageSize;
        return new Mapping(Map(page, Native.PROT_READ | Native.PROT_WRITE), page);
    }

    private byte* Map(long page, int prot)
    {
        void* p = Native.Mmap(null, PageSize, prot, Native.MAP_SHARED, fd, page);
        if (p == (void*)-1) throw new KernelCallException("mmap", Native.Errno);
        if (Native.Madvise(p, PageSize, Native.MADV_RANDOM) < 0)
        {
            int err = Native.Errno;
            Native.Munmap(p, PageSize);
            throw new KernelCallException("madvise(MADV_RANDOM)", err);
        }
        return (byte*)p;
    }

    public void Truncate(long size) => Native.Check(Native.Ftruncate(fd, size), "ftruncate");

    public void Fsync() => Native.Check(Native.Fsync(fd), "fsync");

    public void Syncfs() => Native.Check(Native.Syncfs(fd), "syncfs");

    public void SyncFileRange(long off, long len, uint flags) => Native.Check(Native.SyncFileRange(fd, off, len, flags), "sync_file_range");

    public void Fallocate(int mode, long off, long len) => Native.Check(Native.Fallocate(fd, mode, off, len), "fallocate");

    public const int CollapseRange = Native.FALLOC_FL_COLLAPSE_RANGE, InsertRange = Native.FALLOC_FL_INSERT_RANGE;

    /// <summary>fallocate that may refuse the range: true when it ran, false on EINVAL (any other error throws).</summary>
    public bool TryFallocate(int mode, long off, long len)
    {
        if (Native.Fallocate(fd, mode, off, len) == 0) return true;
        int errno = Native.Errno;
        if (errno == Native.EINVAL) return false;
        throw new KernelCallException("fallocate", errno);
    }

    /// <summary>posix_fadvise(POSIX_FADV_WILLNEED): readahead of the range (readahead(2) is the same call since 4.19).</summary>
    public void FadviseWillneed(long off, long len)
    {
        int rc = Native.PosixFadvise(fd, off, len, Native.POSIX_FADV_WILLNEED);
        if (rc != 0) throw new KernelCallException("posix_fadvise(WILLNEED)", rc);
    }

    public void FadviseDontneed(long off, long len)
    {
        int rc = Native.PosixFadvise(fd, off, len, Native.POSIX_FADV_DONTNEED);
        if (rc != 0) throw new KernelCallException("posix_fadvise(DONTNEED)", rc);
    }

    /// <summary>i_size, as fstat reports it.</summary>
    public long Size => Native.Check(Native.Lseek(fd, 0, 2), "lseek(SEEK_END)");

    /// <summary>cachestat(2) over [off, off+len).</summary>
    public PageCounts Cachestat(long off, long len)
    {
        var range = new Native.CachestatRange { Off = (ulong)off, Len = (ulong)len };
        var cs = default(Native.Cachestat);
        Native.Check(Native.Syscall4(Native.SYS_cachestat, fd, &range, &cs, 0), "cachestat");
        return new PageCounts((long)cs.NrCache, (long)cs.NrDirty, (long)cs.NrWriteback);
    }

    /// <summary>
    /// Lets writeback in flight end without starting any (sync_file_range WAIT_BEFORE), then waits
    /// until cachestat stops changing: a folio_end_dropbehind runs just after the waiter is woken.
    /// </summary>
    public void Settle(long fileBytes)
    {
        SyncFileRange(0, 0, Native.SYNC_FILE_RANGE_WAIT_BEFORE);
        var last = Cachestat(0, fileBytes);
        for (int i = 0; i < 50; i++)
        {
            Thread.Sleep(1);
            var now = Cachestat(0, fileBytes);
            if (now == last && now.Writeback == 0) return;
            last = now;
        }
    }

    /// <summary>FS_IOC_FIEMAP over the whole file, without FIEMAP_FLAG_SYNC (it would write back).</summary>
    public List<KernelExtent> Fiemap()
    {
        const int max = 64;
        int bytes = 32 + (56 * max);
        byte* buf = stackalloc byte[bytes];
        new Span<byte>(buf, bytes).Clear();
        *(ulong*)(buf + 8) = ulong.MaxValue; // fm_length
        *(uint*)(buf + 24) = max;            // fm_extent_count
        Native.Check(Native.Ioctl(fd, FS_IOC_FIEMAP, buf), "FS_IOC_FIEMAP");
        uint mapped = *(uint*)(buf + 20);
        var list = new List<KernelExtent>();
        for (int i = 0; i < mapped; i++)
        {
            byte* e = buf + 32 + (56 * i);
            uint flags = *(uint*)(e + 40);
            var type = (flags & FIEMAP_EXTENT_DELALLOC) != 0 ? KernelExtentType.Delalloc
                : (flags & FIEMAP_EXTENT_UNWRITTEN) != 0 ? KernelExtentType.Unwritten
                : KernelExtentType.Written;
            list.Add(new KernelExtent((long)*(ulong*)e, (long)*(ulong*)(e + 8), (long)*(ulong*)(e + 16), type, (flags & FIEMAP_EXTENT_SHARED) != 0));
        }
        return list;
    }

    /// <summary>The extent type of each block in [0, blocks), holes where FIEMAP lists nothing.</summary>
    public KernelExtentType[] BlockTypes(int blockSize, int blocks)
    {
        var types = new KernelExtentType[blocks];
        foreach (var e in Fiemap())
            for (long b = e.Logical / blockSize; b < (e.Logical + e.Length + blockSize - 1) / blockSize && b < blocks; b++)
                types[b] = e.Type;
        return types;
    }

    public void Dispose()
    {
        if (dioFd >= 0) Native.Close(dioFd);
        Native.Close(fd);
    }
}
