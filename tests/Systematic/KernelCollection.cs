namespace ModelCheck.Tests.Systematic;

/// <summary>
/// The tests that mount loop images, hold a device's writes or run a FUSE server share one xunit
/// collection, so they run one at a time: fusectl is mounted and unmounted around an abort, and
/// blk-throttle rules and mounts are easier to reason about without neighbours.
/// </summary>
[CollectionDefinition(Name)]
public sealed class KernelCollection
{
    public const string Name = "kernel";
}
