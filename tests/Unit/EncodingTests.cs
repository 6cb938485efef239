using ModelCheck.Explore.Runs;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.State;
using ModelCheck.Model.Steps;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

/// <summary>
/// The fingerprint set treats equal encodings as equal states, so the encoding must be injective:
/// decoding it gives back a state that encodes to the same bytes and behaves the same way.
/// </summary>
public class EncodingTests
{
    public static TheoryData<string, int> Rows()
    {
        var data = new TheoryData<string, int>();
        foreach (var spec in Catalog.Locate().LoadAll())
            for (int i = 0; i < spec.Expect.Count; i++) data.Add(spec.Id, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void EveryStateOfARandomRunRoundTrips(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var s = MachineBuilder.Build(spec, new Variant(spec.Expect[index].Variant));
        var rng = new Random(id.Length * 31 + index);
        var enabled = new List<(int Tid, int Alt)>();
        for (int k = 0; k < 300; k++)
        {
            var bytes = s.EncodeToArray();
            var back = StateDecoder.Decode(s.Machine, bytes);
            Assert.Equal(bytes, back.EncodeToArray());
            Semantics.Enabled(s, enabled);
            var again = new List<(int Tid, int Alt)>();
            Semantics.Enabled(back, again);
            Assert.Equal(enabled, again);
            if (enabled.Count == 0) break;
            var (tid, alt) = enabled[rng.Next(enabled.Count)];
            var next = Semantics.Execute(s, tid, alt, out _, out _);
            Assert.Equal(next.EncodeToArray(), Semantics.Execute(back, tid, alt, out _, out _).EncodeToArray());
            s = next;
        }
    }

    /// <summary>
    /// The search encodes a successor from its parent's encoding, copying the parts the step did
    /// not change (<see cref="KernelState.EncodeFrom"/>): those bytes must be exactly the full
    /// encoding, for every successor of every state of a random run, merged local steps included.
    /// </summary>
    [Theory]
    [MemberData(nameof(Rows))]
    public void ASuccessorEncodedFromItsParentsPartsEqualsItsFullEncoding(string id, int index)
    {
        var spec = Catalog.Locate().Resolve(id);
        var s = MachineBuilder.Build(spec, new Variant(spec.Expect[index].Variant));
        var rng = new Random(id.Length * 17 + index);
        var enabled = new List<(int Tid, int Alt)>();
        var parts = new int[KernelState.PartCount + 1];
        for (int k = 0; k < 200; k++)
        {
            var bytes = s.EncodeToArray();
            var parent = StateDecoder.Decode(s.Machine, bytes, parts);
            Assert.Equal(bytes.Length, parts[KernelState.PartCount]);
            Semantics.Enabled(parent, enabled);
            if (enabled.Count == 0) break;
            foreach (var (tid, alt) in enabled)
                foreach (var next in new[] { Semantics.Execute(parent, tid, alt, out _, out _), Semantics.ExecuteMerged(parent, tid, alt, out _, out _) })
                {
                    var e = new Encoder(new byte[64]);
                    next.EncodeFrom(ref e, parent, bytes, parts);
                    Assert.Equal(next.EncodeToArray(), e.Written.ToArray());
                }
            var (t, a) = enabled[rng.Next(enabled.Count)];
            s = Semantics.Execute(parent, t, a, out _, out _);
        }
    }
}
