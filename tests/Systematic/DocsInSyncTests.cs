using ModelCheck.Explore.Runs;

namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The generated docs checked in under docs/ are what `modelcheck docs` writes today: a change to
/// an invariant's rationale, a scenario or its verdicts that was not followed by `modelcheck docs`
/// fails here, naming the file to regenerate.
/// </summary>
public class DocsInSyncTests
{
    [Fact]
    public void CheckedInDocsMatchWhatModelcheckDocsWrites()
    {
        string root = Catalog.Locate().Root;
        string tmp = Path.Combine(Path.GetTempPath(), $"mc-docs-{Guid.NewGuid():N}");
        try
        {
            var (code, _, err) = CliTests.Run("docs", "--out", tmp);
            Assert.True(code == 0, err);
            var generated = Directory.GetFiles(tmp, "*.md", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(tmp, f)).Order().ToList();
            Assert.NotEmpty(generated);
            var stale = generated.Where(rel =>
            {
                string checkedIn = Path.Combine(root, "docs", rel);
                return !File.Exists(checkedIn) || File.ReadAllText(checkedIn) != File.ReadAllText(Path.Combine(tmp, rel));
            }).ToList();
            Assert.True(stale.Count == 0, $"docs out of date (run `modelcheck docs`): {string.Join(", ", stale.Select(s => "docs/" + s))}");
            var orphans = Directory.GetFiles(Path.Combine(root, "docs", "scenarios"), "*.md")
                .Select(f => Path.Combine("scenarios", Path.GetFileName(f)))
                .Where(rel => !generated.Contains(rel)).ToList();
            Assert.True(orphans.Count == 0, $"scenario pages with no scenario: {string.Join(", ", orphans.Select(s => "docs/" + s))}");
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }
}
