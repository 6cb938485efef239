using ModelCheck.Model.State;
using ModelCheck.Model.Steps;

namespace ModelCheck.Explore.Exhaustive;

/// <summary>A stored state of the search: its parent, the step that led to it, and its depth.</summary>
internal readonly record struct SearchNode(int Parent, byte Tid, byte Alt, int Depth)
{
    /// <summary>Rebuilds the choices from the root to node id, naming each step's function.</summary>
    public static List<Choice> Path(List<SearchNode> nodes, int id, KernelState initial)
    {
        var rev = new List<(int Tid, int Alt)>();
        for (int n = id; nodes[n].Parent >= 0; n = nodes[n].Parent) rev.Add((nodes[n].Tid, nodes[n].Alt));
        rev.Reverse();
        var choices = new List<Choice>(rev.Count);
        var s = initial;
        foreach (var (tid, alt) in rev)
        {
            s = Semantics.Execute(s, tid, alt, out var ctx, out var step);
            choices.Add(new Choice(s.Machine.Threads[tid].Name, alt, ctx.Function ?? step.Function));
        }
        return choices;
    }
}
