using ModelCheck.Invariants;
using ModelCheck.Model.Scenario;
using ModelCheck.Model.Variants;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ModelCheck.Explore.Scenarios;

/// <summary>Reads a scenario YAML file (see README, "Scenario files") into a <see cref="ScenarioSpec"/>.</summary>
public static class ScenarioLoader
{
    private static readonly System.Text.RegularExpressions.Regex ValidId = new(ScenarioFormat.IdPattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static ScenarioSpec LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new InputException(path, 0, "file", e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InputException(path, 0, "file", e.Message);
        }
        return Parse(text, path);
    }

    public static ScenarioSpec Parse(string text, string path)
    {
        var y = new YamlNodes(path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InputException(path, (int)e.Start.Line, "yaml", e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed streams this way instead of as a YamlException
            throw new InputException(path, LastGoodLine(text), "yaml", "malformed YAML (an unterminated flow collection or quote?)");
        }
        if (stream.Documents.Count != 1)
            throw new InputException(path, stream.Documents.Count == 0 ? 1 : (int)stream.Documents[1].RootNode.Start.Line, "yaml",
                stream.Documents.Count == 0 ? "the file is empty: a scenario is one YAML mapping (docs/scenario-format.md)" : "expected exactly one YAML document");
        var problems = ScenarioValidator.Validate(stream.Documents[0].RootNode);
        if (problems.Count > 0) throw new InputException(path, problems);
        var root = y.Map(stream.Documents[0].RootNode, "scenario");
        y.OnlyKeys(root, "", "id", "title", "race", "description", "file", "threads", "actors", "invariants", "bounds", "expect", "faults", "fault_limit");
        string id = y.Str(root, "id", "");
        // the id names trace and report files: it may not choose a path
        if (!ValidId.IsMatch(id))
        {
            var node = y.Get(root, "id");
            throw new InputException(path, node is null ? 0 : (int)node.Start.Line, "id",
                $"'{(id.Length > 40 ? id[..40] + "..." : id)}' is not a scenario id: at most 100 lowercase letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        var file = ParseFile(y, y.Map(y.Require(root, "file", ""), "file"));
        var threads = ParseThreads(y, y.Seq(y.Require(root, "threads", ""), "threads"));
        var actors = ParseActors(y, y.Get(root, "actors"));
        var invariants = ParseInvariants(y, y.Get(root, "invariants"));
        var bounds = ParseBounds(y, y.Get(root, "bounds"));
        var expect = ParseExpect(y, y.Get(root, "expect"), invariants);
        if (Model.Filesystems.Filesystems.Find(file.Fs) is { } flavour)
            foreach (var e in expect)
                foreach (var name in e.Variant.Keys)
                    if (flavour.RefusesSwitch(name) is { } refused) throw new InputException(path, e.Line, "expect[]", refused);
        var spec = new ScenarioSpec(id, y.Str(root, "title", "", id), y.Str(root, "race", "", ""), y.Str(root, "description", "", ""),
            file, threads, actors, invariants, bounds, expect, path, text, ParseFaults(y, y.Get(root, "faults")),
            y.IntIn(root, "fault_limit", "", 1, 1, 8));
        if (y.Get(root, "fault_limit") is { } limitNode && !spec.Faults!.Any(f => f is "writeback-io-error" or "read-io-error"))
            throw y.Error(limitNode, "fault_limit", "fault_limit bounds the I/O error faults (writeback-io-error, read-io-error); the scenario enables neither");
        try
        {
            MachineBuilder.Build(spec, Variant.Default);
        }
        catch (ScenarioException e)
        {
            throw new InputException(path, e.Line > 0 ? e.Line : LineOfField(root, e.Field), e.Field, e.Message);
        }
        return spec;
    }

    /// <summary>The line of a dotted field ("file.folio_size"), or of its nearest enclosing one, for checks that know no line.</summary>
    private static int LineOfField(YamlMappingNode root, string field)
    {
        YamlNode node = root;
        int line = 1;
        foreach (var part in field.Replace("[]", "", StringComparison.Ordinal).Split('.'))
        {
            if (node is not YamlMappingNode m) break;
            var key = m.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: var v } && v == part);
            if (key is null) break;
            line = (int)key.Start.Line;
            node = m.Children[key];
        }
        return line;
    }

    /// <summary>The line of the last YAML event the parser accepted, for errors it reports without a position.</summary>
    private static int LastGoodLine(string text)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(text));
        int line = 1;
        try
        {
            while (parser.MoveNext())
                if (parser.Current is { } ev) line = (int)ev.End.Line;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            return e is YamlException ye ? (int)ye.Start.Line : line;
        }
        return line;
    }

    private static FileSpec ParseFile(YamlNodes y, YamlMappingNode m)
    {
        y.OnlyKeys(m, "file", "block_size", "folio_size", "max_size", "size", "disk_size", "extents", "cached", "stable_writes", "fs");
        var extents = new List<ExtentSpec>();
        if (y.Get(m, "extents") is { } en)
            foreach (var item in y.Seq(en, "file.extents"))
            {
                var e = y.Map(item, "file.extents[]");
                y.OnlyKeys(e, "file.extents[]", "offset", "length", "type", "data", "cow_prealloc");
                string type = y.Str(e, "type", "file.extents[].");
                var kind = type switch
                {
                    "hole" => ExtentKind.Hole,
                    "delalloc" => ExtentKind.Delalloc,
                    "unwritten" => ExtentKind.Unwritten,
                    "written" => ExtentKind.Written,
                    _ => throw y.Error(y.Get(e, "type"), "file.extents[].type", $"'{type}' is not hole, delalloc, unwritten or written"),
                };
                string data = y.Str(e, "data", "file.extents[].", "W0");
                if (data is not ("W0" or "0" or "Stale"))
                    throw y.Error(y.Get(e, "data"), "file.extents[].data", $"'{data}' must be W0, 0 or Stale");
                if (kind != ExtentKind.Written && y.Get(e, "data") is { } dn)
                    throw y.Error(dn, "file.extents[].data", $"only a written extent holds data (a {type} extent reads as zeros; an unwritten one's disk blocks hold Stale)");
                var extent = new ExtentSpec(y.Size(e, "offset", "file.extents[]."), y.Size(e, "length", "file.extents[]."), kind, data,
                    y.Bool(e, "cow_prealloc", "file.extents[].", false), (int)item.Start.Line);
                if (extents.FirstOrDefault(x => x.Offset < extent.Offset + extent.Length && extent.Offset < x.Offset + x.Length) is { } other)
                    throw y.Error(item, "file.extents[]", $"extent {extent.Offset}+{extent.Length} overlaps the extent {other.Offset}+{other.Length} of line {other.Line}");
                extents.Add(extent);
            }
        var cached = new List<CachedSpec>();
        if (y.Get(m, "cached") is { } cn)
            foreach (var item in y.Seq(cn, "file.cached"))
            {
                var c = y.Map(item, "file.cached[]");
                y.OnlyKeys(c, "file.cached[]", "offset", "length", "dirty", "mapped", "reclaim");
                var range = new CachedSpec(y.Size(c, "offset", "file.cached[]."), y.Size(c, "length", "file.cached[]."),
                    y.Bool(c, "dirty", "file.cached[].", false), y.Bool(c, "mapped", "file.cached[].", false),
                    y.Bool(c, "reclaim", "file.cached[].", false), (int)item.Start.Line);
                if (range.Length == 0)
                    throw y.Error(item, "file.cached[].length", "a cached range must not be empty");
                if (range.Reclaim && !range.Dirty)
                    throw y.Error(y.Get(c, "reclaim"), "file.cached[].reclaim", "PG_reclaim is set on dirty folios only (add dirty: true)");
                if (cached.FirstOrDefault(x => x.Offset < range.Offset + range.Length && range.Offset < x.Offset + x.Length) is { } other)
                    throw y.Error(item, "file.cached[]", $"cached range {range.Offset}+{range.Length} overlaps the range {other.Offset}+{other.Length} of line {other.Line}");
                cached.Add(range);
            }
        long block = y.Size(m, "block_size", "file.", 4096);
        if (block < 512 || block > 65536 || (block & (block - 1)) != 0)
            throw y.Error(y.Get(m, "block_size") ?? m, "file.block_size", $"{block} is not a power of two from 512 to 64K");
        long folio = y.Size(m, "folio_size", "file.", block);
        if (folio < block || (folio & (folio - 1)) != 0)
            throw y.Error(y.Get(m, "folio_size") ?? m, "file.folio_size", $"{folio} is not a power of two of at least block_size ({block})");
        long size = y.Size(m, "size", "file.", 0);
        var diskNode = y.Get(m, "disk_size");
        long? diskSize = diskNode is null ? null : y.Size(m, "disk_size", "file.");
        if (diskNode is not null && diskSize > size)
            throw y.Error(diskNode, "file.disk_size", $"the on-disk size ({diskSize}) must not exceed i_size ({size}): the in-core size is never below it");
        return new FileSpec(block, folio, y.Size(m, "max_size", "file."), size, extents, cached,
            y.Bool(m, "stable_writes", "file.", false), ParseFs(y, m), diskSize);
    }

    private static string ParseFs(YamlNodes y, YamlMappingNode m)
    {
        string fs = y.Str(m, "fs", "file.", "xfs");
        return Model.Filesystems.Filesystems.Find(fs) is not null
            ? fs
            : throw y.Error(y.Get(m, "fs"), "file.fs", $"'{fs}' must be one of {string.Join(", ", Model.Filesystems.Filesystems.All.Select(f => f.Name))}");
    }

    private static List<ThreadSpec> ParseThreads(YamlNodes y, YamlSequenceNode seq)
    {
        var threads = new List<ThreadSpec>();
        foreach (var item in seq)
        {
            var t = y.Map(item, "threads[]");
            y.OnlyKeys(t, "threads[]", "name", "ops");
            string name = y.Str(t, "name", "threads[].");
            if (threads.Any(x => x.Name == name) || name is "flusher" or "IRQ" or "wq" or "bio-task" || name.StartsWith("server", StringComparison.Ordinal))
                throw y.Error(y.Get(t, "name"), "threads[].name", $"thread name '{name}' is already used");
            var ops = new List<OpSpec>();
            foreach (var on in y.Seq(y.Require(t, "ops", "threads[]."), "threads[].ops"))
            {
                var o = y.Map(on, "threads[].ops[]");
                y.OnlyKeys(o, "threads[].ops[]", "op", "offset", "length", "size", "may_block");
                string opName = y.Str(o, "op", "threads[].ops[].");
                if (!OpNames.ByName.TryGetValue(opName, out var kind))
                    throw y.Error(y.Get(o, "op"), "threads[].ops[].op", $"unknown operation '{opName}' (known: {string.Join(", ", OpNames.ByName.Keys)})");
                bool range = OpNames.HasRange(kind);
                ops.Add(new OpSpec(kind,
                    range ? y.Size(o, "offset", "threads[].ops[].") : 0,
                    range ? y.Size(o, "length", "threads[].ops[].") : 0,
                    kind == OpKind.Truncate ? y.Size(o, "size", "threads[].ops[].") : 0,
                    y.Bool(o, "may_block", "threads[].ops[].", false),
                    (int)on.Start.Line));
            }
            if (ops.Count == 0) throw y.Error(item, "threads[].ops", "a thread needs at least one operation");
            threads.Add(new ThreadSpec(name, ops));
        }
        if (threads.Count == 0) throw y.Error(seq, "threads", "at least one thread is needed");
        return threads;
    }

    private static ActorsSpec ParseActors(YamlNodes y, YamlNode? node)
    {
        if (node is null) return new ActorsSpec(0, "irq", "v2");
        var m = y.Map(node, "actors");
        y.OnlyKeys(m, "actors", "flusher", "device", "memcg", "fuse_server", "dropbehind_batch");
        string device = y.Str(m, "device", "actors.", "irq");
        if (device is not ("irq" or "task")) throw y.Error(y.Get(m, "device"), "actors.device", $"'{device}' must be irq or task");
        string memcg = y.Str(m, "memcg", "actors.", "v2");
        if (memcg is not ("v2" or "legacy")) throw y.Error(y.Get(m, "memcg"), "actors.memcg", $"'{memcg}' must be v2 or legacy");
        int serverThreads = 1;
        bool answers = true;
        if (y.Get(m, "fuse_server") is { } sn)
        {
            var sm = y.Map(sn, "actors.fuse_server");
            y.OnlyKeys(sm, "actors.fuse_server", "threads", "behaviour");
            serverThreads = y.Int(sm, "threads", "actors.fuse_server.", 1);
            if (serverThreads is < 1 or > 4) throw y.Error(y.Get(sm, "threads"), "actors.fuse_server.threads", "must be 1..4");
            string beh = y.Str(sm, "behaviour", "actors.fuse_server.", "answers");
            answers = beh switch
            {
                "answers" or "slow" => true,
                "never" => false,
                _ => throw y.Error(y.Get(sm, "behaviour"), "actors.fuse_server.behaviour", $"'{beh}' must be answers, slow or never"),
            };
        }
        int batch = y.Int(m, "dropbehind_batch", "actors.", 2);
        if (batch is < 1 or > 31) throw y.Error(y.Get(m, "dropbehind_batch"), "actors.dropbehind_batch", "must be 1..31 (the kernel's batch holds 31)");
        return new ActorsSpec(y.IntIn(m, "flusher", "actors.", 0, 0, 16), device, memcg, serverThreads, answers, batch);
    }

    private static List<string> ParseInvariants(YamlNodes y, YamlNode? node)
    {
        if (node is null) return [.. InvariantCatalog.DefaultIds];
        var list = new List<string>();
        foreach (var item in y.Seq(node, "invariants"))
        {
            string id = y.Scalar(item, "invariants[]");
            if (InvariantCatalog.Find(id) is null)
                throw y.Error(item, "invariants[]", $"unknown invariant '{id}' (known: {string.Join(", ", InvariantCatalog.All.Select(i => i.Id))})");
            list.Add(id);
        }
        return list;
    }

    private static List<string> ParseFaults(YamlNodes y, YamlNode? node)
    {
        var list = new List<string>();
        if (node is null) return list;
        foreach (var item in y.Seq(node, "faults"))
        {
            string f = y.Scalar(item, "faults[]");
            if (!ScenarioSpec.KnownFaults.Contains(f))
                throw y.Error(item, "faults[]", $"unknown fault '{f}' (known: {string.Join(", ", ScenarioSpec.KnownFaults)})");
            list.Add(f);
        }
        return list;
    }

    private static BoundsSpec ParseBounds(YamlNodes y, YamlNode? node)
    {
        if (node is null) return new BoundsSpec(400, 2_000_000);
        var m = y.Map(node, "bounds");
        y.OnlyKeys(m, "bounds", "max_depth", "max_states");
        return new BoundsSpec(y.IntIn(m, "max_depth", "bounds.", 400, 1, 1_000_000), y.IntIn(m, "max_states", "bounds.", 2_000_000, 1, 1_000_000_000));
    }

    private static List<ExpectSpec> ParseExpect(YamlNodes y, YamlNode? node, List<string> invariants)
    {
        var list = new List<ExpectSpec>();
        if (node is null) return list;
        foreach (var item in y.Seq(node, "expect"))
        {
            string text = y.Scalar(item, "expect[]").Trim();
            var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            bool ok = (words.Length == 2 && words[1] == "holds") || (words.Length == 3 && words[1] == "violates");
            if (!ok) throw y.Error(item, "expect[]", $"'{text}' is not '<Switch=value,...|default> holds' or '... violates <invariant>'");
            Variant variant;
            try
            {
                variant = words[0] == "default" ? Variant.Default : Variant.Parse([words[0]]);
            }
            catch (ArgumentException e)
            {
                throw y.Error(item, "expect[]", e.Message);
            }
            string? violates = words.Length == 3 ? words[2] : null;
            if (violates is not null && violates != "folio-flags" && !invariants.Contains(violates))
                throw y.Error(item, "expect[]", $"'{violates}' is not among the scenario's invariants (folio-flags, the kernel's assertions, is always checked)");
            list.Add(new ExpectSpec(variant.Explicit, violates, (int)item.Start.Line, text));
        }
        return list;
    }
}
