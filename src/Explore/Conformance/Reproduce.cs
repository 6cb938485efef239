using System.Text.RegularExpressions;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Kernel;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Conformance;

public enum ReproStatus { Reproduced, NotReproduced, MechanismAbsent, NotFromUserSpace, WindowInsideOperation, NotBuilt }

public sealed record ReproResult(string Trace, string Invariant, ReproStatus Status, string Why, IReadOnlyList<string> Order)
{
    public string StatusText => Status switch
    {
        ReproStatus.Reproduced => "reproduced",
        ReproStatus.NotReproduced => "not reproduced",
        ReproStatus.MechanismAbsent => "mechanism not in this kernel",
        ReproStatus.NotFromUserSpace => "not reproducible from user space",
        ReproStatus.WindowInsideOperation => "window inside one operation",
        _ => "harness not built",
    };
}

/// <summary>
/// `modelcheck reproduce`: a trace run on the kernel where its interleaving is decided at
/// operation boundaries. The trace is replayed through the model to find the order in which its
/// user operations ran; a trace in which one operation's steps are split by another's has its
/// window inside a system call and is reported as such. Otherwise the operations run in that order
/// on a fresh file, and the violated invariant's observable is checked on the kernel.
/// </summary>
public static class Reproduce
{
    public static ReproResult Run(TraceFile trace, string path, FsSpec fs, Func<LoopMount> mount, Func<FuseMount>? fuse = null)
    {
        var spec = ScenarioLoader.Parse(trace.Scenario, path + " (inline scenario)");
        string inv = trace.Violation?.Invariant ?? "";
        string name = Path.GetFileName(path);
        if (trace.Violation is null) return new(name, "", ReproStatus.NotReproduced, "the trace records no violation", []);
        var profile = KernelProfiles.V618;
        var missing = spec.Threads.SelectMany(t => t.Ops).FirstOrDefault(o => profile.MissingOps.Contains(OpNames.Name(o.Kind)));
        if (missing is not null) return new(name, inv, ReproStatus.MechanismAbsent, $"{OpNames.Name(missing.Kind)}: {profile.MissingWhy}", []);
        if (spec.File.Blockdev && spec.Threads.Any(t => t.Ops.Any(o => o.Kind == OpKind.DontcacheWrite)))
            return new(name, inv, ReproStatus.MechanismAbsent, "RWF_DONTCACHE on a block device is EOPNOTSUPP on 6.18 (measured on this machine kind); the file-system form is db-irq-skip-fs", []);
        var here = Conformance.ModelVariant(fs, profile, new Dictionary<string, string>());
        foreach (var (k, v) in trace.Variant)
            if (here.Get(Switches.Find(k)!) != v)
                return new(name, inv, ReproStatus.MechanismAbsent, $"the trace's {k}={v} is not what {fs.Type} on 6.18 does ({k}={here.Get(Switches.Find(k)!)})", []);
        if (spec.File.Fuse) return RunFuse(spec, name, inv, fuse);
        var (order, split) = OperationOrder(spec, new Variant(trace.Variant), trace);
        if (split is not null) return new(name, inv, ReproStatus.WindowInsideOperation, split, order.Select(o => o.Label).ToList());
        if (KernelOutcomes.Unsupported(spec) is { } why) return new(name, inv, ReproStatus.NotBuilt, why, []);
        if (inv != "dropbehind-leak")
            return new(name, inv, ReproStatus.NotBuilt, $"the kernel check of {inv} at operation boundaries is not built yet", order.Select(o => o.Label).ToList());
        return RunLeak(spec, trace, name, order, mount);
    }

    /// <summary>
    /// A FUSE trace whose user thread syncs or fsyncs while the server never answers a WRITE: the
    /// dirty range is written, the operation runs in a thread, and after 3 s either it still waits
    /// (its kernel stack says where) or it has returned.
    /// </summary>
    private static ReproResult RunFuse(ScenarioSpec spec, string name, string inv, Func<FuseMount>? fuse)
    {
        var ops = spec.Threads.SelectMany(t => t.Ops).ToList();
        if (ops.Any(o => o.Kind == OpKind.Migrate))
            return new(name, inv, ReproStatus.NotFromUserSpace, "page migration of a chosen file folio cannot be started from user space on this one-node machine", []);
        if (ops.Any(o => o.Kind == OpKind.MemoryPressure) || spec.Actors.ServerThreads > 1 && spec.Actors.ServerAnswers)
            return new(name, inv, ReproStatus.NotFromUserSpace, "which folio reclaim takes, and the server's own allocations entering it, cannot be chosen from user space", []);
        if (spec.Actors.ServerAnswers || ops.Count != 1 || ops[0].Kind is not (OpKind.Sync or OpKind.Fsync) || spec.File.Cached.Count != 1)
            return new(name, inv, ReproStatus.NotBuilt, "the FUSE harness runs one sync or fsync over one dirty range, with a server that never answers", []);
        if (fuse is null) return new(name, inv, ReproStatus.NotBuilt, "no FUSE server command given", []);
        var op = ops[0];
        var c = spec.File.Cached[0];
        using var m = fuse();
        var file = KernelFile.CreateBuffered(m.MountPoint, "f");
        file.Write(c.Offset, c.Length, DataTag.Write(0));
        int tid = 0;
        var t = new Thread(() =>
        {
            Volatile.Write(ref tid, TaskState.CurrentTid());
            try
            {
                if (op.Kind == OpKind.Sync) file.Syncfs();
                else file.Fsync();
            }
            catch (KernelCallException)
            {
                // ENOTCONN once the connection is aborted
            }
        });
        t.Start();
        bool returned = t.Join(TimeSpan.FromSeconds(3));
        var stack = returned || Volatile.Read(ref tid) == 0 ? [] : TaskState.Stack(tid);
        m.Abort();
        t.Join(TimeSpan.FromSeconds(20));
        file.Dispose();
        string what = op.Kind == OpKind.Sync ? "syncfs" : "fsync";
        if (returned)
            return new(name, inv, inv is "blocked-forever" or "deadlock" ? ReproStatus.NotReproduced : ReproStatus.Reproduced,
                $"{what} returned although the server never answered the WRITE (6.18: SB_I_NO_DATA_INTEGRITY; the v6.18 profile's FuseSync=no-data-integrity)", [what]);
        string site = stack.FirstOrDefault(f => f.Contains("wait", StringComparison.Ordinal)) ?? stack.FirstOrDefault() ?? "?";
        return new(name, inv, inv is "blocked-forever" or "deadlock" ? ReproStatus.Reproduced : ReproStatus.NotReproduced,
            $"{what} still waits after 3 s, in {site} ({string.Join(" <- ", stack.Take(4))}); the connection was aborted through fusectl", [what]);
    }

    private sealed record OpRef(int Thread, int Op, string Label);

    /// <summary>The user operations in the order the trace starts them, or why the trace splits one.</summary>
    private static (List<OpRef> Order, string? Split) OperationOrder(ScenarioSpec spec, Variant variant, TraceFile trace)
    {
        var s = MachineBuilder.Build(spec, variant);
        var order = new List<OpRef>();
        OpRef? open = null;
        foreach (var ch in trace.Choices)
        {
            int tid = s.Machine.ThreadIndex(ch.Thread);
            var info = s.Machine.Threads[tid];
            if (info.Kind == ThreadKind.User)
            {
                Semantics.Status(s, tid, out int pc, out _);
                int op = Array.FindIndex(info.Ops, o => pc >= o.Start && pc < o.End);
                if (op >= 0 && (open is null || open.Thread != tid || open.Op != op))
                {
                    if (open is not null && !Finished(s, open))
                        return (order, $"{ch.Function} of {info.Name} runs while {open.Label} is still inside its system call: the window lies inside one operation (a window that spans a device completion can be held open with blk-throttle, as tests/Systematic/DioExtendFaultTests.cs does; reproduce does not drive that yet)");
                    open = new OpRef(tid, op, $"{info.Name}: {info.Ops[op].Label}");
                    order.Add(open);
                }
            }
            s = Semantics.Execute(s, tid, ch.Alt, out _, out _);
        }
        return (order, null);
    }

    private static bool Finished(KernelState s, OpRef op)
    {
        Semantics.Status(s, op.Thread, out int pc, out _);
        var range = s.Machine.Threads[op.Thread].Ops[op.Op];
        return pc >= range.End || Semantics.Status(s, op.Thread, out _, out _) == ThreadStatus.Finished;
    }

    /// <summary>The operations in the trace's order, then: is the folio the trace leaks still cached once I/O is over?</summary>
    private static ReproResult RunLeak(ScenarioSpec spec, TraceFile trace, string name, List<OpRef> order, Func<LoopMount> mount)
    {
        var m = Regex.Match(trace.Violation!.Message, @"F(\d+)");
        int folio = m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var g = MachineBuilder.GeometryOf(spec);
        long page = (long)g.FirstUnitOfFolio(folio) * g.UnitBytes / KernelFile.PageSize;
        using var mnt = mount();
        var ops = order.Select(o => (o.Thread, spec.Threads[o.Thread].Ops[o.Op], o.Op)).ToList();
        var (cached, dirty) = KernelOutcomes.RunInOrder(mnt, spec, ops, page);
        var labels = order.Select(o => o.Label).ToList();
        return cached && !dirty
            ? new(name, "dropbehind-leak", ReproStatus.Reproduced, $"page {page} is still cached and clean after all I/O ended (cachestat)", labels)
            : new(name, "dropbehind-leak", ReproStatus.NotReproduced, $"page {page} was {(cached ? "cached but dirty" : "dropped")} after all I/O ended", labels);
    }
}
