namespace ModelCheck.Explore.Metrics;

/// <summary>
/// Contention of the dropbehind-deferral series' global dropbehind_lock against per-CPU lists (§4.6 review, Axboe's
/// remark): N CPUs each complete dropbehind bios from their own device in IRQ context; every
/// completion takes the lock to add its folio to the batch, and a worker takes it to swap the
/// batch. An acquisition is contended when another CPU holds the lock. With per-CPU lists each
/// CPU's list is guarded by a local lock that only its own IRQ and its own pinned worker take,
/// which never run at the same time, so no acquisition is contended. Model numbers, not kernel ones.
/// </summary>
public static class LockContention
{
    public sealed record Row(int Devices, long Acquisitions, long GlobalContended, double GlobalContendedPct, double GlobalSpinUs, long PerCpuContended);

    public static Row Simulate(int devices, double completionsPerSecondPerDevice = 200_000, double holdUs = 0.15,
        double seconds = 0.5, int seed = 7)
    {
        var rng = new Random(seed + devices);
        var events = new List<(double T, int Cpu)>();
        double meanGapUs = 1e6 / completionsPerSecondPerDevice;
        for (int d = 0; d < devices; d++)
            for (double t = rng.NextDouble() * meanGapUs; t < seconds * 1e6; t += -Math.Log(1 - rng.NextDouble()) * meanGapUs)
                events.Add((t, d));
        // the worker drains every 31 additions and holds the lock a little longer
        events.Sort((x, y) => x.T.CompareTo(y.T));
        double lockFree = 0, spin = 0;
        int holder = -1;
        long contended = 0, n = 0;
        foreach (var (t, cpu) in events)
        {
            n++;
            double hold = n % 31 == 0 ? holdUs * 4 : holdUs;
            if (t < lockFree && holder != cpu)
            {
                contended++;
                spin += lockFree - t;
                lockFree += hold;
            }
            else lockFree = Math.Max(t, lockFree) + hold; // the same CPU's IRQs are serialised, not contended
            holder = cpu;
        }
        return new Row(devices, n, contended, n == 0 ? 0 : 100.0 * contended / n, spin, 0);
    }

    public static IReadOnlyList<Row> Table() => [.. Enumerable.Range(1, 8).Select(d => Simulate(d))];
}
