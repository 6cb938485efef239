namespace ModelCheck.Kernel;

/// <summary>
/// Holds a loop device's write completions (keeps writeback in flight) with a blk-throttle
/// limit on that device alone, in the root blkio cgroup (v1): writeback bios are charged to the
/// root, so a child cgroup's limit would not hold them. Dispose lifts the limit. It touches no
/// other device; the loop device itself goes away with its mount.
/// </summary>
public sealed class DeviceHold : IDisposable
{
    private const string Knob = "/sys/fs/cgroup/blkio/blkio.throttle.write_bps_device";
    private readonly string device;

    private DeviceHold(string device) => this.device = device;

    /// <summary>Why writes cannot be held on this machine, or null.</summary>
    public static string? CannotHold() => File.Exists(Knob) ? null : "no cgroup v1 blkio hierarchy with blk-throttle (" + Knob + ")";

    /// <summary>Holds writes to the loop device (e.g. /dev/loop3) at one byte a second.</summary>
    public static DeviceHold Start(string loopDevice)
    {
        string name = Path.GetFileName(loopDevice);
        string majMin = File.ReadAllText($"/sys/block/{name}/dev").Trim();
        File.WriteAllText(Knob, $"{majMin} 1");
        return new DeviceHold(majMin);
    }

    public void Dispose()
    {
        try
        {
            File.WriteAllText(Knob, $"{device} 0");
        }
        catch (IOException)
        {
            // the device is already gone, and its rule with it
        }
    }
}
