using System.Diagnostics;
using System.Text.Json;
using ModelCheck.Explore.Runs;
using YamlDotNet.RepresentationModel;

namespace ModelCheck.Tests.Systematic;

/// <summary>docs/scale-out.md's examples: the local one runs; the CI and Kubernetes ones parse and run the same command.</summary>
public class ScaleOutExampleTests
{
    private static string Example(string name) => Path.Combine(Catalog.Locate().Root, "examples", "scale-out", name);

    [Fact]
    public async Task TheLocalExampleRunsShardsAndMergesThem()
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"mc-scale-out-{Guid.NewGuid():N}");
        try
        {
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Catalog.Locate().Root };
            foreach (var a in new[] { Example("local.sh"), "db-redirty", "DropbehindRecheck=off", "fscheck", "600", "7", "3", outDir }) psi.ArgumentList.Add(a);
            psi.Environment["MC"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "modelcheck.dll")}";
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
            }
            string output = await stdout, errors = await stderr;
            Assert.True(p.ExitCode == 1, $"merge exits 1 on the violation a shard finds: {output}{errors}");
            Assert.Contains("shards=1-3/3", output);
            Assert.Contains("violated folio-flags in shard 2 (seed 8)", output);
            var shard2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "shard-2.json"))).RootElement;
            Assert.Equal(8, shard2.GetProperty("seed").GetInt32());
            Assert.Equal("violated", shard2.GetProperty("verdict").GetString());
            Assert.Single(Directory.GetFiles(Path.Combine(outDir, "merged"), "*.json"));
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    [Theory]
    [InlineData("github-actions.yml")]
    [InlineData("k8s-indexed-job.yaml")]
    public void TheJobRunnerExamplesParseAndRunEachShardWithItsIndex(string file)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Example(file))) yaml.Load(reader);
        Assert.IsType<YamlMappingNode>(yaml.Documents[0].RootNode);
        string text = File.ReadAllText(Example(file));
        Assert.Contains("--shard", text);
        Assert.Contains("--seed", text);
        Assert.Contains("--json", text);
        Assert.Contains(file.StartsWith("github", StringComparison.Ordinal) ? "modelcheck.dll merge" : "modelcheck merge", text);
    }
}
