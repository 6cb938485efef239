using System.CommandLine;
using ModelCheck.Explore.Scenarios;

namespace ModelCheck.Cli;

/// <summary>
/// `--shard K/N`: this job is shard K (1-based) of N. The random engines split the run's
/// iterations (or tests) among the shards and give shard K the seed SEED + K - 1, so N jobs on a
/// CI matrix or a Kubernetes Indexed Job explore disjoint schedule streams that `merge` combines.
/// </summary>
public readonly record struct Shard(int K, int N)
{
    public static readonly Shard Whole = new(1, 1);

    public bool Sharded => N > 1;

    public override string ToString() => $"{K}/{N}";

    /// <summary>This shard's part of a total: the total divided by N, the first total % N shards one more.</summary>
    public int Part(int total) => (total / N) + (K <= total % N ? 1 : 0);

    /// <summary>This shard's seed: the base seed plus K - 1.</summary>
    public ulong Seed(ulong baseSeed) => baseSeed + (ulong)(K - 1);

    public static Option<string?> Create() => new("--shard")
    {
        Description = "K/N: run shard K of N (1-based) of a random-engine run: its share of the iterations, seed SEED+K-1; `merge` combines the shards' --json results",
    };

    /// <summary>Parses K/N (1 &lt;= K &lt;= N &lt;= 100000), null when not given; a sharded run needs an explicit --seed so the shards agree on it.</summary>
    public static Shard? Parse(string? text, ulong? seed)
    {
        if (text is null) return null;
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int k) || !int.TryParse(parts[1], out int n) || n is < 1 or > 100_000 || k < 1 || k > n)
            throw new InputException("--shard", 0, "shard", $"'{text}' is not K/N with 1 <= K <= N <= 100000 (shard K of N, 1-based)");
        if (n > 1 && seed is null)
            throw new InputException("--shard", 0, "shard", "a sharded run needs --seed: every shard derives its own seed from it (shard K runs seed SEED+K-1)");
        return new(k, n);
    }
}
