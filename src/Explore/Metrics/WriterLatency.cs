namespace ModelCheck.Explore.Metrics;

/// <summary>
/// A small discrete-event model of write(2) latency on top of the writer-context costs of
/// <see cref="WriterContext"/>: one writer issues 4 KiB writes back to back; a device serves bios
/// FIFO from a queue of fixed depth with a mostly short service time and rare long stalls (cache
/// flushes, garbage collection); a flusher submits dirty pages whenever the queue has room. Plain
/// and kicked DONTCACHE writes only copy and dirty, but wait in balance_dirty_pages while dirty
/// pages exceed the limit; inline DONTCACHE writes submit their own bio and wait for a queue slot
/// when the device is full. Every number here is the model's, not the kernel's.
/// </summary>
public static class WriterLatency
{
    public sealed record Assumptions(
        int QueueDepth = 32,
        double ServiceUs = 20,
        double StallProbability = 0.002,
        double StallUs = 10_000,
        int DirtyLimitPages = 4096,
        double ThinkUs = 60,
        double WakeupUs = 1.0,
        int Writes = 200_000,
        int Seed = 20261127);

    public sealed record Percentiles(string Case, double CpuUs, double P50Us, double P99Us, double P999Us);

    public static Percentiles Simulate(string label, double cpuUs, bool inlineSubmit, Assumptions a)
    {
        var rng = new Random(a.Seed);
        var completions = new PriorityQueue<double, double>(); // completion times of bios in the device
        double deviceFree = 0, now = 0;
        int dirty = 0;
        var latencies = new double[a.Writes];
        double Service() => rng.NextDouble() < a.StallProbability ? a.StallUs : a.ServiceUs * (0.5 + rng.NextDouble());
        void Retire(double t)
        {
            while (completions.Count > 0 && completions.Peek() <= t) completions.Dequeue();
        }
        double Submit(double t)
        {
            // wait for a queue slot, then queue FIFO behind the device
            Retire(t);
            while (completions.Count >= a.QueueDepth)
            {
                t = Math.Max(t, completions.Dequeue());
                Retire(t);
            }
            double start = Math.Max(t, deviceFree);
            deviceFree = start + Service();
            completions.Enqueue(deviceFree, deviceFree);
            return t;
        }
        void Flusher(double t)
        {
            // the flusher keeps the device queue full with dirty pages
            Retire(t);
            while (dirty > 0 && completions.Count < a.QueueDepth)
            {
                Submit(t);
                dirty--;
            }
        }
        for (int w = 0; w < a.Writes; w++)
        {
            double start = now;
            now += cpuUs;
            if (inlineSubmit) now = Submit(now); // filemap_flush_range: the writer waits for a slot
            else
            {
                dirty++;
                Flusher(now);
                // balance_dirty_pages: pause while over the dirty limit
                while (dirty > a.DirtyLimitPages)
                {
                    double next = completions.Count > 0 ? completions.Peek() : deviceFree;
                    now = Math.Max(now, next);
                    Flusher(now);
                }
                if (label.Contains("kick", StringComparison.Ordinal)) now += a.WakeupUs;
            }
            latencies[w] = now - start;
            now += a.ThinkUs; // the application's own work between writes
        }
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        return new Percentiles(label, cpuUs, P(0.50), P(0.99), P(0.999));
    }

    public static IReadOnlyList<Percentiles> All(Assumptions? assumptions = null)
    {
        var a = assumptions ?? new Assumptions();
        var cpu = WriterContext.All().ToDictionary(r => r.Case, r => r.CpuUsPerWrite);
        // the inline case's per-write CPU includes its own submission; the DES adds the queue wait
        return
        [
            Simulate("buffered", cpu["buffered"], inlineSubmit: false, a),
            Simulate("dontcache inline-flush", cpu["dontcache inline-flush"], inlineSubmit: true, a),
            Simulate("dontcache kick-flusher", cpu["dontcache kick-flusher"], inlineSubmit: false, a),
        ];
    }
}
