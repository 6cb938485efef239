namespace ModelCheck.Model.State;

/// <summary>
/// The SPIN peer model's own part of the state (its trunc_seq), kept out of the kernel's inode.
/// Encoded as the last part (<see cref="KernelState"/>'s part table); always zero in kernel scenarios.
/// </summary>
public sealed partial class KernelState
{
    /// <summary>The peer model's trunc_seq (BenchFix): bumped by its truncate, sampled by its flusher.</summary>
    private byte peerTruncSeq;

    public byte PeerTruncSeq
    {
        get
        {
            Recording?.Read(Footprint.Peer);
            return peerTruncSeq;
        }
        set
        {
            Recording?.Write(Footprint.Peer);
            peerTruncSeq = value;
        }
    }
}
