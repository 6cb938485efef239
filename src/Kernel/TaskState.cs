using System.Globalization;

namespace ModelCheck.Kernel;

/// <summary>What a thread of this process is doing in the kernel: its state and kernel stack.</summary>
public static class TaskState
{
    public static int CurrentTid() => Native.Gettid();

    /// <summary>The state letter of /proc/self/task/TID/stat (D: uninterruptible sleep).</summary>
    public static char State(int tid)
    {
        string stat = File.ReadAllText($"/proc/self/task/{tid.ToString(CultureInfo.InvariantCulture)}/stat");
        int close = stat.LastIndexOf(')');
        return stat[close + 2];
    }

    /// <summary>The kernel functions on the thread's stack, innermost first.</summary>
    public static List<string> Stack(int tid) =>
        [.. File.ReadAllLines($"/proc/self/task/{tid.ToString(CultureInfo.InvariantCulture)}/stack")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) ?? "")
            .Select(f => f.Split('+')[0])];
}
