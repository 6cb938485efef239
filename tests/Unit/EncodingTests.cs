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
}
