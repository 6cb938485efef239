using BenchmarkDotNet.Attributes;
using ModelCheck.Explore.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Bench;

/// <summary>
/// The explorer's inner loop on the SPIN peer model (scenarios/bench/bench-spin-a.yaml), a state
/// reached after 40 steps: successor generation, canonical encoding + fingerprint, set insertion.
/// Run: dotnet run -c Release --project bench/ModelCheck.Bench
/// </summary>
[MemoryDiagnoser]
public class ExplorerBenchmarks
{
    private KernelState state = null!;
    private readonly List<(int Tid, int Alt)> enabled = [];
    private readonly Fingerprinter fp = new();
    private HashSet<UInt128> set = [];
    private UInt128 next;

    [GlobalSetup]
    public void Setup()
    {
        var spec = Catalog.Locate().Resolve(Path.Combine(Catalog.Locate().Root, "scenarios", "bench", "bench-spin-a.yaml"));
        state = MachineBuilder.Build(spec, Variant.Parse(["BenchFix=on"]));
        for (int k = 0; k < 40; k++)
        {
            Semantics.Enabled(state, enabled);
            var (tid, alt) = enabled[k % enabled.Count];
            state = Semantics.Execute(state, tid, alt, out _, out _);
        }
    }

    [Benchmark]
    public int Successors()
    {
        Semantics.Enabled(state, enabled);
        int n = 0;
        foreach (var (tid, alt) in enabled)
        {
            Semantics.Execute(state, tid, alt, out _, out _);
            n++;
        }
        return n;
    }

    [Benchmark]
    public UInt128 EncodeAndFingerprint() => fp.Of(state);

    [IterationSetup(Target = nameof(FingerprintSetInsert))]
    public void ResetSet() => set = new HashSet<UInt128>(1 << 20);

    [Benchmark(OperationsPerInvoke = 100_000)]
    public int FingerprintSetInsert()
    {
        for (int i = 0; i < 100_000; i++) set.Add(++next * 0x9E3779B97F4A7C15UL);
        return set.Count;
    }
}
