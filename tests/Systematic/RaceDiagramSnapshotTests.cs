using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Traces;
using Snapshooter.Xunit;

namespace ModelCheck.Tests.Systematic;

/// <summary>What a kernel developer reads: the replay lines and the race diagram of §4.1, pinned.</summary>
public class RaceDiagramSnapshotTests
{
    [Fact]
    public void TheB1TraceReadsLikeTheMailingListDiagram()
    {
        var catalog = Catalog.Locate();
        string path = catalog.TracePath("wt-aio-truncate", "WtAioDioCount=off");
        var replay = Replayer.Replay(TraceFile.Load(path), path);
        var text = string.Join("\n", replay.Steps.Select(s => s.Line())) + "\n\n" + RaceDiagram.Render(replay);
        Snapshot.Match(text.Replace("\r\n", "\n").Split('\n'));
    }
}
