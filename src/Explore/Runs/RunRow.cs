using System.Text.Json.Serialization;

namespace ModelCheck.Explore.Runs;

/// <summary>
/// The result of one run, the same document for every engine (`check --json`, the rows of
/// `matrix --json`), versioned by <see cref="Schema"/> and documented in docs/result-format.md.
/// Fields an engine does not measure are null: the exhaustive engine has no seed or iterations,
/// the random engines no state counts and never a complete search.
/// </summary>
public sealed record RunRow
{
    /// <summary>The result format's version; a change that removes or renames a field bumps it.</summary>
    public const string CurrentSchema = "modelcheck-result/1";

    [JsonPropertyName("schema")] public string Schema { get; init; } = CurrentSchema;

    [JsonPropertyName("scenario")] public required string Scenario { get; init; }

    [JsonPropertyName("variant")] public required IReadOnlyDictionary<string, string> Variant { get; init; }

    /// <summary>exhaustive, coyote, fscheck (schedules of one scenario) or generate (generated scenarios).</summary>
    [JsonPropertyName("engine")] public required string Engine { get; init; }

    /// <summary>Coyote's scheduling strategy.</summary>
    [JsonPropertyName("strategy")] public string? Strategy { get; init; }

    /// <summary>The seed the random engines actually used (given or drawn); null for the exhaustive engine.</summary>
    [JsonPropertyName("seed")] public ulong? Seed { get; init; }

    /// <summary>violated, holds or incomplete (a search stopped by a bound).</summary>
    [JsonPropertyName("verdict")] public required string Verdict { get; init; }

    [JsonPropertyName("invariant")] public string? Invariant { get; init; }

    [JsonPropertyName("message")] public string? Message { get; init; }

    /// <summary>The whole bounded space was explored: `holds` is then a bounded proof.</summary>
    [JsonPropertyName("complete")] public bool Complete { get; init; }

    [JsonPropertyName("states")] public long? States { get; init; }

    [JsonPropertyName("transitions")] public long? Transitions { get; init; }

    [JsonPropertyName("depth")] public int? Depth { get; init; }

    /// <summary>Schedules (FsCheck) or iterations (Coyote) run.</summary>
    [JsonPropertyName("iterations")] public long? Iterations { get; init; }

    /// <summary>The schedule or iteration that found the violation.</summary>
    [JsonPropertyName("iterationsToViolation")] public long? IterationsToViolation { get; init; }

    [JsonPropertyName("shrinkSteps")] public int? ShrinkSteps { get; init; }

    [JsonPropertyName("seconds")] public double Seconds { get; init; }

    [JsonPropertyName("statesPerSecond")] public double? StatesPerSecond { get; init; }

    [JsonPropertyName("bytesPerState")] public long? BytesPerState { get; init; }

    /// <summary>The exhaustive engine's state-space reduction and what it applied to (null for the random engines).</summary>
    [JsonPropertyName("reduction")] public string? Reduction { get; init; }

    /// <summary>With check --reduction-effect: how many states each reduction that applied removed (the search rerun without it).</summary>
    [JsonPropertyName("reductionEffect")] public string? ReductionEffect { get; init; }

    /// <summary>With check --reduction-bound: what persistent sets knowing every thread's future would store, and what stops them (<see cref="Engines.Exhaustive.PersistentSetBound"/>).</summary>
    [JsonPropertyName("reductionBound")] public string? ReductionBound { get; init; }

    /// <summary>With check --preemption-bound K: K (the search covered every schedule with at most K preemptions).</summary>
    [JsonPropertyName("preemptionBound")] public int? PreemptionBound { get; init; }

    /// <summary>With check --preemption-bound: the preemptions in the violation's schedule (the fewest that reach it).</summary>
    [JsonPropertyName("preemptions")] public int? Preemptions { get; init; }

    [JsonPropertyName("trace")] public string? Trace { get; init; }

    [JsonPropertyName("traceLength")] public int? TraceLength { get; init; }

    /// <summary>Coyote's own reproducible schedule, saved beside the trace.</summary>
    [JsonPropertyName("coyoteTrace")] public string? CoyoteTrace { get; init; }

    /// <summary>The expect line checked (matrix, check without --variant).</summary>
    [JsonPropertyName("expected")] public string? Expected { get; init; }

    [JsonPropertyName("asExpected")] public bool? AsExpected { get; init; }

    /// <summary>A sharded random-engine run (`--shard K/N`): which shard; after `merge`, every shard ("1-N/N").</summary>
    [JsonPropertyName("shard")] public string? Shard { get; init; }

    /// <summary>`generate`: the shrunk scenario file written for a failure.</summary>
    [JsonPropertyName("scenarioFile")] public string? ScenarioFile { get; init; }

    /// <summary>An incomplete search: the bound that stopped it (max-states or max-depth, or max-memory).</summary>
    [JsonPropertyName("stoppedBy")] public string? StoppedBy { get; init; }
}
