using System.IO.Hashing;
using ModelCheck.Model.State;

namespace ModelCheck.Explore.Engines.Exhaustive;

/// <summary>128-bit fingerprint of a state's canonical encoding (XxHash128).</summary>
public sealed class Fingerprinter
{
    private byte[] buffer = new byte[512];
    private int length;

    public UInt128 Of(KernelState s)
    {
        var e = new Encoder(buffer);
        s.Encode(ref e);
        return Keep(ref e);
    }

    /// <summary>
    /// The fingerprint of a successor of parent, encoded from the parent's encoding (parentBytes,
    /// its parts at parentParts) where they still share parts: the same bytes and fingerprint as
    /// <see cref="Of(KernelState)"/>.
    /// </summary>
    public UInt128 Of(KernelState s, KernelState parent, ReadOnlySpan<byte> parentBytes, ReadOnlySpan<int> parentParts)
    {
        var e = new Encoder(buffer);
        s.EncodeFrom(ref e, parent, parentBytes, parentParts);
        return Keep(ref e);
    }

    /// <summary>Keeps the encoding (and the buffer, should it have grown) and hashes it.</summary>
    private UInt128 Keep(ref Encoder e)
    {
        buffer = e.Buffer;
        length = e.Length;
        return XxHash128.HashToUInt128(e.Written);
    }

    /// <summary>The encoding the last <see cref="Of(KernelState)"/> hashed, valid until the next call.</summary>
    public ReadOnlySpan<byte> Last => buffer.AsSpan(0, length);
}
