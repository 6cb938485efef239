using System.Text.RegularExpressions;
using ModelCheck.Explore.Runs;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// tests/Hostile (written by tests/Hostile/make-corpus.py): every malformed scenario and trace is
/// bad input, reported with its file and a line, within a time limit; never loaded as valid,
/// never another exception (which the CLI would turn into exit 3), never a hang.
/// </summary>
public class HostileCorpusTests
{
    private static string Dir(string kind) => Path.Combine(Catalog.Locate().Root, "tests", "Hostile", kind);

    public static TheoryData<string> Scenarios() => [.. Directory.GetFiles(Dir("scenarios"), "*.yaml").Select(f => Path.GetFileName(f)!).Order()];

    public static TheoryData<string> Traces() => [.. Directory.GetFiles(Dir("traces"), "*.json").Select(f => Path.GetFileName(f)!).Order()];

    private static InputException Rejects(string path, Action load)
    {
        var task = Task.Run(() =>
        {
            try
            {
                load();
                return null;
            }
            catch (InputException e)
            {
                return e;
            }
        });
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), $"{path}: no answer in 10 s");
        var e = task.Result;
        Assert.True(e is not null, $"{path} was accepted as valid");
        Assert.Equal(path, e.File);
        Assert.All(e.Problems, p => Assert.True(p.Line >= 1, $"{path}: no line for {p.Field}: {p.Message}"));
        Assert.Matches(new Regex("^" + Regex.Escape(path) + @":\d+: \S+: "), e.Message);
        return e;
    }

    [Fact]
    public void TheCorpusIsThere()
    {
        Assert.True(Scenarios().Count + Traces().Count >= 200, $"{Scenarios().Count} scenarios and {Traces().Count} traces");
        // and its bases are valid: each case breaks one thing
        ScenarioLoader.LoadFile(Path.Combine(Dir(""), "base.yaml"));
        var t = TraceFile.Load(Path.Combine(Dir(""), "base.json"));
        Assert.Null(Replayer.Replay(t, "base.json").Divergence);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void AMalformedScenarioIsBadInputWithItsLine(string name)
    {
        string path = Path.Combine(Dir("scenarios"), name);
        Rejects(path, () => ScenarioLoader.LoadFile(path));
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void AMalformedTraceIsBadInputWithItsLine(string name)
    {
        string path = Path.Combine(Dir("traces"), name);
        Rejects(path, () =>
        {
            var t = TraceFile.Load(path);
            var r = Replayer.Replay(t, path);
            if (r.Divergence is not null) throw new InputException(path, 1, "choices", r.Divergence);
        });
    }
}
