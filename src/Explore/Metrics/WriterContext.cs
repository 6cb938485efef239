using ModelCheck.Explore.Runs;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Metrics;

/// <summary>
/// Work done in the writer's own context per write (§4.10), counted on the model's steps and
/// weighted by a documented cost per kernel function. The costs are assumptions of this model,
/// not kernel measurements.
/// </summary>
public static class WriterContext
{
    /// <summary>Cost per step in microseconds (the assumptions behind docs/latency.md).</summary>
    public static readonly IReadOnlyDictionary<string, double> CostUs = new Dictionary<string, double>
    {
        ["inode_lock"] = 0.3,                      // uncontended rwsem
        ["xfs_file_write_zero_eof"] = 0.5,
        ["xfs_buffered_write_iomap_begin"] = 2.0,  // ILOCK + extent lookup / delalloc reservation
        ["iomap_write_begin"] = 1.0,               // xarray lookup or folio allocation + insert
        ["iomap_write_end"] = 1.5,                 // 4 KiB copy from user, dirty accounting
        ["pagecache_isize_extended"] = 0.1,
        ["inode_unlock"] = 0.3,
        ["tag_pages_for_writeback"] = 0.5,         // xarray tag walk
        ["folio_lock"] = 0.3,                      // writeback_get_folio: tag lookup + lock
        ["iomap_writepages"] = 12.0,               // clear dirty, mkclean, map blocks, build ioend, submit_bio
    };

    public sealed record Result(string Case, int Writes, int WriterSteps, double StepsPerWrite, double CpuUsPerWrite, int BiosSubmittedByWriter);

    /// <summary>Runs `writes` 4K writes by one thread (DONTCACHE or plain) with a flusher and a device, deterministically.</summary>
    public static Result Measure(string label, bool dontcache, string dontcacheSync, int writes = 4)
    {
        const long K = 1024;
        var ops = Enumerable.Range(0, writes)
            .Select(i => new OpSpec(dontcache ? OpKind.DontcacheWrite : OpKind.BufferedWrite, i * 4 * K, 4 * K, 0, false, i + 1))
            .ToList();
        var spec = new ScenarioSpec("latency", "", "", "",
            new FileSpec(4 * K, 4 * K, writes * 4 * K, writes * 4 * K, [new ExtentSpec(0, writes * 4 * K, ExtentKind.Written, "W0", false)], []),
            [new ThreadSpec("writer", ops)], new ActorsSpec(1, "task", "v2"), ["lost-write"], new BoundsSpec(400, 100_000), [], "latency", "");
        var variant = Variant.Parse([$"DontcacheSync={dontcacheSync}"]);
        var s = MachineBuilder.Build(spec, variant);
        int writer = s.Machine.ThreadIndex("writer");
        int steps = 0, bios = 0;
        double cost = 0;
        // the writer runs first whenever it can: what it does is its own latency
        Runs.StepRunner.Run(s, Runs.Schedulers.Favour(writer), observe: r =>
        {
            if (r.Tid != writer) return;
            steps++;
            cost += CostUs.GetValueOrDefault(r.Function, 0.5);
            bios += Math.Max(0, r.After.Bios.Count - r.Before.Bios.Count);
        });
        return new Result(label, writes, steps, (double)steps / writes, cost / writes, bios);
    }

    public static IReadOnlyList<Result> All() =>
    [
        Measure("buffered", dontcache: false, "kick-flusher"),
        Measure("dontcache inline-flush", dontcache: true, "inline-flush"),
        Measure("dontcache kick-flusher", dontcache: true, "kick-flusher"),
    ];
}
