using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>The catalog's expect lines are its regression tests; every violation replays.</summary>
public class CatalogTests
{
    private static readonly Catalog Catalog = Catalog.Locate();

    public static TheoryData<string, int> ExpectLines()
    {
        var data = new TheoryData<string, int>();
        foreach (var spec in Catalog.LoadAll())
            for (int i = 0; i < spec.Expect.Count; i++) data.Add(spec.Id, i);
        return data;
    }

    /// <summary>The expect lines that hold (a violating row's searches stop at their first violations, which differ between engines).</summary>
    public static TheoryData<string, int> HoldingLines()
    {
        var data = new TheoryData<string, int>();
        foreach (var spec in Catalog.LoadAll())
            for (int i = 0; i < spec.Expect.Count; i++)
                if (spec.Expect[i].Violates is null) data.Add(spec.Id, i);
        return data;
    }

    public static TheoryData<string> TraceFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Catalog.TraceDir, "*.json").OrderBy(f => f, StringComparer.Ordinal))
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Fact]
    public void TheCatalogHasTheFoundationScenarios()
    {
        var ids = Catalog.LoadAll().Select(s => s.Id).ToHashSet();
        foreach (var id in new[]
                 {
                     "base-write-truncate", "base-write-dio-read", "base-append-writeback",
                     "wt-aio-truncate", "wt-aio-dio-read", "wt-sync-dio-read", "wt-sync-fault-reclaim", "wt-cow-hole",
                     "wt-partial-folio", "wt-mmap-store", "wt-stable-overlap", "wt-stable-preset", "wt-aio-wq-init-fail",
                     "wt-double-writeback",
                 })
            Assert.Contains(id, ids);
    }

    [Theory]
    [MemberData(nameof(ExpectLines))]
    public void ExpectLineHolds(string id, int index)
    {
        var spec = Catalog.Resolve(id);
        var expect = spec.Expect[index];
        var variant = new Variant(expect.Variant);
        string tmp = Path.Combine(Path.GetTempPath(), $"mc-{Guid.NewGuid():N}.json");
        try
        {
            var (row, result, trace) = Checker.Check(spec, variant, traceOut: tmp, expect: expect);
            Assert.True(row.AsExpected, $"{id} [{variant}]: expected {row.Expected}, got {row.Verdict} {row.Invariant} {row.Message}");
            if (expect.Violates is null)
            {
                Assert.True(result.Complete, "a holds verdict must come from a complete search");
                return;
            }
            // every bug-finding run replays to the same violation, from the saved file
            var replay = Replayer.Replay(TraceFile.Load(tmp), tmp);
            Assert.Null(replay.Divergence);
            Assert.Equal(expect.Violates, replay.Violation?.Invariant);
            Assert.Equal(trace!.Choices.Count, replay.Steps.Count);
            // and the checked-in trace of that row exists and still reproduces it
            string checkedIn = Catalog.TracePath(id, variant.ToString());
            Assert.True(File.Exists(checkedIn), $"missing checked-in trace {checkedIn} (run: modelcheck matrix --write-traces)");
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    [Theory]
    [MemberData(nameof(TraceFiles))]
    public void CheckedInTraceReplaysToItsRecordedViolation(string file)
    {
        string path = Path.Combine(Catalog.TraceDir, file);
        var trace = TraceFile.Load(path);
        var replay = Replayer.Replay(trace, path);
        Assert.Null(replay.Divergence);
        Assert.NotNull(trace.Violation);
        Assert.Equal(trace.Violation!.Invariant, replay.Violation?.Invariant);
        Assert.Equal(trace.Choices.Count, replay.Steps.Count);
        Assert.False(string.IsNullOrWhiteSpace(RaceDiagram.Render(replay.Steps)));
    }

    [Fact]
    public void ATamperedTraceSaysWhereItDiverged()
    {
        string path = Catalog.TracePath("wt-aio-truncate", "WtAioDioCount=off");
        var trace = TraceFile.Load(path);
        var choices = trace.Choices.ToList();
        choices[0] = choices[0] with { Function = "not_a_kernel_function" };
        var replay = Replayer.Replay(trace with { Choices = choices }, path);
        Assert.StartsWith("step 1:", replay.Divergence);
        var swapped = trace.Choices.ToList();
        (swapped[8], swapped[9]) = (swapped[9], swapped[8]);
        Assert.NotNull(Replayer.Replay(trace with { Choices = swapped }, path).Divergence);
    }

    [Fact]
    public void WtAioTruncateTraceIsTheB1Interleaving()
    {
        var trace = TraceFile.Load(Catalog.TracePath("wt-aio-truncate", "WtAioDioCount=off"));
        var fns = trace.Choices.Select(c => $"{c.Thread}:{c.Function}").ToList();
        int submit = fns.IndexOf("writer:iomap_writethrough_submit_bio");
        int unlock = fns.IndexOf("writer:inode_unlock");
        int setsize = fns.IndexOf("truncate:truncate_setsize");
        int truncReturn = fns.IndexOf("truncate:inode_unlock");
        int endIo = fns.IndexOf("wq:iomap_writethrough_complete_work");
        Assert.True(submit < unlock && unlock < setsize && setsize < truncReturn && truncReturn < endIo,
            string.Join(", ", fns));
        Assert.Equal(endIo, fns.Count - 1);
    }
}
