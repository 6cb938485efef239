using System.CommandLine;
using ModelCheck.Explore.Runs;

namespace ModelCheck.Cli;

public static class ListCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print JSON" };
        var cmd = new Command("list", "list the catalog's scenarios and their expected verdicts") { json };
        cmd.SetAction(p =>
        {
            var catalog = Catalog.Locate();
            var all = catalog.LoadAll();
            if (all.Count == 0)
                Console.Error.WriteLine($"modelcheck: no scenarios under {catalog.ScenarioDir} (run from the repository or set MODELCHECK_ROOT)");
            if (p.GetValue(json))
            {
                Output.WriteJson(new
                {
                    scenarios = all.Select(s => new
                    {
                        id = s.Id, title = s.Title, race = s.Race, file = Path.GetRelativePath(catalog.Root, s.SourcePath),
                        threads = s.Threads.Select(t => t.Name), expect = s.Expect.Select(e => e.Text),
                    }),
                });
                return ExitCodes.Holds;
            }
            foreach (var s in all)
            {
                Console.WriteLine($"{s.Id,-26} {s.Race,-4} {s.Title}");
                foreach (var e in s.Expect) Console.WriteLine($"{"",-31} expect: {e.Text}");
            }
            return ExitCodes.Holds;
        });
        return cmd;
    }
}
