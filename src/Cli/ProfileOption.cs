using System.CommandLine;
using ModelCheck.Explore.Scenarios;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;

namespace ModelCheck.Cli;

/// <summary>`--profile NAME` on every verb that runs the model, and the `profiles` verb.</summary>
public static class ProfileOption
{
    public static Option<string> Create() => new("--profile")
    {
        Description = "kernel profile whose switch values fill the unset ones: " + string.Join(" | ", KernelProfiles.All.Select(p => p.Name)),
        DefaultValueFactory = _ => KernelProfiles.Posted.Name,
    };

    public static KernelProfile Get(string? name)
    {
        try
        {
            return KernelProfiles.Get(name ?? KernelProfiles.Posted.Name);
        }
        catch (ArgumentException e)
        {
            throw new InputException("--profile", 0, "profile", e.Message);
        }
    }

    /// <summary>The variant of --variant items over the profile.</summary>
    public static Variant Resolve(KernelProfile profile, IEnumerable<string> items)
    {
        try
        {
            return profile.Resolve(Variant.Parse(items).Explicit);
        }
        catch (ArgumentException e)
        {
            throw new InputException("--variant", 0, "variant", e.Message);
        }
    }

    /// <summary>The --variant items alone (Switch=value), as bad input when malformed.</summary>
    public static IReadOnlyDictionary<string, string> Explicit(IEnumerable<string> items) => Resolve(KernelProfiles.Posted, items).Explicit;

    /// <summary>The first operation of the scenario that the profile's kernel does not have, or null.</summary>
    public static OpSpec? MissingOp(KernelProfile profile, ScenarioSpec spec) =>
        spec.Threads.SelectMany(t => t.Ops).FirstOrDefault(o => profile.MissingOps.Contains(OpNames.Name(o.Kind)));

    /// <summary>A scenario that uses an operation the profile's kernel lacks cannot be checked under it: bad input.</summary>
    public static void RequireOps(KernelProfile profile, ScenarioSpec spec)
    {
        if (MissingOp(profile, spec) is { } op)
            throw new InputException(spec.SourcePath, op.Line, "op", $"{OpNames.Name(op.Kind)} cannot run under profile {profile.Name}: {profile.MissingWhy}");
    }

    public static Command ProfilesCommand()
    {
        var json = new Option<bool>("--json") { Description = "print the profiles as JSON" };
        var cmd = new Command("profiles", "list the kernel profiles and their switch values") { json };
        cmd.SetAction(p =>
        {
            if (p.GetValue(json))
            {
                Output.WriteJson(KernelProfiles.All.Select(k => new
                {
                    name = k.Name, meaning = k.Meaning,
                    switches = Switches.All.ToDictionary(s => s.Name, s => k.Resolve().Get(s)),
                    missingOps = k.MissingOps,
                }));
                return ExitCodes.Holds;
            }
            foreach (var k in KernelProfiles.All)
            {
                Console.WriteLine($"{k.Name}: {k.Meaning}");
                var v = k.Resolve();
                foreach (var s in Switches.All)
                    Console.WriteLine($"  {s.Name,-18} {v.Get(s)}{(k.Values.ContainsKey(s.Name) ? "" : "  (switch default)")}");
                if (k.MissingOps.Count > 0) Console.WriteLine($"  not in this kernel: {string.Join(", ", k.MissingOps)} ({k.MissingWhy})");
                Console.WriteLine();
            }
            return ExitCodes.Holds;
        });
        return cmd;
    }
}
