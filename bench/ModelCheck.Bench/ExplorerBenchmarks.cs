using BenchmarkDotNet.Attributes;
using ModelCheck.Explore.Engines.Exhaustive;
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
    private FingerprintTable set = new();
    private UInt128 next;
    private byte[] encoded = [];

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
        encoded = state.EncodeToArray();
    }

    [Benchmark]
    public int Successors() => Expand(merge: false);

    /// <summary>The successors as the reduced search makes them: each step with its thread's local steps merged after it.</summary>
    [Benchmark]
    public int SuccessorsMerged() => Expand(merge: true);

    private int Expand(bool merge)
    {
        Semantics.Enabled(state, enabled);
        foreach (var (tid, alt) in enabled)
            _ = merge ? Semantics.ExecuteMerged(state, tid, alt, out _, out _) : Semantics.Execute(state, tid, alt, out _, out _);
        return enabled.Count;
    }

    [Benchmark]
    public UInt128 EncodeAndFingerprint() => fp.Of(state);

    /// <summary>Rebuilding a queued state from its encoding, as a worker does before expanding it.</summary>
    [Benchmark]
    public KernelState Decode() => StateDecoder.Decode(state.Machine, encoded);

    [IterationSetup(Target = nameof(FingerprintSetInsert))]
    public void ResetSet() => set = new FingerprintTable(1 << 20);

    /// <summary>Inserting new fingerprints into the search's visited set (FingerprintTable), 100,000 per invocation.</summary>
    [Benchmark(OperationsPerInvoke = 100_000)]
    public int FingerprintSetInsert()
    {
        for (int i = 0; i < 100_000; i++) set.TryAdd(++next * 0x9E3779B97F4A7C15UL, i);
        return set.Count;
    }
}
