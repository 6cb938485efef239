using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Scenario;

namespace ModelCheck.Tests.Unit;

/// <summary>Builds small scenarios inline for the unit tests.</summary>
internal static class ScenarioText
{
    public static ScenarioSpec Parse(string yaml) => ScenarioLoader.Parse(yaml, "test.yaml");

    public static ScenarioSpec OneThread(string ops, string file = "{block_size: 4K, folio_size: 4K, max_size: 8K, size: 0}", string actors = "{device: irq}") =>
        Parse($"""
            id: t
            file: {file}
            threads:
              - name: user
                ops: {ops}
            actors: {actors}
            """);
}
