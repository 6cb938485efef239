using ModelCheck.Model.Filesystems;
using ModelCheck.Model.State;

namespace ModelCheck.Model.Steps;

/// <summary>Builds one thread's step program; operations unroll their per-folio loops here.</summary>
public sealed class ProgramBuilder
{
    private readonly List<Step> steps = [];
    private readonly List<OpRange> ops = [];
    private int opStart = -1;
    private string opLabel = "";
    private bool opMayBlock;

    public ProgramBuilder(Geometry geometry) => Geo = geometry;

    public Geometry Geo { get; }

    /// <summary>The file system whose operations the program calls (user threads; actors default to XFS).</summary>
    public FilesystemOps Fs { get; init; } = Filesystems.Filesystems.Xfs;

    /// <summary>The variant the program is built for: a switch that adds or removes a step decides here.</summary>
    public Variants.Variant Variant { get; init; } = Variants.Variant.Default;

    public int Count => steps.Count;

    public Label NewLabel() => new();

    public void Mark(Label label) => label.Index = steps.Count;

    public Label MarkHere()
    {
        var l = new Label();
        Mark(l);
        return l;
    }

    public void Add(
        string function,
        Func<KernelState, int, Guard> check,
        Action<KernelState, StepContext> apply,
        Func<KernelState, int, string>? args = null,
        Func<KernelState, int, int>? alternatives = null,
        bool local = false,
        Func<KernelState, int, bool>? safeWhen = null)
    {
        steps.Add(new Step
        {
            Function = Fs.FunctionName(function),
            Check = check,
            Apply = apply,
            Args = args,
            Alternatives = alternatives,
            Local = local,
            SafeWhen = safeWhen,
        });
    }

    public void BeginOp(string label, bool mayBlock, int discardFrom = 0, int discardTo = 0)
    {
        opStart = steps.Count;
        opLabel = label;
        opMayBlock = mayBlock;
        opDiscard = (discardFrom, discardTo);
    }

    public void EndOp()
    {
        ops.Add(new OpRange(opStart, steps.Count, opLabel, opMayBlock) { DiscardFrom = opDiscard.From, DiscardTo = opDiscard.To });
        opStart = -1;
    }

    private (int From, int To) opDiscard;

    public (Step[] Program, OpRange[] Ops) Build() => ([.. steps], [.. ops]);
}

/// <summary>A broken consistency check of the model's own representation: exit 3, never a verdict.</summary>
public sealed class ModelError(string message) : Exception(message);
