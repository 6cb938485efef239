using ModelCheck.Explore.Engines.Exhaustive;
using ModelCheck.Explore.Runs;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

/// <summary>The one step executor and its schedulers: a schedule's trace replays to the same state; an edited one diverges.</summary>
public class StepRunnerTests
{
    private static readonly ScenarioSpec Spec = ScenarioText.OneThread(
        "[{op: buffered-write, offset: 0, length: 4K}, {op: fsync}]");

    [Fact]
    public void AScheduledRunsTraceReplaysToTheSameFinalState()
    {
        var initial = MachineBuilder.Build(Spec, Variant.Default);
        var run = StepRunner.Run(initial, Schedulers.Modulo([1, 0, 1, 1, 0, 1]));
        Assert.Null(run.Divergence);
        Assert.False(run.Bounded);
        var replay = StepRunner.Run(initial, Schedulers.Replay(run.Trace));
        Assert.Null(replay.Divergence);
        Assert.Equal(run.Trace, replay.Trace);
        Assert.Equal(run.Final.EncodeToArray(), replay.Final.EncodeToArray());
    }

    [Fact]
    public void AReplayThatNoLongerFitsSaysWhere()
    {
        var initial = MachineBuilder.Build(Spec, Variant.Default);
        var run = StepRunner.Run(initial, Schedulers.UsersFirst);
        var edited = run.Trace.ToList();
        edited[1] = edited[1] with { Function = "no_such_function" };
        var replay = StepRunner.Run(initial, Schedulers.Replay(edited));
        Assert.Equal($"step 2: {edited[1].Thread} ran {run.Trace[1].Function}, the trace expected no_such_function", replay.Divergence);
        Assert.Equal(1, replay.Steps);
        edited = [.. run.Trace.Take(1), new Choice("nobody", 0, "x")];
        Assert.Equal("step 2: the scenario has no thread 'nobody'", StepRunner.Run(initial, Schedulers.Replay(edited)).Divergence);
    }

    [Fact]
    public void ABoundedRunSaysSo()
    {
        var run = StepRunner.Run(MachineBuilder.Build(Spec, Variant.Default), Schedulers.UsersFirst, maxSteps: 2);
        Assert.True(run.Bounded);
        Assert.Equal(2, run.Steps);
    }
}
