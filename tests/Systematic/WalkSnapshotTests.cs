using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;
using Snapshooter;
using Snapshooter.Xunit;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// Every catalog row walked twice, step by step, with what each step did: its function and
/// arguments, the race diagram's notes and the state it changed. One walk runs the user threads
/// first (each operation to its end, the common path), the other picks among the enabled steps
/// with a fixed seed (interleaved paths); each stops at a violation or after <see cref="MaxSteps"/>.
/// The golden file pins what the searches conclude; these pin what the steps do on the way, notes
/// included, which no verdict shows (a mutation run of src/Model counts on them). A change to the
/// model updates them on purpose: run with SNAPSHOOTER_STRICT_MODE unset, review the
/// __mismatch__ files, copy them over.
/// </summary>
public class WalkSnapshotTests
{
    private const int MaxSteps = 120;

    private static readonly Lazy<Dictionary<string, ScenarioSpec>> Specs =
        new(() => Catalog.Locate().LoadAll().ToDictionary(s => s.Id));

    public static TheoryData<string, string> Rows()
    {
        var data = new TheoryData<string, string>();
        foreach (var spec in Specs.Value.Values.OrderBy(s => s.Id, StringComparer.Ordinal))
            foreach (var e in spec.Expect) data.Add(spec.Id, new Variant(e.Variant).ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void EachRowWalksAsPinned(string scenario, string variant)
    {
        var spec = Specs.Value[scenario];
        var v = spec.Expect.Select(e => new Variant(e.Variant)).First(x => x.ToString() == variant);
        var random = new Random(20261206);
        var schedule = Enumerable.Range(0, MaxSteps).Select(_ => random.Next(1 << 20)).ToArray();
        var lines = new List<string>();
        foreach (var (name, scheduler) in new[] { ("users first", Schedulers.UsersFirst), ("seeded", Schedulers.Modulo(schedule)) })
        {
            var run = StepRunner.Run(MachineBuilder.Build(spec, v), scheduler, InvariantSet.For(spec), MaxSteps);
            var replay = Replayer.Replay(spec, v, run.Trace);
            lines.Add($"walk {name}: {run.Steps} steps, " + (run.Violation is { } x ? $"{x.Invariant}: {x.Message}" : run.Bounded ? "bounded" : "quiescent"));
            lines.AddRange(replay.Steps.Select(s => s.Line().TrimEnd()));
        }
        Snapshot.Match(lines, SnapshotNameExtension.Create(FileName(scenario, variant)));
    }

    /// <summary>The row as a file name: the variant's '=' and ',' become '-' and '+'.</summary>
    private static string FileName(string scenario, string variant) =>
        scenario.Replace('/', '.') + "." + variant.Replace('=', '-').Replace(',', '+');
}
