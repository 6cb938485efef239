using System.Diagnostics;
using System.Globalization;

namespace ModelCheck.Kernel;

/// <summary>A file system to test on: its type and block size (mkfs -b).</summary>
public sealed record FsSpec(string Type, int BlockSize)
{
    public override string ToString() => $"{Type} {BlockSize / 1024}K blocks";

    /// <summary>Parses the --fs and --block-size options: xfs or ext4, 1K, 2K or 4K.</summary>
    public static FsSpec Parse(string type, string blockSize)
    {
        if (type is not ("xfs" or "ext4")) throw new ArgumentException($"file system '{type}' is not supported (xfs, ext4)");
        int bs = blockSize.ToUpperInvariant() switch
        {
            "1K" or "1024" => 1024,
            "2K" or "2048" => 2048,
            "4K" or "4096" => 4096,
            _ => throw new ArgumentException($"block size '{blockSize}' is not 1K, 2K or 4K"),
        };
        return new FsSpec(type, bs);
    }
}

/// <summary>
/// A private file system on a loop device: a sparse image file, mkfs, LOOP_CONFIGURE with
/// LO_FLAGS_AUTOCLEAR, mount(2) on a private directory. Dispose unmounts, detaches and deletes;
/// the auto-clear flag detaches the loop device even if this process dies after the mount.
/// Nothing global is touched: no global sync, no sysctl, no mount but this one.
/// </summary>
public sealed unsafe class LoopMount : IDisposable
{
    private const ulong LOOP_SET_FD_CLR = 0x4C01, LOOP_CONFIGURE = 0x4C0A, LOOP_CTL_GET_FREE = 0x4C82;
    private const uint LO_FLAGS_AUTOCLEAR = 4;

    private readonly string dir;
    private bool mounted;

    public FsSpec Fs { get; }
    public string Device { get; private set; } = "";
    public string MountPoint { get; }
    public string Image { get; }

    private LoopMount(FsSpec fs)
    {
        Fs = fs;
        dir = Directory.CreateTempSubdirectory("modelcheck-kernel-").FullName;
        Image = Path.Combine(dir, "image");
        MountPoint = Path.Combine(dir, "mnt");
        Directory.CreateDirectory(MountPoint);
    }

    /// <summary>The running kernel's release (uname -r), printed with every kernel result.</summary>
    public static string KernelRelease() =>
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.Version.ToString();

    /// <summary>Why this machine cannot run kernel checks, or null when it can.</summary>
    public static string? CannotRun(FsSpec fs)
    {
        if (!OperatingSystem.IsLinux()) return "not Linux";
        if (Native.Geteuid() != 0) return "not root (loop devices and mount(2) need CAP_SYS_ADMIN)";
        if (!File.Exists("/dev/loop-control")) return "no /dev/loop-control (no loop device support)";
        string mkfs = MkfsTool(fs);
        if (FindTool(mkfs) is null) return $"{mkfs} is not installed (apt-get install {(fs.Type == "xfs" ? "xfsprogs" : "e2fsprogs")})";
        if (!File.ReadAllText("/proc/filesystems").Split('\n').Any(l => l.Trim() == fs.Type)) return $"the kernel has no {fs.Type}";
        return null;
    }

    public static LoopMount Create(FsSpec fs)
    {
        var m = new LoopMount(fs);
        try
        {
            m.Make();
            return m;
        }
        catch
        {
            m.Dispose();
            throw;
        }
    }

    private static string MkfsTool(FsSpec fs) => fs.Type == "xfs" ? "mkfs.xfs" : "mkfs.ext4";

    private static string? FindTool(string name) =>
        new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private void Make()
    {
        // XFS wants at least 300 MiB; the image is sparse, so its size costs nothing
        long size = Fs.Type == "xfs" ? 512L << 20 : 64L << 20;
        using (var f = new FileStream(Image, FileMode.CreateNew)) f.SetLength(size);
        string bs = Fs.BlockSize.ToString(CultureInfo.InvariantCulture);
        string[] args = Fs.Type == "xfs" ? ["-f", "-q", "-b", "size=" + bs, Image] : ["-F", "-q", "-b", bs, Image];
        Run(FindTool(MkfsTool(Fs)) ?? throw new InvalidOperationException(MkfsTool(Fs) + " not found"), args);
        Attach();
        int rc = Native.Mount(Device, MountPoint, Fs.Type, 0, null);
        int err = Native.Errno;
        CloseLoopFd();
        if (rc < 0) throw new KernelCallException($"mount({Device}, {Fs.Type})", err);
        mounted = true;
    }

    /// <summary>
    /// The file system's shutdown ioctl (XFS_IOC_GOINGDOWN, EXT4_IOC_SHUTDOWN: both _IOR('X', 125,
    /// __u32)) with the LOGFLUSH flag: the log is forced to disk, then the file system stops doing
    /// any I/O, so dirty page cache and writeback not yet completed never reach the disk: what a
    /// crash right now would leave, with every committed transaction in the log. Files may stay
    /// open; close them, then <see cref="RecoverAfterShutdown"/>.
    /// </summary>
    public void Shutdown()
    {
        const ulong GoingDown = 0x8004587D;
        int fd = (int)Native.Check(Native.Open(MountPoint, Native.O_RDONLY | Native.O_CLOEXEC, 0), "open " + MountPoint);
        try
        {
            uint flags = 1; // XFS_FSOP_GOING_FLAGS_LOGFLUSH, EXT4_GOING_FLAGS_LOGFLUSH
            Native.Check(Native.Ioctl(fd, GoingDown, &flags), "shutdown ioctl (LOGFLUSH)");
        }
        finally
        {
            Native.Close(fd);
        }
    }

    /// <summary>
    /// After <see cref="Shutdown"/> (and with its files closed): unmount and mount the device again,
    /// which replays the log (log recovery), as the first mount after a crash does. The loop device
    /// is held open meanwhile, so its autoclear does not detach it at the unmount.
    /// </summary>
    public void RecoverAfterShutdown()
    {
        int hold = (int)Native.Check(Native.Open(Device, Native.O_RDONLY | Native.O_CLOEXEC, 0), "open " + Device);
        try
        {
            if (Native.Umount2(MountPoint, 0) < 0) throw new KernelCallException("umount " + MountPoint, Native.Errno);
            mounted = false;
            if (Native.Mount(Device, MountPoint, Fs.Type, 0, null) < 0) throw new KernelCallException($"mount({Device}, {Fs.Type}) after shutdown", Native.Errno);
            mounted = true;
        }
        finally
        {
            Native.Close(hold);
        }
    }

    /// <summary>Bytes of the device itself at a byte offset (O_DIRECT: what the device holds, not any cache).</summary>
    public unsafe byte[] ReadDevice(long offset, int length)
    {
        int fd = (int)Native.Check(Native.Open(Device, Native.O_RDONLY | Native.O_DIRECT | Native.O_CLOEXEC, 0), "open " + Device);
        byte* buf = (byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)length, 4096);
        try
        {
            long n = Native.Check(Native.Pread(fd, buf, (nuint)length, offset), "pread " + Device);
            return new Span<byte>(buf, (int)n).ToArray();
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(buf);
            Native.Close(fd);
        }
    }

    private int loopFd = -1;

    private void Attach()
    {
        int ctl = (int)Native.Check(Native.Open("/dev/loop-control", Native.O_RDWR | Native.O_CLOEXEC, 0), "open /dev/loop-control");
        int img = -1;
        try
        {
            img = (int)Native.Check(Native.Open(Image, Native.O_RDWR | Native.O_CLOEXEC, 0), "open image");
            byte* config = stackalloc byte[304];
            for (int attempt = 0; ; attempt++)
            {
                int n = (int)Native.Check(Native.IoctlInt(ctl, LOOP_CTL_GET_FREE, 0), "LOOP_CTL_GET_FREE");
                string dev = "/dev/loop" + n.ToString(CultureInfo.InvariantCulture);
                int fd = (int)Native.Check(Native.Open(dev, Native.O_RDWR | Native.O_CLOEXEC, 0), "open " + dev);
                // struct loop_config: fd, block_size, loop_info64 (lo_flags at byte 52 of it), reserved
                new Span<byte>(config, 304).Clear();
                *(uint*)config = (uint)img;
                *(uint*)(config + 8 + 52) = LO_FLAGS_AUTOCLEAR;
                if (Native.Ioctl(fd, LOOP_CONFIGURE, config) == 0)
                {
                    loopFd = fd;
                    Device = dev;
                    return;
                }
                int err = Native.Errno;
                Native.Close(fd);
                if (err != 16 || attempt > 8) throw new KernelCallException("LOOP_CONFIGURE " + dev, err); // EBUSY: someone took it first
            }
        }
        finally
        {
            if (img >= 0) Native.Close(img);
            Native.Close(ctl);
        }
    }

    private void CloseLoopFd()
    {
        if (loopFd >= 0) Native.Close(loopFd);
        loopFd = -1;
    }

    private static void Run(string tool, string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + tool);
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{tool} did not finish in 60 s");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)}: exit {p.ExitCode}: {err.Result.Trim()}");
    }

    public void Dispose()
    {
        if (mounted)
        {
            // a normal unmount first: it writes the file system back; a lazy one if something still holds it
            if (Native.Umount2(MountPoint, 0) < 0) Native.Umount2(MountPoint, Native.MNT_DETACH);
            mounted = false;
        }
        if (loopFd >= 0)
        {
            Native.IoctlInt(loopFd, LOOP_SET_FD_CLR, 0);
            CloseLoopFd();
        }
        try
        {
            Directory.Delete(dir, true);
        }
        catch (IOException)
        {
            // a lazily unmounted tree can still be busy; the temporary directory is left behind
        }
    }
}
