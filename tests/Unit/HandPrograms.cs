using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

/// <summary>Hand-written programs decoded into a machine of their own (three user threads on an 8K file).</summary>
internal static class HandPrograms
{
    /// <summary>A state of a machine whose first threads run the given programs (the others have none).</summary>
    public static KernelState With(params Step[][] programs) => On("{block_size: 4K, folio_size: 4K, max_size: 8K, size: 0}", programs);

    /// <summary>As <see cref="With"/>, on the file the scenario line file: describes.</summary>
    public static KernelState On(string file, params Step[][] programs)
    {
        var real = MachineBuilder.Build(ScenarioText.Parse($$"""
            id: t
            file: {{file}}
            threads:
              - name: a
                ops: [{op: fsync}]
              - name: b
                ops: [{op: fsync}]
              - name: c
                ops: [{op: fsync}]
            """), Variant.Default);
        var rm = real.Machine;
        var threads = Enumerable.Range(0, real.Threads.Length)
            .Select(t => new ThreadInfo(rm.Threads[t].Name, rm.Threads[t].Kind, rm.Threads[t].Context, t < programs.Length ? programs[t] : [], []))
            .ToArray();
        var m = new Machine
        {
            Geometry = rm.Geometry, Variant = rm.Variant, Threads = threads, LocalsPerThread = rm.LocalsPerThread,
            WriteCount = rm.WriteCount, Fs = rm.Fs, DeviceTid = rm.DeviceTid,
        };
        return StateDecoder.Decode(m, real.EncodeToArray());
    }

    public static Step Run(string name, Action<KernelState, StepContext>? apply = null, bool local = false,
        Func<KernelState, int, bool>? safeWhen = null, int alternatives = 1) => new()
        {
            Function = name,
            Check = static (_, _) => Guard.Run,
            Apply = apply ?? ((_, _) => { }),
            Local = local,
            SafeWhen = safeWhen,
            Alternatives = alternatives == 1 ? null : (_, _) => alternatives,
        };
}
