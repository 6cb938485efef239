namespace ModelCheck.Cli;

/// <summary>docs/design.md, Command line: 0 holds, 1 violation, 2 bad input or usage, 3 internal error, 4 cannot run, 5 stopped by a bound, 6 the model changed under a trace.</summary>
public static class ExitCodes
{
    public const int Holds = 0;
    public const int Violation = 1;
    public const int BadInput = 2;
    public const int Internal = 3;

    /// <summary>The machine cannot run a kernel check (not root, no loop devices, no mkfs): nothing was compared.</summary>
    public const int CannotRun = 4;

    /// <summary>A search stopped by a bound (--max-states, --max-depth) before it was complete: neither a proof nor a violation.</summary>
    public const int Incomplete = 5;

    /// <summary>
    /// `replay`: the trace is intact (its digest matches) but the model no longer gives what it
    /// records (another verdict, another length, or a step that no longer replays): the model changed.
    /// </summary>
    public const int ModelChanged = 6;
}
