using ModelCheck.Model.State;

namespace ModelCheck.Model.Steps;

public enum ThreadStatus : byte { Enabled, Blocked, Finished }

/// <summary>
/// The transition relation: which threads can take a step in a state and what the step does.
/// Every engine (exhaustive, Coyote, FsCheck, replay) goes through this one class.
/// </summary>
public static class Semantics
{
    /// <summary>
    /// Debug aid (MC_CHECK_IMMUTABLE=1, or set by a test): after every step, check that the parent
    /// state is unchanged, i.e. that every write went through a copy-on-write accessor.
    /// </summary>
    public static bool VerifyParentUnchanged { get; set; } = Environment.GetEnvironmentVariable("MC_CHECK_IMMUTABLE") == "1";

    /// <summary>Resolves skip steps from the thread's pc; returns the status and the step it stops at.</summary>
    public static ThreadStatus Status(KernelState s, int tid, out int pc, out Guard guard)
    {
        var program = s.Machine.Threads[tid].Program;
        pc = s.Threads[tid].Pc;
        int start = pc;
        guard = Guard.Run;
        if (HasContinuation(s, tid)) return ThreadStatus.Enabled;
        for (int hops = 0; ; hops++)
        {
            if (pc >= program.Length)
            {
                if (start >= program.Length) return ThreadStatus.Finished;
                // every remaining step has nothing to do now: returning is a step of its own, so a
                // thread does not finish in one state and come back in a later one
                pc = start;
                guard = Guard.Skip(program.Length);
                return ThreadStatus.Enabled;
            }
            if (hops > (program.Length * 2) + 8)
                throw new ModelError($"thread {s.Machine.Threads[tid].Name}: skip loop at pc {pc}");
            guard = program[pc].Check(s, tid);
            switch (guard.Kind)
            {
                case GuardKind.Run:
                    return ThreadStatus.Enabled;
                case GuardKind.Block:
                    return ThreadStatus.Blocked;
                default:
                    pc = guard.SkipTo >= 0 ? guard.SkipTo : pc + 1;
                    break;
            }
        }
    }

    /// <summary>A folio_end_dropbehind owed by this thread runs before its next program step.</summary>
    private static bool HasContinuation(KernelState s, int tid) => s.OwesContinuation(tid);

    /// <summary>Number of alternatives the thread offers now (0 when not enabled).</summary>
    public static int Alternatives(KernelState s, int tid) => Alternatives(s, tid, false, out _);

    /// <summary>As <see cref="Alternatives(KernelState, int)"/>; with askSafe, safe says whether the step offered is safe.</summary>
    private static int Alternatives(KernelState s, int tid, bool askSafe, out bool safe)
    {
        safe = false;
        if (Status(s, tid, out int pc, out var guard) != ThreadStatus.Enabled) return 0;
        if (HasContinuation(s, tid) || guard.Kind == GuardKind.Skip) return 1;
        var step = s.Machine.Threads[tid].Program[pc];
        safe = askSafe && step.IsSafe(s, tid);
        return step.AlternativeCount(s, tid);
    }

    /// <summary>
    /// Fills into with every enabled (thread, alternative). With findSafe, returns the first thread
    /// whose next step is safe (see <see cref="Step.IsSafe"/>), found in the same pass over the
    /// threads; else, or when there is none, -1.
    /// </summary>
    public static int Enabled(KernelState s, List<(int Tid, int Alt)> into, bool findSafe = true)
    {
        into.Clear();
        int firstSafe = -1;
        for (int t = 0; t < s.Threads.Length; t++)
        {
            int n = Alternatives(s, t, findSafe && firstSafe < 0, out bool safe);
            if (safe) firstSafe = t;
            for (int a = 0; a < n; a++) into.Add((t, a));
        }
        return firstSafe;
    }

    /// <summary>Executes one step of thread tid with alternative alt on a clone of s.</summary>
    public static KernelState Execute(KernelState s, int tid, int alt, out StepContext ctx, out Step step) =>
        Execute(s, tid, alt, out ctx, out step, null);

    /// <summary>
    /// As <see cref="Execute(KernelState, int, int, out StepContext, out Step)"/>; with footprint,
    /// records into it everything the step read and wrote: its guard (and those of the skip steps
    /// before it), its alternatives, its effect, and its own pc.
    /// </summary>
    public static KernelState Execute(KernelState s, int tid, int alt, out StepContext ctx, out Step step, Footprint? footprint)
    {
        if (footprint is null) return ExecuteUnrecorded(s, tid, alt, out ctx, out step);
        footprint.Reset(tid);
        footprint.Write(Footprint.ThreadBase + (tid % Footprint.ThreadSlots));
        s.Recording = footprint;
        try
        {
            var next = ExecuteUnrecorded(s, tid, alt, out ctx, out step);
            next.Recording = null;
            footprint.Events = ctx.Events.Count > 0;
            return next;
        }
        finally
        {
            s.Recording = null;
        }
    }

    /// <summary>The footprint of thread tid's step with alternative alt in s (the step runs on a clone, which is dropped).</summary>
    public static Footprint FootprintOf(KernelState s, int tid, int alt)
    {
        var f = new Footprint();
        Execute(s, tid, alt, out _, out _, f);
        return f;
    }

    /// <summary>What observe reads of s (an invariant, a report), recorded as a step's reads are; tid is the observer's thread for the locals rule.</summary>
    public static Footprint FootprintOf(KernelState s, Action<KernelState> observe, int tid)
    {
        var f = new Footprint();
        Observe(s, f, tid, observe, static (st, _, o) =>
        {
            o(st);
            return true;
        });
        return f;
    }

    /// <summary>Runs read on s with f (reset for thread tid) recording what it reads, and removes the recorder after.</summary>
    private static TResult Observe<TArg, TResult>(KernelState s, Footprint f, int tid, TArg arg, Func<KernelState, int, TArg, TResult> read)
    {
        f.Reset(tid);
        s.Recording = f;
        try
        {
            return read(s, tid, arg);
        }
        finally
        {
            s.Recording = null;
        }
    }

    private static KernelState ExecuteUnrecorded(KernelState s, int tid, int alt, out StepContext ctx, out Step step)
    {
        if (Status(s, tid, out int pc, out var guard) != ThreadStatus.Enabled)
            throw new ModelError($"thread {s.Machine.Threads[tid].Name} is not enabled");
        var info = s.Machine.Threads[tid];
        if (guard.Kind == GuardKind.Skip && !HasContinuation(s, tid))
        {
            step = info.Program[pc];
            if (alt != 0) throw new ModelError($"alternative {alt} out of range 0..0 at {step.Function}");
            var done = s.Clone();
            ctx = new StepContext { Tid = tid, Alt = 0, Context = info.Context, NextPc = info.Program.Length };
            ctx.Note("nothing left to do");
            done.Threads[tid].Pc = (short)ctx.NextPc;
            return done;
        }
        if (HasContinuation(s, tid))
        {
            step = Ops.Dropbehind.Continuation;
            byte[]? before0 = VerifyParentUnchanged ? s.EncodeToArray() : null;
            var cont = s.Clone();
            ctx = new StepContext { Tid = tid, Alt = 0, Context = info.Context, NextPc = s.Threads[tid].Pc };
            step.Apply(cont, ctx);
            if (before0 is not null && !before0.AsSpan().SequenceEqual(s.EncodeToArray()))
                throw new ModelError("folio_end_dropbehind changed the state it was cloned from (a write bypassed copy-on-write)");
            return cont;
        }
        step = info.Program[pc];
        int n = step.AlternativeCount(s, tid);
        if (alt < 0 || alt >= n) throw new ModelError($"alternative {alt} out of range 0..{n - 1} at {step.Function}");
        byte[]? before = VerifyParentUnchanged ? s.EncodeToArray() : null;
        var next = s.Clone();
        next.Threads[tid].Pc = (short)pc;
        ctx = new StepContext { Tid = tid, Alt = alt, Context = info.Context, NextPc = pc + 1 };
        step.Apply(next, ctx);
        if (ctx.Function is { } named) ctx.Function = s.Machine.Fs.FunctionName(named);
        next.Threads[tid].Pc = (short)ctx.NextPc;
        if (before is not null && !before.AsSpan().SequenceEqual(s.EncodeToArray()))
            throw new ModelError($"{step.Function} changed the state it was cloned from (a write bypassed copy-on-write)");
        return next;
    }

    /// <summary>
    /// Statement merging (SPIN's term): thread tid's step followed at once by the thread's next
    /// steps while they are safe (<see cref="Step.IsSafe"/>) with one alternative, as one
    /// transition. A safe step commutes with every step the other threads can take before it, none
    /// of them can disable it, and no invariant reads what it changes: every interleaving of the
    /// unmerged system is matched by one where the safe steps run right after their predecessor,
    /// and no invariant can tell the two apart. The search stores fewer states (none with a thread
    /// parked before a safe step). At most one pass over the program, so a loop of safe steps only
    /// ends the chain. When merged is given, it receives the safe steps that ran after the first,
    /// in order, by function name (a trace lists them as steps of their own). When record is given,
    /// it receives the footprint of the first step (the one the search chose), not of the steps
    /// merged after it. With mergePrivate, when the first step turns out private (<see
    /// cref="Footprint.Private"/>: it read and wrote only its own thread's pc and private locals and
    /// emitted no event, which makes it safe in the same sense), the thread's following steps are
    /// merged too while each, as it runs, turns out private: a chain of private steps is one
    /// transition. Only after a private step, so that the search does not pay for trying the next
    /// step after every transition (the search expands a private step alone where it finds one, and
    /// the chain from there is merged).
    /// Without mergeSafe, the steps the model marks safe are not merged (to measure what they add).
    /// </summary>
    public static KernelState ExecuteMerged(KernelState s, int tid, int alt, out StepContext ctx, out Step step, List<string>? merged = null,
        Footprint? record = null, bool mergePrivate = false, bool mergeSafe = true)
    {
        var first = mergePrivate ? record ?? (chainProbe ??= new Footprint()) : record;
        var next = Execute(s, tid, alt, out ctx, out step, first);
        bool chain = mergePrivate && first!.Private;
        if (!(mergeSafe && s.Machine.HasLocalSteps) && !chain) return next;
        byte[]? before = VerifyParentUnchanged ? s.EncodeToArray() : null;
        var info = s.Machine.Threads[tid];
        StepContext? c = null; // one context for the whole chain: it only collects events
        Footprint? probe = null;
        for (int n = 0; n <= info.Program.Length; n++)
        {
            if (mergeSafe && NextLocal(next, tid) is { } pc)
            {
                // next is this call's own clone, so the local step may change it in place
                c ??= new StepContext { Tid = tid, Alt = 0, Context = info.Context };
                c.NextPc = pc + 1;
                next.Threads[tid].Pc = (short)pc;
                info.Program[pc].Apply(next, c);
                next.Threads[tid].Pc = (short)c.NextPc;
                merged?.Add(info.Program[pc].Function);
                continue;
            }
            // the thread's next step as it runs now: merged when its footprint is private (it emits no event)
            if (!chain || !GuardIsPrivate(next, tid, probe ??= new Footprint())) break;
            var candidate = Execute(next, tid, 0, out var pctx, out var pstep, probe ??= new Footprint());
            if (!probe.Private) break;
            next = candidate;
            merged?.Add(pctx.Function ?? pstep.Function);
        }
        if (c is not null)
            foreach (var e in c.Events) ctx.Emit(e);
        if (before is not null && !before.AsSpan().SequenceEqual(s.EncodeToArray()))
            throw new ModelError($"a local step merged after {step.Function} changed the state it was cloned from (a write bypassed copy-on-write)");
        return next;
    }

    [ThreadStatic]
    private static Footprint? chainProbe;

    /// <summary>
    /// Whether thread tid's next step offers one alternative and its guard (with the skip steps before
    /// it) reads only the thread's own pc and locals: a cheap first test before the step is run to
    /// see whether it is private, since most steps' guards already read a lock or a folio.
    /// </summary>
    private static bool GuardIsPrivate(KernelState s, int tid, Footprint probe) =>
        Observe(s, probe, tid, 0, static (st, t, _) => Alternatives(st, t) == 1) && probe.Private;

    /// <summary>The pc of thread tid's next step when merging may run it now (safe, one alternative), else null.</summary>
    private static int? NextLocal(KernelState s, int tid)
    {
        if (Status(s, tid, out int pc, out var guard) != ThreadStatus.Enabled || guard.Kind != GuardKind.Run || HasContinuation(s, tid))
            return null;
        var step = s.Machine.Threads[tid].Program[pc];
        return step.IsSafe(s, tid) && step.AlternativeCount(s, tid) == 1 ? pc : null;
    }

    public static bool IsQuiescent(KernelState s)
    {
        for (int t = 0; t < s.Threads.Length; t++)
            if (Status(s, t, out _, out _) == ThreadStatus.Enabled) return false;
        return true;
    }
}
