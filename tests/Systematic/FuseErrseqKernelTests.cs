using ModelCheck.Explore.Runs;
using ModelCheck.Kernel;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// Writeback errors on the kernel: a FUSE server (its own process) answers every WRITE with -EIO,
/// the one write error user space can cause here (no dm-flakey or fail_make_request). What each
/// fsync returns, per file description, is compared with the model's fsyncs on the same sequence
/// with the writeback-io-error fault: errseq (6.18) on both sides, and the pre-errseq switch
/// values give other answers.
/// </summary>
[Collection(KernelCollection.Name)]
public class FuseErrseqKernelTests
{
    private const int Eio = 5;

    private static string FsyncResult(KernelFile f)
    {
        try
        {
            f.Fsync();
            return "0";
        }
        catch (KernelCallException e) when (e.Errno == Eio)
        {
            return "EIO";
        }
    }

    /// <summary>The model's answers: the users' operations run one at a time in the order given (thread, then op), the actors in between; a WRITE reply fails when it can.</summary>
    private static List<string> Model(string threads, (int Tid, bool Flusher)[] order, Variant v)
    {
        var spec = ModelCheck.Explore.Scenarios.ScenarioLoader.Parse($$$"""
            id: errseq
            file: {fs: fuse, block_size: 4K, folio_size: 4K, max_size: 4K, size: 0}
            threads: {{{threads}}}
            actors: {flusher: 1, fuse_server: {threads: 1, behaviour: answers}}
            faults: [writeback-io-error]
            """, "errseq.yaml");
        var s = MachineBuilder.Build(spec, v);
        var events = new List<ModelEvent>();
        int flusher = s.Machine.ThreadIndex("flusher");
        foreach (var (tid, withFlusher) in order)
        {
            if (withFlusher) s = Settle(s, flusher, events);
            var op = s.Machine.Threads[tid].OpAt(s.Threads[tid].Pc)!;
            for (int n = 0; n < 1000 && s.Threads[tid].Pc < op.End && Semantics.Status(s, tid, out _, out _) != ThreadStatus.Finished; n++)
            {
                if (Semantics.Status(s, tid, out _, out _) == ThreadStatus.Enabled) s = Step(s, tid, 0, events);
                else s = Settle(s, -1, events, once: true);
            }
        }
        return [.. events.OfType<FsyncReturned>().Select(r => r.Error ? "EIO" : "0")];
    }

    /// <summary>Runs actors (the flusher only if asked, by its tid) until none is enabled; once: one step.</summary>
    private static KernelState Settle(KernelState s, int flusher, List<ModelEvent> events, bool once = false)
    {
        for (int n = 0; n < 1000; n++)
        {
            int t = Enumerable.Range(0, s.Threads.Length).FirstOrDefault(
                t => s.Machine.Threads[t].Kind == ThreadKind.Actor && (t == flusher || s.Machine.Threads[t].Name != "flusher")
                     && Semantics.Status(s, t, out _, out _) == ThreadStatus.Enabled, -1);
            if (t < 0) return s;
            s = Step(s, t, Semantics.Alternatives(s, t) - 1, events); // the last alternative: the failure where there is one
            if (once) return s;
        }
        throw new InvalidOperationException("the actors did not settle");
    }

    private static KernelState Step(KernelState s, int tid, int alt, List<ModelEvent> events)
    {
        var next = Semantics.Execute(s, tid, alt, out var ctx, out _);
        events.AddRange(ctx.Events);
        return next;
    }

    private static FuseMount Mount() =>
        FuseMount.Start(Cli.ReproduceCommand.ServerProcessFor(Path.Combine(AppContext.BaseDirectory, "modelcheck.dll"), "--fail-writes"));

    private static Variant Reporting(string value) => KernelProfiles.V618.Resolve(new Dictionary<string, string> { ["WbErrReporting"] = value });

    [SkippableFact]
    public void EveryDescriptionOpenAtTheErrorSeesItOnceAsTheModelSays()
    {
        Skip.If(FuseMount.CannotRun() is not null, $"FUSE checks cannot run here: {FuseMount.CannotRun()}");
        List<string> kernel;
        using (var fuse = Mount())
        {
            using var a = KernelFile.CreateBuffered(fuse.MountPoint, "f");
            using var b = KernelFile.CreateBuffered(fuse.MountPoint, "f");
            a.Write(0, 4096, 3);
            kernel = [FsyncResult(a), FsyncResult(b), FsyncResult(a), FsyncResult(b)];
        }
        const string threads = "[{name: a, ops: [{op: buffered-write, offset: 0, length: 4K}, {op: fsync}, {op: fsync}]}, {name: b, ops: [{op: fsync}, {op: fsync}]}]";
        (int, bool)[] order = [(0, false), (0, false), (1, false), (0, false), (1, false)];
        Assert.Equal(["EIO", "EIO", "0", "0"], kernel);
        Assert.Equal(kernel, Model(threads, order, KernelProfiles.V618.Resolve()));
        Assert.Equal(["EIO", "0", "0", "0"], Model(threads, order, Reporting("as-eio")));
    }

    [SkippableFact]
    public void ADescriptionOpenedAfterAnErrorNobodySawSeesItAsTheModelSays()
    {
        Skip.If(FuseMount.CannotRun() is not null, $"FUSE checks cannot run here: {FuseMount.CannotRun()}");
        List<string> kernel;
        using (var fuse = Mount())
        {
            using var a = KernelFile.CreateBuffered(fuse.MountPoint, "f");
            a.Write(0, 4096, 3);
            // start writeback without waiting on it through a file (a wait would report and mark the error seen)
            a.SyncFileRange(0, 0, 2); // SYNC_FILE_RANGE_WRITE
            for (int i = 0; i < 500 && a.Cachestat(0, 4096) is var c && (c.Dirty > 0 || c.Writeback > 0); i++) Thread.Sleep(10);
            using var later = KernelFile.CreateBuffered(fuse.MountPoint, "f");
            kernel = [FsyncResult(later), FsyncResult(a), FsyncResult(later)];
        }
        const string threads = "[{name: a, ops: [{op: buffered-write, offset: 0, length: 4K}, {op: fsync}]}, {name: later, ops: [{op: open}, {op: fsync}, {op: fsync}]}]";
        (int, bool)[] order = [(0, false), (1, true), (1, false), (0, false), (1, false)];
        Assert.Equal(["EIO", "EIO", "0"], kernel);
        Assert.Equal(kernel, Model(threads, order, KernelProfiles.V618.Resolve()));
        Assert.Equal(["0", "EIO", "0"], Model(threads, order, Reporting("errseq-sample-current")));
    }
}
