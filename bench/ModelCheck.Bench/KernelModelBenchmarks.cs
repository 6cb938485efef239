using BenchmarkDotNet.Attributes;
using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Bench;

/// <summary>
/// The explorer's inner loop on the kernel model: the scaling series' scale-2 scenario
/// (bench/scaling/scale-2.yaml), a state reached after 12 steps, split into the phases a worker
/// runs per queued state: decode, guards (Enabled), steps (Execute), invariants, encode and
/// fingerprint of each successor.
/// Run: dotnet run -c Release --project bench/ModelCheck.Bench -- --filter '*KernelModel*'
/// </summary>
[MemoryDiagnoser]
public class KernelModelBenchmarks
{
    private KernelState state = null!;
    private KernelState[] successors = [];
    private readonly List<(int Tid, int Alt)> enabled = [];
    private readonly Fingerprinter fp = new();
    private byte[] encoded = [];
    private InvariantSet invariants = null!;

    [GlobalSetup]
    public void Setup()
    {
        var catalog = Catalog.Locate();
        var spec = catalog.Resolve(Path.Combine(catalog.Root, "bench", "scaling", "scale-2.yaml"));
        invariants = InvariantSet.For(spec);
        state = MachineBuilder.Build(spec, Variant.Default);
        for (int k = 0; k < 12; k++)
        {
            Semantics.Enabled(state, enabled);
            var (tid, alt) = enabled[k % enabled.Count];
            state = Semantics.Execute(state, tid, alt, out _, out _);
        }
        encoded = state.EncodeToArray();
        Semantics.Enabled(state, enabled);
        successors = [.. enabled.Select(e => Semantics.Execute(state, e.Tid, e.Alt, out _, out _))];
    }

    [Benchmark]
    public KernelState Decode() => StateDecoder.Decode(state.Machine, encoded);

    [Benchmark]
    public int Guards() => Semantics.Enabled(state, enabled, findSafe: false) + enabled.Count;

    [Benchmark]
    public int Steps()
    {
        foreach (var (tid, alt) in enabled) _ = Semantics.Execute(state, tid, alt, out _, out _);
        return enabled.Count;
    }

    [Benchmark]
    public int Invariants()
    {
        int n = 0;
        foreach (var s in successors) n += invariants.AfterStep(s, []) is null ? 1 : 0;
        return n;
    }

    [Benchmark]
    public UInt128 EncodeAndFingerprint()
    {
        UInt128 x = 0;
        foreach (var s in successors) x ^= fp.Of(s);
        return x;
    }
}
