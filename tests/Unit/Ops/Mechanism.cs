namespace ModelCheck.Tests.Unit.Ops;

/// <summary>Runs a scenario's threads to quiescence in a fixed order and returns the final state.</summary>
internal static class Mechanism
{
    public static KernelState Run(ScenarioSpec spec, Variant? v = null) =>
        DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, v ?? Variant.Default)).Final;
}
