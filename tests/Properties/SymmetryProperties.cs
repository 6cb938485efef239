using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;
using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Engines.Generate;
using ModelCheck.Explore.Runs;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Properties;

/// <summary>
/// Symmetry reduction on generated scenarios: a generated scenario with one of its threads
/// doubled (a reader's operations, so the two are interchangeable) gives the same verdict, the
/// same violated invariant and no more states with symmetry as without.
/// </summary>
public class SymmetryProperties(ITestOutputHelper output)
{
    private static readonly OpKind[] Ops = Generator.ParseOps(
        ["buffered-write,writethrough,buffered-read,dio-read,dio-write,truncate,fsync,punch-hole,memory-pressure,readahead,mmap-read"]);

    private static readonly OpKind[] Reads = Generator.ParseOps(["buffered-read,dio-read,fsync,readahead,mmap-read,memory-pressure"]);

    /// <summary>A generated scenario of one or two threads, plus two copies of a generated thread that writes no data.</summary>
    private static Gen<GenScenario> Symmetric(Variant v) =>
        from g in ScenarioGenerators.Scenario(Ops, v.Explicit, maxThreads: 2, maxOps: 2)
        from reader in ScenarioGenerators.Scenario(Reads, v.Explicit, maxThreads: 1, maxOps: 2)
        let twin = g.Threads.FirstOrDefault(t => t.All(o => !OpNames.IsWrite(o.Kind))) ?? [.. reader.Threads[0].Select(o => Inside(o, g.Blocks))]
        select g with { Threads = [.. g.Threads, twin, twin] };

    /// <summary>The operation moved and cut to fit a file of the given blocks.</summary>
    private static GenOp Inside(GenOp o, int blocks)
    {
        int offset = Math.Min(o.Offset, blocks - 1);
        return o with { Offset = offset, Length = Math.Min(o.Length, blocks - offset) };
    }

    [Theory]
    [InlineData("default")]
    [InlineData("ReadLock=none,FillInvalidateLock=fs-only")]
    public void SymmetryKeepsTheVerdictOnGeneratedScenarios(string variant)
    {
        var v = Variant.Parse([variant]);
        var bounds = new Bounds(400, 200_000);
        var cmp = new VerdictComparison("symmetry");
        var property = Prop.ForAll(Arb.From(Symmetric(v)), g =>
        {
            var (spec, _) = Generator.ToSpec(g);
            if (MachineBuilder.Build(spec, v).Machine.SymmetryClasses.Count == 0)
                throw new InvalidOperationException($"no interchangeable threads in {g}");
            return cmp.Same(g, Checker.Check(spec, v, bounds).Row, Checker.Check(spec, v, bounds, symmetry: false).Row);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(250).WithReplay(20261206UL, 0x9E3779B97F4A7C15UL | 1), property);
        output.WriteLine($"{variant}: {cmp.Compared} of 250 searches complete with and without symmetry, the same verdict in each; fewer states in {cmp.Reduced}");
        // the comparison is not empty: most searches finish, and symmetry removes states in many
        Assert.True(cmp.Compared >= 200, $"{cmp.Compared} of 250 searches compared");
        Assert.True(cmp.Reduced >= 150, $"symmetry removed states in {cmp.Reduced} of {cmp.Compared}");
    }
}
