using ModelCheck.Model;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// The transition relation itself (<see cref="Semantics"/>) on hand-written programs: skip steps
/// resolved to the step a thread stops at, the finishing step, the alternatives' range, the safe
/// thread the reduced search expands alone, statement merging, and the copy-on-write check.
/// </summary>
public class SemanticsTests
{
    private static KernelState With(params Step[][] programs) => HandPrograms.With(programs);

    private static Step Run(string name, Action<KernelState, StepContext>? apply = null, bool local = false,
        Func<KernelState, int, bool>? safeWhen = null, int alternatives = 1) => HandPrograms.Run(name, apply, local, safeWhen, alternatives);

    private static Step Skip(int to = -1) => new() { Function = "skip", Check = (_, _) => Guard.Skip(to), Apply = (_, _) => { } };

    private static Step Blocked() => new()
    {
        Function = "wait",
        Check = static (_, _) => Guard.Block(WaitKind.IRwsem, "i_rwsem"),
        Apply = static (_, _) => { },
    };

    /// <summary>A step that sets thread tid's local slot to value.</summary>
    private static Action<KernelState, StepContext> SetLocal(int slot, int value) => (s, c) => s.LocalW(c.Tid, slot) = value;

    [Fact]
    public void SkipStepsAreResolvedToTheStepTheThreadStopsAt()
    {
        var s = With([Skip(), Skip(3), Blocked(), Run("go")], [Skip(), Blocked(), Run("never")]);
        Assert.Equal(ThreadStatus.Enabled, Semantics.Status(s, 0, out int pc, out var guard));
        Assert.Equal(3, pc);
        Assert.Equal(GuardKind.Run, guard.Kind);
        Assert.Equal(ThreadStatus.Blocked, Semantics.Status(s, 1, out pc, out guard));
        Assert.Equal(1, pc);
        Assert.Equal(WaitKind.IRwsem, guard.Wait.Kind);
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(s, 2, out _, out _));
        var ex = Assert.Throws<ModelError>(() => Semantics.Execute(s, 1, 0, out _, out _));
        Assert.Contains("not enabled", ex.Message, StringComparison.Ordinal);
        var next = Semantics.Execute(s, 0, 0, out _, out var step);
        Assert.Equal("go", step.Function);
        Assert.Equal(4, next.Threads[0].Pc);
    }

    [Fact]
    public void ALongChainOfSkipsIsNoLoopButASkipToItselfIs()
    {
        var chain = Enumerable.Range(0, 20).Select(_ => Skip()).Append(Run("end")).ToArray();
        var s = With(chain, [Skip(0)]);
        Assert.Equal(ThreadStatus.Enabled, Semantics.Status(s, 0, out int pc, out _));
        Assert.Equal(20, pc);
        var ex = Assert.Throws<ModelError>(() => Semantics.Status(s, 1, out _, out _));
        Assert.Contains("skip loop at pc 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AThreadWithNothingLeftToDoFinishesInAStepOfItsOwn()
    {
        var s = With([Skip(), Skip()]);
        Assert.Equal(ThreadStatus.Enabled, Semantics.Status(s, 0, out int pc, out var guard));
        Assert.Equal((0, GuardKind.Skip), (pc, guard.Kind));
        Assert.Equal(1, Semantics.Alternatives(s, 0));
        Assert.Throws<ModelError>(() => Semantics.Execute(s, 0, 1, out _, out _));
        var done = Semantics.Execute(s, 0, 0, out var ctx, out _);
        Assert.Equal(["nothing left to do"], ctx.Notes);
        Assert.Equal(2, done.Threads[0].Pc);
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(done, 0, out _, out _));
        Assert.Equal(0, Semantics.Alternatives(done, 0));
        Assert.True(Semantics.IsQuiescent(done));
        Assert.False(Semantics.IsQuiescent(s));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void AnAlternativeOutOfRangeIsAnError(int alt)
    {
        var s = With([Run("choose", SetLocal(0, 1), alternatives: 2)]);
        Assert.Equal(2, Semantics.Alternatives(s, 0));
        var ex = Assert.Throws<ModelError>(() => Semantics.Execute(s, 0, alt, out _, out _));
        Assert.Contains("out of range 0..1 at choose", ex.Message, StringComparison.Ordinal);
        var next = Semantics.Execute(s, 0, 1, out var ctx, out _);
        Assert.Equal(1, ctx.Alt);
        Assert.Equal(1, next.Local(0, 0));
    }

    [Fact]
    public void TheSafeThreadIsTheFirstWhoseNextStepIsSafeAndOnlyWhenAskedFor()
    {
        var enabled = new List<(int Tid, int Alt)>();
        var laterTwo = With([Run("shared")], [Run("mine", local: true)], [Run("mine too", local: true)]);
        Assert.Equal(1, Semantics.Enabled(laterTwo, enabled));
        Assert.Equal([(0, 0), (1, 0), (2, 0)], enabled);
        Assert.Equal(-1, Semantics.Enabled(laterTwo, enabled, findSafe: false));
        var firstTwo = With([Run("mine", local: true)], [Run("mine too", safeWhen: static (_, _) => true)], [Run("shared", alternatives: 2)]);
        Assert.Equal(0, Semantics.Enabled(firstTwo, enabled));
        Assert.Equal([(0, 0), (1, 0), (2, 0), (2, 1)], enabled);
        var none = With([Run("shared")], [Run("not now", safeWhen: static (_, _) => false)]);
        Assert.Equal(-1, Semantics.Enabled(none, enabled));
    }

    [Fact]
    public void MergingRunsTheSafeStepsThatFollowAsOneTransition()
    {
        Step[] program =
        [
            Run("first", SetLocal(0, 1)),
            Run("local one", (s, c) => { s.LocalW(c.Tid, 1) = 2; c.Emit(new CopyMade(0, "one")); }, local: true),
            Run("safe while local 0 is 1", SetLocal(2, 3), safeWhen: static (s, t) => s.Local(t, 0) == 1),
            Run("shared", SetLocal(3, 4)),
        ];
        var s = With(program, [Run("other")]);
        Assert.True(s.Machine.HasLocalSteps);
        var merged = new List<string>();
        var next = Semantics.ExecuteMerged(s, 0, 0, out var ctx, out var step, merged);
        Assert.Equal("first", step.Function);
        Assert.Equal(["local one", "safe while local 0 is 1"], merged);
        Assert.Equal(3, next.Threads[0].Pc);
        Assert.Equal([1, 2, 3, 0], Enumerable.Range(0, 4).Select(k => next.Local(0, k)));
        Assert.Equal([new CopyMade(0, "one")], ctx.Events);
        Assert.Equal(0, s.Threads[0].Pc);

        // without merging, the same step stops before the first safe one
        var plain = Semantics.Execute(s, 0, 0, out _, out _);
        Assert.Equal(1, plain.Threads[0].Pc);

        // a step safe only in some states ends the chain where it is not
        program[0] = Run("first", SetLocal(0, 2));
        next = Semantics.ExecuteMerged(With(program), 0, 0, out _, out _, merged = []);
        Assert.Equal(["local one"], merged);
        Assert.Equal(2, next.Threads[0].Pc);
    }

    [Fact]
    public void MergingStopsAtAChoiceAndAtABlockedStep()
    {
        var merged = new List<string>();
        var next = Semantics.ExecuteMerged(With([Run("first"), Run("local choice", local: true, alternatives: 2)]), 0, 0, out _, out _, merged);
        Assert.Empty(merged);
        Assert.Equal(1, next.Threads[0].Pc);
        next = Semantics.ExecuteMerged(With([Run("first"), Run("local", local: true), Blocked(), Run("after", local: true)]), 0, 0, out _, out _, merged);
        Assert.Equal(["local"], merged);
        Assert.Equal(2, next.Threads[0].Pc);
    }

    [Fact]
    public void ALoopOfSafeStepsEndsAfterOnePassOverTheProgram()
    {
        // the safe step jumps back to itself and counts its runs
        Step[] program = [Run("first"), Run("spin", (s, c) => { s.LocalW(c.Tid, 0)++; c.NextPc = 1; }, local: true), Run("never")];
        var merged = new List<string>();
        var next = Semantics.ExecuteMerged(With(program), 0, 0, out _, out _, merged);
        Assert.Equal(program.Length + 1, next.Local(0, 0));
        Assert.Equal(program.Length + 1, merged.Count);
        Assert.Equal(1, next.Threads[0].Pc);
    }

    [Fact]
    public void AMachineHasLocalStepsWhenAStepIsLocalOrSometimesSafe()
    {
        Assert.False(With([Run("a")], [Run("b")]).Machine.HasLocalSteps);
        Assert.True(With([Run("a")], [Run("b", local: true)]).Machine.HasLocalSteps);
        Assert.True(With([Run("a"), Run("b", safeWhen: static (_, _) => false)]).Machine.HasLocalSteps);
        // without local steps, merging is the plain step
        var next = Semantics.ExecuteMerged(With([Run("a"), Run("b")]), 0, 0, out _, out _);
        Assert.Equal(1, next.Threads[0].Pc);
    }

    [Fact]
    public void TheCopyOnWriteCheckCatchesAStepThatWritesTheStateItWasClonedFrom()
    {
        // the bio's data is shared by reference between states: writing it in place bypasses copy-on-write
        static Action<KernelState, StepContext> Scribble() => (s, _) => s.Bios[0].Data[0] = DataTag.Stale;
        static KernelState WithBio(KernelState s)
        {
            s.BiosW.Add(new Bio(BioKind.Writeback, Bio.NoOwner, 0, 1, [DataTag.Zero], [0], false, false, 0, false, false));
            return s;
        }
        bool was = Semantics.VerifyParentUnchanged;
        try
        {
            Semantics.VerifyParentUnchanged = true;
            var ex = Assert.Throws<ModelError>(() => Semantics.Execute(WithBio(With([Run("scribble", Scribble())])), 0, 0, out _, out _));
            Assert.Contains("scribble changed the state it was cloned from", ex.Message, StringComparison.Ordinal);
            ex = Assert.Throws<ModelError>(() => Semantics.ExecuteMerged(WithBio(With([Run("first"), Run("scribble", Scribble(), local: true)])), 0, 0, out _, out _));
            Assert.Contains("a local step merged after first changed the state", ex.Message, StringComparison.Ordinal);
            // a step that writes through the accessors passes the check
            var fine = Semantics.ExecuteMerged(WithBio(With([Run("first", SetLocal(0, 1)), Run("local", SetLocal(1, 1), local: true)])), 0, 0, out _, out _);
            Assert.Equal(2, fine.Threads[0].Pc);
            Semantics.VerifyParentUnchanged = false;
            var unverified = Semantics.Execute(WithBio(With([Run("scribble", Scribble())])), 0, 0, out _, out _);
            Assert.Equal(DataTag.Stale, unverified.Bios[0].Data[0]);
        }
        finally
        {
            Semantics.VerifyParentUnchanged = was;
        }
    }

    [Fact]
    public void AnOperationIsFoundByItsPcRange()
    {
        var info = new ThreadInfo("t", ThreadKind.User, ExecContext.Task, [], [new OpRange(0, 2, "one", false), new OpRange(2, 5, "two", false)]);
        Assert.Equal("one", info.OpAt(0)?.Label);
        Assert.Equal("one", info.OpAt(1)?.Label);
        Assert.Equal("two", info.OpAt(2)?.Label);
        Assert.Equal("two", info.OpAt(4)?.Label);
        Assert.Null(info.OpAt(5));
        Assert.Null(info.OpAt(-1));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(Model.Ops.OpHistory.ScratchSlots)]
    public void AScratchLocalOutsideTheScratchSlotsIsAnError(int slot)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Local.Scratch(slot, "x"));
        Assert.Equal(Model.Ops.OpHistory.ScratchSlots - 1, Local.Scratch(Model.Ops.OpHistory.ScratchSlots - 1, "x").Slot);
        Assert.Equal(0, Local.Scratch(0, "x").Slot);
    }

    [Fact]
    public void StepsThatTurnOutPrivateAreMergedOnlyWhenAsked()
    {
        // a step on its own locals is private; one that reads i_size, emits an event or offers two alternatives is not
        var program = new[]
        {
            Run("first"), Run("own local", SetLocal(0, 1)), Run("own again", (s, c) => s.LocalW(c.Tid, 1) = s.Local(c.Tid, 0)),
            Run("reads i_size", (s, c) => s.LocalW(c.Tid, 2) = s.Inode.ISize), Run("after"),
        };
        var merged = new List<string>();
        var next = Semantics.ExecuteMerged(With(program), 0, 0, out _, out _, merged, mergePrivate: true);
        Assert.Equal(["own local", "own again"], merged);
        Assert.Equal(3, next.Threads[0].Pc);
        Assert.Equal(1, next.Local(0, 1));
        merged.Clear();
        next = Semantics.ExecuteMerged(With(program), 0, 0, out _, out _, merged);
        Assert.Empty(merged);
        Assert.Equal(1, next.Threads[0].Pc);
        merged.Clear();
        Semantics.ExecuteMerged(With([Run("first"), Run("event", (_, c) => c.Emit(new FsyncReturned(c.Tid, false, false)))]), 0, 0, out _, out _, merged, mergePrivate: true);
        Assert.Empty(merged);
        Semantics.ExecuteMerged(With([Run("first"), Run("choice", alternatives: 2)]), 0, 0, out _, out _, merged, mergePrivate: true);
        Assert.Empty(merged);
        // the finishing step is private too: the thread ends in the same transition
        next = Semantics.ExecuteMerged(With([Run("first"), Skip()]), 0, 0, out _, out _, merged, mergePrivate: true);
        Assert.Equal(ThreadStatus.Finished, Semantics.Status(next, 0, out _, out _));
        Assert.Single(merged);
    }

    [Fact]
    public void TheFootprintRecordedIsTheFirstStepsAndTheParentIsLeftWithoutARecorder()
    {
        var s = With([Run("first", (st, c) => st.LocalW(c.Tid, 2) = st.Inode.ISize), Run("own local", SetLocal(0, 1))]);
        var f = new Footprint();
        var next = Semantics.ExecuteMerged(s, 0, 0, out _, out _, record: f, mergePrivate: true);
        // a chain of private steps is merged only after a private step: this first step reads i_size
        Assert.Equal(1, next.Threads[0].Pc);
        Assert.NotEqual(UInt128.Zero, f.Reads & Footprint.Bit(Footprint.ISize));
        Assert.False(f.Private);
        var merged = new List<string>();
        next = Semantics.ExecuteMerged(next, 0, 0, out _, out _, merged, mergePrivate: true);
        Assert.Equal(2, next.Threads[0].Pc);
        Assert.Empty(merged);
        // recording ends with the step: reading the parent or the successor afterwards records nothing
        _ = s.Inode.IDiskSize;
        _ = next.Inode.IDiskSize;
        Assert.Equal(UInt128.Zero, f.Reads & Footprint.Bit(Footprint.IDiskSize));
        Assert.Equal(0, Semantics.FootprintOf(s, 0, 0).Tid);
    }
}
