using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using ModelCheck.Explore.Engines.Generate;
using ModelCheck.Kernel;
using ModelCheck.Model.Filesystems;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Explore.Conformance;

public sealed record ConformOptions(FsSpec Fs, int Tests, ulong Seed, OpKind[] Ops, Variant Variant, ISet<string> Compared, int MaxOps = 12);

/// <summary>A sequence on which the model and the kernel disagree, after the operation at Index.</summary>
public sealed record Disagreement(IReadOnlyList<ConformOp> Ops, int Index, IReadOnlyList<string> Differences, Observation? Model, Observation? Kernel)
{
    /// <summary>The kernel showed the model's outcome in a rerun: its outcome varies from run to run.</summary>
    public bool Nondeterministic { get; init; }

    /// <summary>
    /// The kernel and the model agree on every observable, and the model's invariant flags that
    /// outcome (the message): the kernel does what the invariant forbids.
    /// </summary>
    public string? KernelFinding { get; init; }

    /// <summary>Both sides' observations after each operation up to the disagreement.</summary>
    public IReadOnlyList<(Observation Model, Observation Kernel)> Steps { get; init; } = [];

    public string Table() => string.Join("\n", Steps.Select((st, i) =>
        $"{i + 1,2}. {Ops[i]}\n      model:  {st.Model}\n      kernel: {st.Kernel}"));

    public override string ToString() =>
        $"after op {Index + 1} ({Ops[Index]}) of [{string.Join(", ", Ops)}]:\n  " + string.Join("\n  ", Differences);
}

public sealed record ConformResult(int Tests, int Operations, double Seconds, Disagreement? First, Disagreement? Shrunk, int Disagreeing)
{
    /// <summary>Sequences whose kernel outcome varied between runs (one in three agreed with the model).</summary>
    public List<Disagreement> Nondeterministic { get; init; } = [];

    /// <summary>Sequences where the kernel and the model agree and a model invariant flags the outcome.</summary>
    public List<Disagreement> KernelFindings { get; init; } = [];
}

/// <summary>
/// `modelcheck conform`: FsCheck generates sequential operation sequences; each runs on the model
/// (under the kernel's profile) and on the running kernel, and after every operation every
/// observable both have is compared. A disagreement is shrunk by FsCheck to the shortest sequence.
/// </summary>
public static class Conformance
{
    public static Gen<ConformOp> OpGen(OpKind[] kinds)
    {
        int n = ConformanceGeometry.FileUnits;
        return from kind in Gen.Elements(kinds)
               from off in Gen.Choose(0, n - 1)
               from len in Gen.Choose(1, MaxLength(kind, off))
               from size in Gen.Choose(0, n)
               select new ConformOp(kind, off, len, size);
    }

    /// <summary>
    /// The longest range an operation at off may have. Mmap operations stay in one page. Buffered
    /// writes stay under two pages: the kernel sizes a write's folio by its length
    /// (fgf_set_order), so an 8 KiB write makes one order-1 folio, which the model's fixed 4 KiB
    /// folios cannot show (docs/conformance.md, exclusions).
    /// </summary>
    public static int MaxLength(OpKind kind, int off)
    {
        int n = ConformanceGeometry.FileUnits, page = ConformanceGeometry.PageUnits;
        return kind switch
        {
            OpKind.MmapStore or OpKind.MmapRead => page - (off % page),
            OpKind.BufferedWrite or OpKind.DontcacheWrite => Math.Min(n - off, (2 * page) - 1),
            _ => n - off,
        };
    }

    private static IEnumerable<ConformOp[]> Shrink(ConformOp[] ops)
    {
        for (int i = 0; i < ops.Length; i++) yield return [.. ops.Take(i), .. ops.Skip(i + 1)];
        // then smaller ranges, one operation at a time
        for (int i = 0; i < ops.Length; i++)
            if (ops[i].Length > 1)
                yield return [.. ops.Take(i), ops[i] with { Length = ops[i].Length - 1 }, .. ops.Skip(i + 1)];
    }

    /// <summary>
    /// The model's variant for a file system: the profile, then what the file system's flavour
    /// implies (ext4: no inode lock around buffered reads or fadvise, no XFS completion workqueue),
    /// then the explicit values.
    /// </summary>
    public static Variant ModelVariant(FsSpec fs, KernelProfile profile, IReadOnlyDictionary<string, string> explicitValues)
    {
        var d = new Dictionary<string, string>(profile.Values);
        foreach (var (k, val) in Flavour(fs).ImpliedSwitches) d[k] = val;
        foreach (var (k, val) in explicitValues) d[k] = val;
        return new Variant(d);
    }

    /// <summary>The model's file system for the one the harness mounts.</summary>
    public static FilesystemOps Flavour(FsSpec fs) => Filesystems.Find(fs.Type) ?? Filesystems.Xfs;

    /// <summary>A catalog scenario (written for XFS) as the harness runs it on this file system.</summary>
    public static ScenarioSpec OnFilesystem(ScenarioSpec spec, FsSpec fs) =>
        spec.File.Fs == "xfs" && fs.Type != "xfs" ? spec with { File = spec.File with { Fs = fs.Type } } : spec;

    /// <summary>Compares one sequence; null when the model and the kernel agree after every operation.</summary>
    public static Disagreement? Compare(LoopMount mount, IReadOnlyList<ConformOp> ops, Variant variant, ISet<string> compared)
    {
        List<Observation> model;
        CrashImage? modelCrash = null;
        var flagged = new List<string>();
        try
        {
            model = ModelSide.Run(ops, mount.Fs.BlockSize, variant, out var final, mount.Fs.Type, flagged);
            if (compared.Contains("crash") && CrashImages.Supported(mount.Fs)) modelCrash = CrashImages.Of(final);
        }
        catch (ModelError e)
        {
            return new Disagreement(ops, ops.Count - 1, ["model: " + e.Message], null, null);
        }
        var kernel = Kernel(mount, ops, modelCrash is not null, out var kernelCrash);
        var first = FirstDifference(model, kernel, ops, compared) ?? CrashDifference(ops, modelCrash, kernelCrash, model, kernel);
        // the kernel does exactly what the model does, and the model says that is a bug
        if (first is null)
            return flagged.Count == 0 ? null
                : new Disagreement(ops, ops.Count - 1, ["the kernel agrees with the model, whose " + flagged[0]], model[^1], kernel[^1])
                { KernelFinding = flagged[0], Steps = [.. model.Zip(kernel)] };
        if (flagged.Count > 0) first = first with { Differences = [.. first.Differences, "model: " + flagged[0]] };
        // a kernel outcome that changes from run to run is not the model's to decide: run the
        // sequence again, and if the kernel ever shows what the model shows, call it nondeterministic
        for (int again = 0; again < Reruns; again++)
        {
            var rerun = Kernel(mount, ops, modelCrash is not null, out var rerunCrash);
            if ((FirstDifference(model, rerun, ops, compared) ?? CrashDifference(ops, modelCrash, rerunCrash, model, rerun)) is null)
                return first with { Nondeterministic = true };
        }
        return first;
    }

    /// <summary>The kernel's observations, and its crash image when one is compared (the same run ends in the crash).</summary>
    private static List<Observation> Kernel(LoopMount mount, IReadOnlyList<ConformOp> ops, bool crash, out CrashImage? image)
    {
        image = null;
        if (!crash) return KernelSide.Run(mount, ops);
        var result = KernelSide.RunThenCrash(mount, ops, out var taken);
        image = taken;
        return result;
    }

    /// <summary>The crash images after the last operation, when they are compared and differ.</summary>
    private static Disagreement? CrashDifference(IReadOnlyList<ConformOp> ops, CrashImage? model, CrashImage? kernel, List<Observation> m, List<Observation> k) =>
        model is null || kernel == model ? null
            : new Disagreement(ops, ops.Count - 1, [$"crash: model {model}, kernel {kernel}"], m[^1], k[^1]) { Steps = [.. m.Zip(k)] };

    /// <summary>How often a disagreeing sequence runs again on the kernel before it counts.</summary>
    public const int Reruns = 2;

    private static Disagreement? FirstDifference(List<Observation> model, List<Observation> kernel, IReadOnlyList<ConformOp> ops, ISet<string> compared)
    {
        for (int i = 0; i < ops.Count; i++)
        {
            var d = Observation.Differences(model[i], kernel[i], compared);
            if (d.Count > 0) return new Disagreement(ops, i, d, model[i], kernel[i]) { Steps = [.. model.Zip(kernel).Take(i + 1)] };
        }
        return null;
    }

    public static ConformResult Run(LoopMount mount, ConformOptions o, Action<int, int>? progress = null)
    {
        var sw = Stopwatch.StartNew();
        int evaluated = 0, operations = 0, disagreeing = 0, tests = 0;
        Disagreement? first = null, last = null;
        var varying = new List<Disagreement>();
        var findings = new List<Disagreement>();
        var arb = Arb.From(Gen.Choose(1, o.MaxOps).SelectMany(n => Gen.ArrayOf(OpGen(o.Ops), n)), Shrink);
        var property = Prop.ForAll(arb, ops =>
        {
            evaluated++;
            if (first is null) tests++;
            operations += ops.Length;
            progress?.Invoke(evaluated, disagreeing);
            var d = Compare(mount, ops, o.Variant, o.Compared);
            if (d is null) return true;
            if (d.Nondeterministic)
            {
                varying.Add(d);
                return true;
            }
            if (d.KernelFinding is not null)
            {
                findings.Add(d);
                return true;
            }
            disagreeing++;
            first ??= d;
            last = d;
            return false;
        });
        var config = Config.Quick.WithMaxTest(o.Tests).WithRunner(new QuietRunner()).WithReplay(o.Seed, 0x9E3779B97F4A7C15UL | 1);
        Check.One(config, property);
        // FsCheck's shrink evaluates the property on each candidate: the last failure is the smallest
        return new ConformResult(tests, operations, sw.Elapsed.TotalSeconds, first, last, disagreeing) { Nondeterministic = varying, KernelFindings = findings };
    }
}
