using ModelCheck.Explore.Scenarios;
using ModelCheck.Explore.Traces;
using ModelCheck.Model.Variants;

namespace ModelCheck.Tests.Unit;

public class InputTests
{
    private const string Good = """
        id: t
        file: {block_size: 4K, folio_size: 4K, max_size: 8K, size: 0}
        threads:
          - name: w
            ops:
              - {op: buffered-write, offset: 0, length: 4K}
        expect:
          - default holds
        """;

    [Fact]
    public void AGoodScenarioLoads()
    {
        var s = ScenarioLoader.Parse(Good, "good.yaml");
        Assert.Equal("t", s.Id);
        Assert.Single(s.Expect);
    }

    [Theory]
    [InlineData("op: buffered-write", "op: buffered-wrte", 6, "threads[].ops[].op")]
    [InlineData("max_size: 8K", "max_size: 8Q", 2, "file.max_size")]
    [InlineData("  - default holds", "  - Foo=bar holds", 8, "expect[]")]
    [InlineData("  - default holds", "  - WtAioDioCount=maybe holds", 8, "expect[]")]
    [InlineData("  - default holds", "  - default violates nothing-such", 8, "expect[]")]
    [InlineData("id: t", "id: t\nfrobnicate: 1", 2, "frobnicate")]
    [InlineData("length: 4K", "length: 64K", 6, "length")]
    [InlineData("id: t", "id: ../../escaped-trace", 1, "id")]
    [InlineData("id: t", "id: /tmp/abs", 1, "id")]
    [InlineData("id: t", "id: \"\"", 1, "id")]
    [InlineData("id: t", "id: \"a\\tb\"", 1, "id")]
    [InlineData("id: t", "id: Upper", 1, "id")]
    [InlineData("max_size: 8K", "max_size: 8796093022208K", 2, "file.max_size")]
    [InlineData("block_size: 4K", "block_size: 8M", 2, "file.block_size")]
    [InlineData("block_size: 4K", "block_size: 3K", 2, "file.block_size")]
    [InlineData("folio_size: 4K", "folio_size: 6K", 2, "file.folio_size")]
    [InlineData("length: 4K}", "length: 4K}\nbounds: {max_states: 0}", 7, "bounds.max_states")]
    [InlineData("length: 4K}", "length: 4K}\nactors: {flusher: 2000000000}", 7, "actors.flusher")]
    public void MalformedScenariosNameFileLineAndField(string from, string to, int line, string field)
    {
        var e = Assert.Throws<InputException>(() => ScenarioLoader.Parse(Good.Replace(from, to), "bad.yaml"));
        Assert.Equal("bad.yaml", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.Contains("bad.yaml:", e.Message);
    }

    [Fact]
    public void BrokenYamlSyntaxIsAnInputError()
    {
        var e = Assert.Throws<InputException>(() => ScenarioLoader.Parse("id: [unclosed\nfile: {", "x.yaml"));
        Assert.Equal("yaml", e.Field);
        Assert.True(e.Line > 0);
    }

    [Fact]
    public void UnknownSwitchValuesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Variant.Parse(["WtAioDioCount=sometimes"]));
        Assert.Throws<ArgumentException>(() => Variant.Parse(["NoSuchSwitch=on"]));
        Assert.Throws<ArgumentException>(() => Variant.Parse(["WtAioDioCount"]));
        Assert.Equal(WtAioDioCountMode.On, Variant.Default.Get(Switches.WtAioDioCount));
        Assert.Empty(Variant.Parse(["default"]).Explicit); // --variant default, as an expect line says it
        Assert.Equal("on", Variant.Default.Get((SwitchDef)Switches.WtAioDioCount));
    }

    [Fact]
    public void EverySwitchIsItsEnumAndEveryProfileNamesValuesItHas()
    {
        // the values of a switch are its enum's members, in order, each named by its [Value]
        Assert.Equal(["skip", "global-batch", "per-cpu-batch", "complete-in-task"], Switches.DropbehindIrq.Values);
        Assert.Equal(DropbehindIrqMode.PerCpuBatch, Variant.Parse(["DropbehindIrq=per-cpu-batch"]).Get(Switches.DropbehindIrq));
        Assert.Equal("no-temp-page+merged-flag", Switch<FuseWritebackMode>.NameOf(FuseWritebackMode.NoTempPageMergedFlag));
        foreach (var sw in Switches.All)
            Assert.Contains(sw.Default, sw.Values);
        foreach (var k in KernelProfiles.All)
            Assert.Equal(k.Values.Count, k.Resolve().Explicit.Count); // Resolve throws on a value the switch does not have
    }

    [Fact]
    public void MalformedTraceFilesAreInputErrors()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{ \"schema\": 1, \"choices\": [ }");
            var e = Assert.Throws<InputException>(() => TraceFile.Load(path));
            Assert.Equal(path, e.File);
            File.WriteAllText(path, "{ \"schema\": 7 }");
            Assert.Equal("schema", Assert.Throws<InputException>(() => TraceFile.Load(path)).Field);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
