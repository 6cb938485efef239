using FsCheck;
using FsCheck.Fluent;
using ModelCheck.Explore.Traces;

namespace ModelCheck.Tests.Properties;

/// <summary>The race diagram's word wrap: no line wider than asked, and no character lost or reordered.</summary>
public class RaceDiagramWrapProperties
{
    private static readonly Gen<string> Texts =
        Gen.Elements("iomap_writethrough_complete_work", "(", ")", ",", " ", "i_size", "->", "8K", "x", "folio_end_dropbehind", "  ", "a_b_c_d_e_f_g_h_i_j_k_l_m_n")
            .ListOf().Select(parts => string.Concat(parts));

    [Fact]
    public void WrappedLinesFitAndKeepEveryCharacter()
    {
        var property = Prop.ForAll(Texts.ToArbitrary(), Gen.Choose(8, 60).ToArbitrary(), (text, width) =>
        {
            var lines = RaceDiagram.Wrap(text, width, "  ");
            bool fit = lines.All(l => l.Length <= width);
            string kept = string.Concat(lines).Replace(" ", "");
            return fit && kept == text.Replace(" ", "");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), property);
    }
}
