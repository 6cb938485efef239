using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;
using Snapshooter.Xunit;

namespace ModelCheck.Tests.Systematic;

/// <summary>What a kernel developer reads: the replay lines and the race diagram of §4.1, pinned, at the default width and at 80 columns.</summary>
public class RaceDiagramSnapshotTests
{
    private static ReplayResult AioTruncate()
    {
        string path = Catalog.Locate().TracePath("wt-aio-truncate", "WtAioDioCount=off");
        return Replayer.Replay(TraceFile.Load(path), path);
    }

    [Fact]
    public void TheAioTruncateTraceReadsLikeTheMailingListDiagram()
    {
        var replay = AioTruncate();
        var text = string.Join("\n", replay.Steps.Select(s => s.Line())) + "\n\n" + RaceDiagram.Render(replay);
        Snapshot.Match(text.Replace("\r\n", "\n").Split('\n'));
    }

    [Fact]
    public void At80ColumnsNothingIsCutAndNoLineIsWider()
    {
        var replay = AioTruncate();
        string diagram = RaceDiagram.Render(replay, 80);
        var lines = diagram.Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.All(lines.Where(l => !l.StartsWith("~~~", StringComparison.Ordinal)), l => Assert.False(l.EndsWith('~'), $"cut: {l}"));
        // every function name is there, whole once the wrapped pieces of its column are joined
        string joined = string.Concat(lines.Select(l => l.Trim()));
        Assert.All(replay.Steps, s => Assert.Contains(s.Function, joined));
        Assert.Contains("race window opens", diagram);
        Assert.Contains("race window closes: isize-regression", diagram);
        Assert.Contains("initial: i_disk_size 4K; i_size 4K", diagram);
        Assert.Contains("legend:", diagram);
        Snapshot.Match(lines);
    }
}
