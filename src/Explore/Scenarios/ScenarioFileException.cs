namespace ModelCheck.Explore.Scenarios;

/// <summary>
/// Bad input: a scenario or trace file that cannot be used. The CLI prints it and exits 2. Its
/// message is one line per problem, `file:line: field: message`, in file order.
/// </summary>
public sealed class InputException : Exception
{
    public InputException(string file, int line, string field, string message)
        : this(file, [new InputProblem(line, field, message)])
    {
    }

    public InputException(string file, IReadOnlyList<InputProblem> problems)
        : base(string.Join("\n", problems.Select(p => Format(file, p))))
    {
        if (problems.Count == 0) throw new ArgumentException("an input error needs at least one problem", nameof(problems));
        File = file;
        Problems = problems;
    }

    public string File { get; }

    public IReadOnlyList<InputProblem> Problems { get; }

    /// <summary>The first problem's line and field.</summary>
    public int Line => Problems[0].Line;

    public string Field => Problems[0].Field;

    private static string Format(string file, InputProblem p) => $"{file}:{(p.Line > 0 ? p.Line + ":" : "")} {p.Field}: {p.Message}";
}
