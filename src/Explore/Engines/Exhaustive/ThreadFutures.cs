using ModelCheck.Model.State;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>
/// What each thread can still read and write from each of its program positions, learned from a
/// complete unreduced search: for every step a thread took from pc p, its recorded footprint is
/// added to p, and p is linked to the pc the step left it at; the future of (thread, p) is then the
/// union over every pc reachable from p in that graph. Learned from every reachable state, it
/// over-approximates what the thread can do next in any of them (a state's locals only narrow
/// it), which is what a persistent set needs and what a search that has not run cannot know.
/// Positions past the end of a program (finished threads) share one node.
/// </summary>
public sealed class ThreadFutures
{
    private readonly int[] programLength;
    private readonly UInt128[][] touched, written;
    private readonly HashSet<int>[][] next;
    private UInt128[][]? futureTouched, futureWritten;

    public ThreadFutures(KernelState initial)
    {
        programLength = [.. initial.Machine.Threads.Select(t => t.Program.Length)];
        touched = [.. programLength.Select(n => new UInt128[n + 1])];
        written = [.. programLength.Select(n => new UInt128[n + 1])];
        next = [.. programLength.Select(n => Enumerable.Range(0, n + 1).Select(_ => new HashSet<int>()).ToArray())];
    }

    /// <summary>The node of thread tid's position in s.</summary>
    public int Node(KernelState s, int tid) => Math.Min(s.Threads[tid].Pc, programLength[tid]);

    /// <summary>Thread tid took a step with footprint f from before to after.</summary>
    public void Learn(KernelState before, int tid, Footprint f, KernelState after)
    {
        int from = Node(before, tid);
        touched[tid][from] |= f.Reads | f.Writes;
        written[tid][from] |= f.Writes;
        next[tid][from].Add(Node(after, tid));
        futureTouched = futureWritten = null;
    }

    /// <summary>Everything thread tid can read or write from its position in s on.</summary>
    public UInt128 Touched(KernelState s, int tid)
    {
        Close();
        return futureTouched![tid][Node(s, tid)];
    }

    /// <summary>Everything thread tid can write from its position in s on.</summary>
    public UInt128 Written(KernelState s, int tid)
    {
        Close();
        return futureWritten![tid][Node(s, tid)];
    }

    private void Close()
    {
        if (futureTouched is not null) return;
        futureTouched = new UInt128[programLength.Length][];
        futureWritten = new UInt128[programLength.Length][];
        for (int t = 0; t < programLength.Length; t++)
        {
            futureTouched[t] = new UInt128[programLength[t] + 1];
            futureWritten[t] = new UInt128[programLength[t] + 1];
            for (int p = 0; p <= programLength[t]; p++)
            {
                var seen = new HashSet<int> { p };
                var work = new Stack<int>([p]);
                while (work.Count > 0)
                {
                    int x = work.Pop();
                    futureTouched[t][p] |= touched[t][x];
                    futureWritten[t][p] |= written[t][x];
                    foreach (int y in next[t][x])
                        if (seen.Add(y)) work.Push(y);
                }
            }
        }
    }
}
