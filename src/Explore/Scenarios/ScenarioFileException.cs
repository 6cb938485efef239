namespace ModelCheck.Explore.Scenarios;

/// <summary>Bad input: a scenario or trace file that cannot be used. The CLI prints it and exits 2.</summary>
public sealed class InputException(string file, int line, string field, string message)
    : Exception($"{file}:{(line > 0 ? line + ":" : "")} {field}: {message}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Field { get; } = field;
}
