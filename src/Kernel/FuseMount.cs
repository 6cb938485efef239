using System.Diagnostics;

namespace ModelCheck.Kernel;

/// <summary>
/// A FUSE mount served by <see cref="FuseServer"/> in a child process. Dispose aborts the
/// connection through fusectl first (requests that the server withholds then fail, so nothing
/// waits on them), unmounts lazily, ends the server and removes the directory; fusectl is
/// mounted for that if it is not, and unmounted again if this mount mounted it.
/// </summary>
public sealed class FuseMount : IDisposable
{
    private const string Fusectl = "/sys/fs/fuse/connections";
    private readonly Process server;
    private readonly string dir;
    private bool mountedFusectl;

    public string MountPoint { get; }

    private FuseMount(Process server, string dir, string mountPoint)
    {
        this.server = server;
        this.dir = dir;
        MountPoint = mountPoint;
    }

    public static string? CannotRun()
    {
        if (!OperatingSystem.IsLinux()) return "not Linux";
        if (Native.Geteuid() != 0) return "not root (mount(2) of FUSE needs CAP_SYS_ADMIN here)";
        if (!File.Exists("/dev/fuse")) return "no /dev/fuse";
        if (!Directory.Exists(Fusectl)) return "no " + Fusectl + " (fusectl) to abort a stuck connection through";
        return null;
    }

    /// <summary>Starts the server process (serverCommand gets the mount point and says how to start it) and waits for its mount.</summary>
    public static FuseMount Start(Func<string, ProcessStartInfo> serverCommand)
    {
        string dir = Directory.CreateTempSubdirectory("modelcheck-fuse-").FullName;
        string mnt = Path.Combine(dir, "mnt");
        Directory.CreateDirectory(mnt);
        var psi = serverCommand(mnt);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the FUSE server");
        var m = new FuseMount(p, dir, mnt);
        var line = p.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(20)) || line.Result != "ready")
        {
            string err = p.HasExited ? p.StandardError.ReadToEnd() : "(no answer in 20 s)";
            m.Dispose();
            throw new InvalidOperationException("the FUSE server did not mount: " + err.Trim());
        }
        return m;
    }

    /// <summary>The fusectl connection directory of this mount (its anonymous device's minor number).</summary>
    private string? Connection()
    {
        foreach (var l in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var f = l.Split(' ');
            if (f.Length > 4 && f[4] == MountPoint) return Path.Combine(Fusectl, f[2].Split(':')[1]);
        }
        return null;
    }

    /// <summary>Aborts the connection (fusectl): every request in flight and to come fails with ENOTCONN.</summary>
    public void Abort()
    {
        if (Directory.GetDirectories(Fusectl).Length == 0 && !mountedFusectl && Native.Mount("fusectl", Fusectl, "fusectl", 0, null) == 0)
            mountedFusectl = true;
        if (Connection() is { } c && File.Exists(Path.Combine(c, "abort"))) File.WriteAllText(Path.Combine(c, "abort"), "1");
    }

    public void Dispose()
    {
        try
        {
            Abort();
        }
        catch (IOException)
        {
            // already gone
        }
        Native.Umount2(MountPoint, Native.MNT_DETACH);
        if (!server.WaitForExit(5000))
        {
            server.Kill(true);
            server.WaitForExit(5000);
        }
        server.Dispose();
        if (mountedFusectl) Native.Umount2(Fusectl, Native.MNT_DETACH);
        try
        {
            Directory.Delete(dir, true);
        }
        catch (IOException)
        {
            // a lazily unmounted tree can still be busy for a moment
        }
    }
}
