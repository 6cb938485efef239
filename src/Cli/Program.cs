using System.CommandLine;
using ModelCheck.Cli;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Steps;

var root = new RootCommand("ModelCheck: a model checker for the Linux page cache");
root.Add(ListCommand.Create());
root.Add(CheckCommand.Create());
root.Add(MatrixCommand.Create());
root.Add(ReplayCommand.Create());
root.Add(ReportCommand.Create());
root.Add(DocsCommand.Create());
root.Add(MetricsCommand.Create());
root.Add(GenerateCommand.Create());
root.Add(MergeCommand.Create());
root.Add(ProfileOption.ProfilesCommand());
root.Add(SwitchesCommand.Create());
root.Add(ScenarioFormatPage.SchemaCommand());
root.Add(ConformCommand.Create());
root.Add(OutcomesCommand.Create());
root.Add(ReproduceCommand.Create());
root.Add(FuseServerCommand.Create());

var quiet = new Option<bool>("--quiet", "-q") { Description = "no progress output on stderr", Recursive = true };
root.Options.Add(quiet);

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var e in parse.Errors) Console.Error.WriteLine($"modelcheck: error: {e.Message}");
    Console.Error.WriteLine("Run 'modelcheck --help' for usage.");
    return ExitCodes.BadInput;
}
if (parse.GetValue(quiet)) ProgressOutput.Current = ProgressOutput.Mode.Quiet;
try
{
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (InputException e)
{
    Console.Error.WriteLine($"modelcheck: bad input: {e.Message}");
    return ExitCodes.BadInput;
}
catch (ScenarioException e)
{
    Console.Error.WriteLine($"modelcheck: bad input: {(e.Line > 0 ? "line " + e.Line + ": " : "")}{e.Field}: {e.Message}");
    return ExitCodes.BadInput;
}
catch (CannotRunException e)
{
    Console.Error.WriteLine($"modelcheck: this machine cannot run kernel checks: {e.Message}");
    return ExitCodes.CannotRun;
}
catch (ModelError e)
{
    Console.Error.WriteLine($"modelcheck: internal model error: {e.Message}");
    return ExitCodes.Internal;
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    Console.Error.WriteLine($"modelcheck: internal error: {e.GetType().Name}: {e.Message}");
    // for the model's developers: MODELCHECK_STACK=1 prints where
    if (Environment.GetEnvironmentVariable("MODELCHECK_STACK") == "1") Console.Error.WriteLine(e.StackTrace);
    return ExitCodes.Internal;
}
