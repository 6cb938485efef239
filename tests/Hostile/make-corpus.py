#!/usr/bin/env python3
"""Writes the hostile input corpus: malformed scenario files and traces, each of which modelcheck
must reject as bad input (exit 2, a file:line message), never run, crash or hang on.

Every case is a small edit of a valid base file (base.yaml, base.json), named after what it
breaks. Run from anywhere: python3 tests/Hostile/make-corpus.py (it rewrites scenarios/ and
traces/ beside it). HostileCorpusTests reads what this writes.
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = open(os.path.join(HERE, "base.yaml")).read()
TRACE = json.load(open(os.path.join(HERE, "base.json")))

scenarios = {}
traces = {}


def case(name, text):
    assert name not in scenarios, name
    assert text != BASE, name
    scenarios[name] = text


def edit(name, old, new, count=1):
    assert old in BASE, (name, old)
    case(name, BASE.replace(old, new, count))


# --- YAML itself --------------------------------------------------------------------------
case("empty-file", "")
case("only-a-comment", "# nothing here\n")
case("not-a-mapping-list", "- a\n- b\n")
case("not-a-mapping-scalar", "just text\n")
case("two-documents", BASE + "---\n" + BASE)
case("trailing-sequence-entry", BASE + "- ")  # YamlDotNet threw ArgumentException here (found by HostileMutationProperties)
case("unclosed-flow-mapping", BASE.replace("{block_size: 4K,", "{block_size: 4K", 1).replace("max_size: 16K}", "max_size: 16K", 1))
case("unclosed-quote", BASE.replace("title: hostile base", "title: \"hostile base", 1))
case("tab-indentation", BASE.replace("  - name: writer", "\t- name: writer", 1))
case("bad-indentation", BASE.replace("    ops:", "      ops:", 1))
case("binary-garbage", "\x00\x01\x02\xff" * 20)
case("alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n" + BASE)
case("anchor-as-value", BASE.replace("id: hostile-base", "id: &x hostile-base\ntitle2: *x", 1))
case("duplicate-top-key", BASE.replace("title: hostile base", "title: hostile base\ntitle: again", 1))
case("duplicate-file-key", BASE.replace("max_size: 16K", "max_size: 16K, max_size: 8K", 1))
case("very-long-id", BASE.replace("id: hostile-base", "id: " + "x" * 200000, 1))
case("id-256-chars", BASE.replace("id: hostile-base", "id: " + "a" * 256, 1))
for cut in (10, 40, 80, 120, 200, 300, 400, 500):
    if cut < len(BASE):
        case(f"truncated-at-{cut}", BASE[:cut])

# --- the id ------------------------------------------------------------------------------
for n, v in [("empty", '""'), ("dotdot", "../../escaped-trace"), ("absolute", "/tmp/abs"), ("slash", "a/b"),
             ("upper", "Upper"), ("space", '"a b"'), ("tab", '"a\\tb"'), ("newline", '"a\\nb"'), ("dot-first", ".hidden"),
             ("dash-first", "-x"), ("unicode", "caf\u00e9"), ("list", "[a, b]"), ("map", "{a: b}"), ("nul", '"a\\0b"'),
             ("backslash", '"a\\\\b"'), ("null", "~")]:
    edit(f"id-{n}", "id: hostile-base", f"id: {v}")
edit("id-missing", "id: hostile-base\n", "")

# --- unknown and misplaced fields -------------------------------------------------------------
edit("unknown-top-field", "title: hostile base", "title: hostile base\nfrobnicate: 1")
edit("unknown-file-field", "max_size: 16K", "max_size: 16K, colour: red")
edit("unknown-extent-field", "type: written}", "type: written, owner: me}")
edit("unknown-cached-field", "dirty: true}", "dirty: true, hot: yes}")
edit("unknown-thread-field", "  - name: writer", "  - name: writer\n    nice: 5")
edit("unknown-op-field", "{op: buffered-write, offset: 0, length: 4K}", "{op: buffered-write, offset: 0, length: 4K, flags: 3}")
edit("unknown-actor-field", "flusher: 1", "flusher: 1, kswapd: 2")
edit("unknown-bounds-field", "max_depth: 300", "max_depth: 300, max_time: 5")
edit("offset-on-fsync", "{op: fsync}", "{op: fsync, offset: 0}")
edit("length-on-sync", "{op: sync}", "{op: sync, length: 4K}")
edit("size-on-write", "{op: buffered-write, offset: 0, length: 4K}", "{op: buffered-write, offset: 0, length: 4K, size: 4K}")
edit("offset-on-truncate", "{op: truncate, size: 4K}", "{op: truncate, size: 4K, offset: 0}")
edit("data-on-hole", "{offset: 8K, length: 4K, type: hole}", "{offset: 8K, length: 4K, type: hole, data: W0}")
edit("data-on-unwritten", "{offset: 4K, length: 4K, type: unwritten}", "{offset: 4K, length: 4K, type: unwritten, data: Stale}")
edit("reclaim-on-clean", "{offset: 0, length: 4K, dirty: true}", "{offset: 0, length: 4K, dirty: false, reclaim: true}")

# --- missing required fields --------------------------------------------------------------
edit("file-missing", "file: {block_size: 4K, folio_size: 4K, max_size: 16K, size: 8K,\n", "filx: {block_size: 4K, folio_size: 4K, max_size: 16K, size: 8K,\n")
edit("threads-missing", "threads:", "threadz:")
edit("max-size-missing", "max_size: 16K, ", "")
edit("thread-name-missing", "  - name: writer\n", "  - nome: writer\n")
edit("ops-missing", "    ops:\n      - {op: buffered-write", "    opz:\n      - {op: buffered-write")
edit("op-missing", "{op: fsync}", "{kind: fsync}")
edit("length-missing", "{op: buffered-write, offset: 0, length: 4K}", "{op: buffered-write, offset: 0}")
edit("size-missing", "{op: truncate, size: 4K}", "{op: truncate}")
edit("extent-type-missing", "type: written}", "}")
edit("threads-empty", "threads:\n", "threads: []\nxthreads:\n")
edit("ops-empty", "    ops:\n      - {op: buffered-write, offset: 0, length: 4K}\n      - {op: fsync}\n", "    ops: []\n")

# --- wrong types ---------------------------------------------------------------------------
edit("file-is-list", "file: {block_size: 4K, folio_size: 4K, max_size: 16K, size: 8K,", "file: [{block_size: 4K, folio_size: 4K, max_size: 16K, size: 8K,")
edit("threads-is-map", "threads:\n  - name: writer", "threads:\n  name: writer")
edit("ops-is-scalar", "    ops:\n      - {op: buffered-write, offset: 0, length: 4K}\n      - {op: fsync}\n", "    ops: buffered-write\n")
edit("invariants-is-scalar", "invariants: [lost-write, stale-data, isize-regression, folio-flags]", "invariants: lost-write")
edit("expect-is-scalar", "expect:\n  - default holds", "expect: default holds")
edit("bounds-is-list", "bounds: {max_depth: 300, max_states: 500000}", "bounds: [300, 500000]")
edit("actors-is-scalar", "actors: {flusher: 1, device: irq}", "actors: irq")
edit("size-is-list", "size: 8K,", "size: [8K],")
edit("offset-is-map", "{op: buffered-write, offset: 0, length: 4K}", "{op: buffered-write, offset: {at: 0}, length: 4K}")
edit("may-block-is-number", "{op: fsync}", "{op: fsync, may_block: 2}")
edit("stable-writes-is-word", "max_size: 16K,", "max_size: 16K, stable_writes: maybe,")
edit("cow-prealloc-is-number", "type: written}", "type: written, cow_prealloc: 1}")
edit("op-is-number", "{op: fsync}", "{op: 7}")
edit("name-is-list", "  - name: writer", "  - name: [writer]")

# --- numbers -------------------------------------------------------------------------------
for n, v in [("negative", "-4K"), ("float", "4.5K"), ("hex", "0x1000"), ("2-pow-43", "8796093022208"), ("2-pow-44-k", "17179869184K"),
             ("huge-m", "99999999M"), ("word", "four"), ("unit-g", "4G"), ("empty", '""'), ("plus", "+4K")]:
    edit(f"max-size-{n}", "max_size: 16K", f"max_size: {v}")
for n, v in [("zero", "0"), ("3k", "3K"), ("8g", "8G"), ("1", "1"), ("128k", "128K"), ("256", "256"), ("negative", "-4K")]:
    edit(f"block-size-{n}", "block_size: 4K", f"block_size: {v}")
for n, v in [("6k", "6K"), ("2k-below-block", "2K"), ("64k-too-many-blocks", "64K"), ("zero", "0")]:
    edit(f"folio-size-{n}", "folio_size: 4K", f"folio_size: {v}")
edit("max-size-not-folio-multiple", "max_size: 16K", "max_size: 14K")
edit("size-above-max", "size: 8K,", "size: 20K,")
edit("extent-past-max", "{offset: 8K, length: 4K, type: hole}", "{offset: 12K, length: 8K, type: hole}")
edit("extent-unaligned", "{offset: 8K, length: 4K, type: hole}", "{offset: 9K, length: 3K, type: hole}")
edit("extent-zero-length", "{offset: 8K, length: 4K, type: hole}", "{offset: 8K, length: 0, type: hole}")
edit("extents-overlap", "{offset: 8K, length: 4K, type: hole}", "{offset: 0, length: 8K, type: hole}")
edit("cached-past-max", "{offset: 0, length: 4K, dirty: true}", "{offset: 12K, length: 8K, dirty: true}")
edit("cached-unaligned", "{offset: 0, length: 4K, dirty: true}", "{offset: 1K, length: 4K, dirty: true}")
edit("cached-zero-length", "{offset: 0, length: 4K, dirty: true}", "{offset: 0, length: 0, dirty: true}")
edit("cached-overlap", "cached: [{offset: 0, length: 4K, dirty: true}]", "cached: [{offset: 0, length: 4K, dirty: true}, {offset: 0, length: 8K}]")
edit("write-past-max", "{op: buffered-write, offset: 0, length: 4K}", "{op: buffered-write, offset: 12K, length: 8K}")
edit("write-zero-length", "{op: buffered-write, offset: 0, length: 4K}", "{op: buffered-write, offset: 0, length: 0}")
edit("truncate-past-max", "{op: truncate, size: 4K}", "{op: truncate, size: 32K}")
edit("mmap-store-two-pages", "{op: mmap-store, offset: 0, length: 1K}", "{op: mmap-store, offset: 0, length: 8K}")
edit("flusher-huge", "flusher: 1", "flusher: 2000000000")
edit("flusher-negative", "flusher: 1", "flusher: -1")
edit("flusher-17", "flusher: 1", "flusher: 17")
edit("batch-zero", "flusher: 1,", "flusher: 1, dropbehind_batch: 0,")
edit("batch-32", "flusher: 1,", "flusher: 1, dropbehind_batch: 32,")
edit("bounds-states-zero", "max_states: 500000", "max_states: 0")
edit("bounds-depth-zero", "max_depth: 300", "max_depth: 0")
edit("bounds-depth-negative", "max_depth: 300", "max_depth: -1")
edit("bounds-states-huge", "max_states: 500000", "max_states: 99999999999")
edit("bounds-states-float", "max_states: 500000", "max_states: 1e6")

# --- enumerations ----------------------------------------------------------------------------
edit("op-unknown", "{op: fsync}", "{op: fsyncc}")
edit("op-bench-outside-bench", "{op: fsync}", "{op: bench-flusher}")
edit("extent-type-unknown", "type: written}", "type: writen}")
edit("data-unknown", "type: written}", "type: written, data: W7}")
edit("fs-unknown", "max_size: 16K,", "max_size: 16K, fs: btrfs,")
edit("device-unknown", "device: irq", "device: softirq")
edit("memcg-unknown", "device: irq", "device: irq, memcg: v3")
edit("server-threads-zero", "device: irq", "device: irq, fuse_server: {threads: 0}")
edit("server-behaviour-unknown", "device: irq", "device: irq, fuse_server: {behaviour: sometimes}")
edit("invariant-unknown", "folio-flags]", "folio-flags, no-such-invariant]")
edit("fault-unknown", "bounds:", "faults: [disk-on-fire]\nbounds:")
edit("thread-name-duplicate", "  - name: reader", "  - name: writer")
edit("thread-name-reserved-flusher", "  - name: reader", "  - name: flusher")
edit("thread-name-reserved-irq", "  - name: reader", "  - name: IRQ")
edit("thread-name-server", "  - name: reader", "  - name: server0")
edit("too-many-threads", "  - name: reader", "".join(f"  - name: t{i}\n    ops: [{{op: fsync}}]\n" for i in range(40)) + "  - name: reader")

# --- expect lines ----------------------------------------------------------------------------
for n, v in [("no-verdict", "default"), ("hold", "default hold"), ("violates-nothing", "default violates"),
             ("unknown-switch", "NoSuchSwitch=on holds"), ("unknown-value", "WtAioDioCount=maybe holds"),
             ("not-an-assignment", "WtAioDioCount holds"), ("empty-assignment", "=on holds"), ("comma-only", ", holds"),
             ("invariant-not-listed", "default violates dropbehind-leak"), ("invariant-unknown", "default violates nonsense"),
             ("extra-words", "default holds really"), ("empty", '""'), ("list", "[default, holds]")]:
    edit(f"expect-{n}", "  - default holds", f"  - {v}")

# --- traces ---------------------------------------------------------------------------------
def tcase(name, obj):
    assert name not in traces, name
    traces[name] = obj if isinstance(obj, str) else json.dumps(obj, indent=2)


def tedit(name, **changes):
    t = json.loads(json.dumps(TRACE))
    for k, v in changes.items():
        if v is DELETE:
            t.pop(k, None)
        else:
            t[k] = v
    tcase(name, t)


DELETE = object()
text = json.dumps(TRACE, indent=2)
tcase("trace-empty", "")
tcase("trace-not-json", "this is not json")
tcase("trace-json-array", "[1, 2, 3]")
tcase("trace-json-null", "null")
tcase("trace-json-number", "42")
for cut in (5, 50, 200, 600, len(text) // 2, len(text) - 3):
    tcase(f"trace-truncated-at-{cut}", text[:cut])
tcase("trace-garbage-bytes", "\x00\xff\xfe" * 30)
tcase("trace-deep-nesting", "[" * 5000 + "]" * 5000)
tcase("trace-coyote-sidecar", {"TestName": "", "CoyoteVersion": "1.7.11.0", "Settings": {"Strategy": "random"}})
tedit("trace-schema-0", schema=0)
tedit("trace-schema-99", schema=99)
tedit("trace-schema-string", schema="1")
tedit("trace-schema-missing", schema=DELETE)
tedit("trace-scenario-missing", scenario=DELETE)
tedit("trace-scenario-empty", scenario="")
tedit("trace-scenario-number", scenario=5)
tedit("trace-scenario-malformed", scenario="id: x\nfile: {")
tedit("trace-scenario-invalid", scenario=TRACE["scenario"].replace("max_size: 8K", "max_size: 8Q"))
tedit("trace-scenario-other", scenario=BASE)
tedit("trace-choices-missing", choices=DELETE)
tedit("trace-choices-null", choices=None)
tedit("trace-choices-scalar", choices="all of them")
tedit("trace-choice-null", choices=[None] + TRACE["choices"][1:])
tedit("trace-choice-scalar", choices=[3] + TRACE["choices"][1:])
first = TRACE["choices"][0]
tedit("trace-choice-unknown-thread", choices=[dict(first, thread="nobody")] + TRACE["choices"][1:])
tedit("trace-choice-wrong-function", choices=[dict(first, function="not_a_kernel_function")] + TRACE["choices"][1:])
tedit("trace-choice-alt-negative", choices=[dict(first, alt=-1)] + TRACE["choices"][1:])
tedit("trace-choice-alt-huge", choices=[dict(first, alt=2**31 - 1)] + TRACE["choices"][1:])
tedit("trace-choice-alt-string", choices=[dict(first, alt="zero")] + TRACE["choices"][1:])
tedit("trace-choice-alt-overflow", choices=[dict(first, alt=2**40)] + TRACE["choices"][1:])
tedit("trace-choices-swapped", choices=[TRACE["choices"][1], TRACE["choices"][0]] + TRACE["choices"][2:])
tedit("trace-choices-extra-step", choices=TRACE["choices"] + [TRACE["choices"][-1]])
tedit("trace-choice-thread-missing", choices=[{k: v for k, v in first.items() if k != "thread"}] + TRACE["choices"][1:])
tedit("trace-variant-missing", variant=DELETE)
tedit("trace-variant-unknown-switch", variant={"NoSuchSwitch": "on"})
tedit("trace-variant-unknown-value", variant={"WtAioDioCount": "maybe"})
tedit("trace-variant-list", variant=["WtAioDioCount=off"])
tedit("trace-engine-number", engine=7)
tedit("trace-engine-coyote-no-sidecar", engine="coyote:random")
tedit("trace-engine-coyote-unknown-strategy", engine="coyote:clairvoyant")
tedit("trace-seed-string", seed="lucky")
tedit("trace-violation-tampered", violation={"invariant": "stale-data", "message": "edited"})
tedit("trace-violation-removed", violation=DELETE)
tedit("trace-violation-unknown", violation={"invariant": "no-such-invariant", "message": "x"})
tedit("trace-scenario-id-mismatch", scenarioId="../../somewhere-else")

for d in ("scenarios", "traces"):
    shutil.rmtree(os.path.join(HERE, d), ignore_errors=True)
    os.makedirs(os.path.join(HERE, d))
for i, (name, body) in enumerate(sorted(scenarios.items())):
    with open(os.path.join(HERE, "scenarios", f"{name}.yaml"), "w", newline="") as f:
        f.write(body)
for i, (name, body) in enumerate(sorted(traces.items())):
    with open(os.path.join(HERE, "traces", f"{name}.json"), "w", newline="") as f:
        f.write(body)
print(f"{len(scenarios)} scenarios, {len(traces)} traces")
