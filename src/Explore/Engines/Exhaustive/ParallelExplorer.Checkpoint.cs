using ModelCheck.Model.State;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>Checkpoints of a long search: what is written, when, and how a search resumes from one.</summary>
public sealed partial class ParallelExplorer
{
    /// <summary>
    /// A file the search writes its progress to (the visited set, every stored node, the frontier's
    /// encodings and the counters) every <see cref="CheckpointEvery"/> and when <see cref="Interrupt"/>
    /// fires; with <see cref="Resume"/> the search continues from it. The merge order does not depend
    /// on timing, so a resumed search ends with the same states, transitions, verdict and trace.
    /// </summary>
    public string? CheckpointFile { get; init; }

    public TimeSpan CheckpointEvery { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Names what is searched (scenario, variant, bounds, reduction): a checkpoint resumes only the same search.</summary>
    public string CheckpointKey { get; init; } = "";

    /// <summary>Continue from <see cref="CheckpointFile"/> instead of starting at the initial state.</summary>
    public bool Resume { get; init; }

    /// <summary>SIGINT/SIGTERM: write a checkpoint (when there is a file) and stop with an incomplete result.</summary>
    public CancellationToken Interrupt { get; init; }

    /// <summary>After a run: it stopped because <see cref="Interrupt"/> fired.</summary>
    public bool Interrupted { get; private set; }

    /// <summary>After a run: checkpoints written.</summary>
    public int CheckpointsWritten { get; private set; }

    private const string CheckpointMagic = "modelcheck-checkpoint/1";

    private void WriteCheckpoint(SearchTree tree, int next)
    {
        string tmp = CheckpointFile + ".tmp";
        using (var w = new BinaryWriter(File.Create(tmp)))
        {
            w.Write(CheckpointMagic);
            w.Write(CheckpointKey);
            w.Write(next);
            tree.Write(w);
            for (int id = next; id < tree.Count; id++)
            {
                w.Write(DepthOf(id));
                var bytes = store.Copy(id);
                w.Write(bytes.Length);
                w.Write(bytes);
            }
        }
        File.Move(tmp, CheckpointFile!, overwrite: true);
        CheckpointsWritten++;
    }

    /// <summary>The tree and frontier a checkpoint holds, published as the workers expect; the id to merge next.</summary>
    private (SearchTree Tree, int Next) ReadCheckpoint(KernelState initial)
    {
        using var r = new BinaryReader(File.OpenRead(CheckpointFile!));
        if (r.ReadString() != CheckpointMagic) throw new InvalidDataException("not a modelcheck checkpoint");
        string key = r.ReadString();
        if (key != CheckpointKey) throw new InvalidDataException($"the checkpoint is of another search ({key})");
        int next = r.ReadInt32();
        var tree = SearchTree.Read(r, initial, bounds, merge: PartialOrder, mergePrivate: PartialOrder && PrivateSteps, mergeSafe: SafeSteps);
        if (next < 0 || next > tree.Count) throw new InvalidDataException($"next id {next} of {tree.Count}");
        for (int id = next; id < tree.Count; id++)
        {
            int depth = r.ReadInt32();
            int length = r.ReadInt32();
            if (length is < 0 or > ushort.MaxValue) throw new InvalidDataException($"a state of {length} bytes");
            Publish(id, r.ReadBytes(length), depth);
        }
        return (tree, next);
    }
}
