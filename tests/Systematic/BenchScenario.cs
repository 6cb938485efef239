using ModelCheck.Explore.Scenarios;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Systematic;

/// <summary>The SPIN peer model (pagecache.pml, ASYNC=1) as a scenario with NF folios and NW writers.</summary>
internal static class BenchScenario
{
    /// <summary>Writer w writes folios 0 .. NF-1-(w % NF), as pagecache.pml's init starts them.</summary>
    public static string Yaml(int folios, int writers) =>
        $$"""
        id: bench-small
        file: {fs: bench, block_size: 4K, folio_size: 4K, max_size: {{folios * 4}}K, size: 0}
        threads:
        {{string.Concat(Enumerable.Range(0, writers).Select(w => $"  - {{name: writer{w}, ops: [{{op: bench-writer, offset: 0, length: {(folios - (w % folios)) * 4}K}}]}}\n"))}}  - {name: truncate, ops: [{op: bench-truncate}]}
          - {name: bflusher, ops: [{op: bench-flusher}]}
          - {name: bendio, ops: [{op: bench-endio}]}
        invariants: [isize-regression]
        """;

    public static ScenarioSpec Spec(int folios, int writers) => ScenarioLoader.Parse(Yaml(folios, writers), "bench-small.yaml");

    /// <summary>The initial state with BenchFix=fix (a state never changes, so one serves every run).</summary>
    public static KernelState Initial(int folios, int writers, string fix) =>
        MachineBuilder.Build(Spec(folios, writers), Variant.Parse([$"BenchFix={fix}"]));

    /// <summary>The scenario's invariant (isize-regression).</summary>
    public static InvariantSet Invariants => new(InvariantCatalog.Select(Spec(1, 1).Invariants));
}
