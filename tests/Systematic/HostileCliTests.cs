using System.Text.RegularExpressions;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// A sample of tests/Hostile through the real command line (the whole corpus runs in-process in
/// HostileCorpusTests): exit 2 and a file:line message, never 0, 1 or 3.
/// </summary>
public class HostileCliTests
{
    [Theory]
    [InlineData("check", "scenarios/id-dotdot.yaml")]
    [InlineData("check", "scenarios/alias-bomb.yaml")]
    [InlineData("check", "scenarios/binary-garbage.yaml")]
    [InlineData("check", "scenarios/block-size-8g.yaml")]
    [InlineData("check", "scenarios/max-size-2-pow-43.yaml")]
    [InlineData("check", "scenarios/offset-on-fsync.yaml")]
    [InlineData("check", "scenarios/too-many-threads.yaml")]
    [InlineData("matrix", "scenarios/expect-unknown-value.yaml")]
    [InlineData("matrix", "scenarios/empty-file.yaml")]
    [InlineData("replay", "traces/trace-violation-tampered.json")]
    [InlineData("replay", "traces/trace-choice-alt-huge.json")]
    [InlineData("replay", "traces/trace-coyote-sidecar.json")]
    [InlineData("replay", "traces/trace-deep-nesting.json")]
    [InlineData("report", "traces/trace-engine-coyote-unknown-strategy.json")]
    public void HostileInputIsExit2WithFileAndLine(string verb, string file)
    {
        string path = Path.Combine("tests", "Hostile", file);
        var (code, output, err) = CliTests.Run(verb, path);
        Assert.True(code == 2, $"exit {code}: {output}{err}");
        Assert.Matches(new Regex(Regex.Escape(path) + @":\d+: "), err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }
}
