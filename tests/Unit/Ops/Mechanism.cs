namespace ModelCheck.Tests.Unit.Ops;

/// <summary>Drives a scenario's threads for the mechanism tests: to quiescence, or step by step in the order a test writes down.</summary>
internal static class Mechanism
{
    /// <summary>Runs every thread to quiescence in a fixed order and returns the final state.</summary>
    public static KernelState Run(ScenarioSpec spec, Variant? v = null) =>
        DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, v ?? Variant.Default)).Final;

    /// <summary>Runs to quiescence as <see cref="Run"/> does, with the notes the steps wrote and the functions they ran, in order.</summary>
    public static (KernelState S, List<string> Notes, IReadOnlyList<string> Functions) RunRecording(ScenarioSpec spec, Variant? v = null)
    {
        var notes = new List<string>();
        var run = DeterministicRun.ToQuiescence(MachineBuilder.Build(spec, v ?? Variant.Default), observe: (_, c) => notes.AddRange(c.Notes));
        return (run.Final, notes, run.Functions);
    }

    /// <summary>One step of thread tid with alternative alt; its events go to events.</summary>
    public static KernelState Step(KernelState s, int tid, int alt = 0, List<ModelEvent>? events = null)
    {
        var next = Semantics.Execute(s, tid, alt, out var ctx, out _);
        events?.AddRange(ctx.Events);
        return next;
    }

    /// <summary>One step of thread tid with alternative alt, with the notes it wrote for the race diagram.</summary>
    public static (KernelState S, IReadOnlyList<string> Notes) StepNoting(KernelState s, int tid, int alt = 0)
    {
        var next = Semantics.Execute(s, tid, alt, out var ctx, out _);
        return (next, ctx.Notes);
    }

    /// <summary>Thread tid's steps (alternative 0) while it is enabled, with every note they wrote.</summary>
    public static (KernelState S, List<string> Notes) RunNoting(KernelState s, int tid)
    {
        var notes = new List<string>();
        while (Semantics.Status(s, tid, out _, out _) == ThreadStatus.Enabled)
        {
            var (next, stepNotes) = StepNoting(s, tid);
            notes.AddRange(stepNotes);
            s = next;
        }
        return (s, notes);
    }

    /// <summary>
    /// As <see cref="RunUntil"/>, but where thread tid waits (for a bio, for end_io work) the first
    /// enabled actor (device, workqueue, flusher) takes a step, and the other user threads stay where
    /// they are; stops when tid reaches function, finishes, or nothing it waits for can move.
    /// </summary>
    public static KernelState RunUntilWithActors(KernelState s, int tid, string? function = null)
    {
        for (int n = 0; n < 1000; n++)
        {
            s = RunUntil(s, tid, function);
            if (Semantics.Status(s, tid, out _, out _) != ThreadStatus.Blocked) return s;
            var at = s;
            int actor = Enumerable.Range(0, at.Threads.Length).FirstOrDefault(
                t => at.Machine.Threads[t].Kind == ThreadKind.Actor && Semantics.Status(at, t, out _, out _) == ThreadStatus.Enabled, -1);
            if (actor < 0) return s;
            s = Step(s, actor);
        }
        return s;
    }

    /// <summary>Thread tid's steps (alternative 0) while it is enabled, stopping before a runnable step named function.</summary>
    public static KernelState RunUntil(KernelState s, int tid, string? function = null, List<ModelEvent>? events = null)
    {
        while (Semantics.Status(s, tid, out int pc, out var guard) == ThreadStatus.Enabled)
        {
            if (guard.Kind == GuardKind.Run && s.Machine.Threads[tid].Program[pc].Function == function) break;
            s = Step(s, tid, 0, events);
        }
        return s;
    }
}
