using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Conformance;

/// <summary>
/// The model's side of a sequential conformance run: one user thread doing the operations, run
/// one operation at a time; after each, the actors (device, workqueues) run until none can,
/// as the kernel's settle step lets writeback in flight end; then the state is observed.
/// </summary>
public static class ModelSide
{
    public static ScenarioSpec Spec(IReadOnlyList<ConformOp> ops, int blockSize, string fs = "xfs")
    {
        const long K = ConformanceGeometry.UnitBytes;
        var specOps = ops.Select((o, i) => new OpSpec(o.Kind, o.Offset * K, o.Length * K, o.Size * K, false, i + 1)).ToList();
        return new ScenarioSpec("conformance", "", "", "",
            new FileSpec(blockSize, ConformanceGeometry.PageUnits * K, ConformanceGeometry.FileUnits * K, 0, [], [], Fs: fs),
            [new ThreadSpec("user", specOps)],
            new ActorsSpec(0, "irq", "v2"),
            // dropbehind-leak is left out: the kernel here leaks by design (skip in IRQ context), and
            // conformance compares the cache itself; every other invariant broken in a sequential
            // run is a model defect; crash-size is left out as everywhere by default (the crash
            // observable compares the on-disk state itself)
            [.. InvariantCatalog.DefaultIds.Where(id => id != "dropbehind-leak")],
            new BoundsSpec(400, 1_000_000), [], "conformance", "");
    }

    /// <summary>
    /// The observation after each operation; a stuck thread is a ModelError. A broken invariant is
    /// one too, unless flagged is given: then its first message goes there and the run goes on (the
    /// caller decides whether the kernel shows the same outcome: a kernel finding, not a model defect).
    /// </summary>
    public static List<Observation> Run(IReadOnlyList<ConformOp> ops, int blockSize, Variant variant, string fs = "xfs", List<string>? flagged = null) =>
        Run(ops, blockSize, variant, out _, fs, flagged);

    /// <summary>As the other overload; final receives the state after the last operation and its settle.</summary>
    public static List<Observation> Run(IReadOnlyList<ConformOp> ops, int blockSize, Variant variant, out KernelState final, string fs = "xfs", List<string>? flagged = null)
    {
        var spec = Spec(ops, blockSize, fs);
        var s = MachineBuilder.Build(spec, variant);
        var invariants = InvariantSet.For(spec);
        int k = s.Geo.UnitBytes / ConformanceGeometry.UnitBytes;
        var user = s.Machine.Threads[0];
        var result = new List<Observation>();
        int budget = 100_000;
        for (int i = 0; i < ops.Count; i++)
        {
            var range = user.Ops[i];
            var returned = new List<byte>();
            bool reads = ops[i].Kind is OpKind.BufferedRead or OpKind.DioRead or OpKind.MmapRead;
            // the operation, with actors running only while it waits for them
            while (true)
            {
                // the op is over when the next step the thread would take (past its skips) is the next op's
                var status = Semantics.Status(s, 0, out int pc, out _);
                if (!HasContinuation(s) && (status == ThreadStatus.Finished || pc >= range.End)) break;
                int pick = status == ThreadStatus.Enabled ? 0 : FirstActor(s);
                if (pick < 0) throw new ModelError($"{ops[i]} blocked with no actor able to run ({Describe(ops)})");
                s = Step(s, pick, invariants, returned, k, ops, ref budget, flagged);
            }
            // settle: every actor runs until none can (writeback in flight ends)
            for (int a = FirstActor(s); a >= 0; a = FirstActor(s)) s = Step(s, a, invariants, returned, k, ops, ref budget, flagged);
            result.Add(Observe(s, reads ? [.. returned] : null));
        }
        if (invariants.AtQuiescence(s) is { } v)
            Broken($"invariant {v.Invariant} broken at the end of a sequential run: {v.Message} ({Describe(ops)})", flagged);
        final = s;
        return result;
    }

    private static bool HasContinuation(KernelState s) => s.PendingDropbehind.Any(p => p.Tid == 0);

    private static int FirstActor(KernelState s)
    {
        for (int t = 1; t < s.Threads.Length; t++)
            if (Semantics.Alternatives(s, t) > 0) return t;
        return -1;
    }

    private static void Broken(string message, List<string>? flagged)
    {
        if (flagged is null) throw new ModelError(message);
        if (flagged.Count == 0) flagged.Add(message);
    }

    private static KernelState Step(KernelState s, int tid, InvariantSet invariants, List<byte> returned, int k, IReadOnlyList<ConformOp> ops, ref int budget, List<string>? flagged)
    {
        if (--budget < 0) throw new ModelError($"no quiescence in 100000 steps ({Describe(ops)})");
        var next = Semantics.Execute(s, tid, 0, out var ctx, out _);
        foreach (var e in ctx.Events)
            if (e is ReadReturned r)
                for (int j = 0; j < k; j++) returned.Add(r.Tag);
        if (invariants.AfterStep(next, ctx.Events) is { } v)
            Broken($"invariant {v.Invariant} broken in a sequential run: {v.Message} ({Describe(ops)})", flagged);
        return next;
    }

    private static string Describe(IReadOnlyList<ConformOp> ops) => string.Join(", ", ops);

    public static Observation Observe(KernelState s, byte[]? returned)
    {
        var g = s.Geo;
        int pages = ConformanceGeometry.Pages;
        var cached = new bool[pages];
        var dirty = new bool[pages];
        var writeback = new bool[pages];
        int unitsPerPage = ConformanceGeometry.PageUnits * ConformanceGeometry.UnitBytes / g.UnitBytes;
        for (int p = 0; p < pages; p++)
        {
            var f = s.Folios[g.FolioOfUnit(p * unitsPerPage)];
            cached[p] = f.Present;
            dirty[p] = f.Present && f.TagDirty;
            writeback[p] = f.Present && f.TagWriteback;
        }
        long size = (long)s.Inode.ISize * g.UnitBytes;
        int blockBytes = g.BlockBytes;
        int blocks = (int)((size + blockBytes - 1) / blockBytes);
        var extents = new char[blocks];
        for (int b = 0; b < blocks; b++) extents[b] = Observation.Letter(s.Extents[b]);
        int k = g.UnitBytes / ConformanceGeometry.UnitBytes;
        var disk = new List<string>();
        for (int b = 0; b < blocks; b++)
            for (int u = g.FirstUnitOfBlock(b); u < g.FirstUnitOfBlock(b + 1); u++)
                for (int j = 0; j < k; j++)
                    disk.Add(s.Extents[b] == ExtentType.Written ? DataTag.Name(s.Disk[u]) : ".");
        return new Observation(returned, size, cached, dirty, writeback, new string(extents)) { Disk = string.Join(" ", disk) };
    }
}
