#!/usr/bin/env python3
"""Per-file and overall mutation scores of one or more Stryker.NET JSON reports.

  bench/mutation/summarize.py REPORT.json[.gz]... [--survivors] [--keep OUT.json.gz]

Several reports (runs over different files, see run.sh's FILES) add up to one score; where two
reports mutate the same file, the later one on the command line counts (a re-run after new tests).
The score is Stryker's: (killed + timeout) / (killed + timeout + survived + no coverage); compile
errors and ignored mutants do not count. --survivors lists each surviving mutant with its line.
--keep writes the files that count, with their tested mutants and sources, as one gzipped report
(a few hundred KB instead of the runs' megabytes): bench/mutation/reports/ keeps the latest
measurement of every file, so a later run of some files adds up with it.
"""
import gzip
import json
import sys


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return json.load(f)


def main(argv):
    show = "--survivors" in argv
    keep = None
    if "--keep" in argv:
        i = argv.index("--keep")
        if i + 1 >= len(argv):
            print("summarize.py: --keep needs an output file", file=sys.stderr)
            return 2
        keep = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    paths = [a for a in argv if not a.startswith("--")]
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    files = {}
    for p in paths:
        try:
            report = load(p)
        except (OSError, ValueError) as e:
            print(f"summarize.py: {p}: {e}", file=sys.stderr)
            return 2
        for path, f in report["files"].items():
            name = path.split("/src/", 1)[-1]
            if any(m["status"] not in ("Ignored", "CompileError") for m in f["mutants"]):
                files[name] = f
    total = {"killed": 0, "survived": 0}
    print(f"| file | killed | timeout | survived | no coverage | score |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in sorted(files):
        f = files[name]
        c = {}
        for m in f["mutants"]:
            c[m["status"]] = c.get(m["status"], 0) + 1
        killed = c.get("Killed", 0) + c.get("Timeout", 0)
        survived = c.get("Survived", 0) + c.get("NoCoverage", 0)
        total["killed"] += killed
        total["survived"] += survived
        score = 100 * killed / max(1, killed + survived)
        print(f"| {name} | {c.get('Killed', 0)} | {c.get('Timeout', 0)} | {c.get('Survived', 0)} | {c.get('NoCoverage', 0)} | {score:.2f} % |")
        if show:
            lines = f["source"].split("\n")
            for m in sorted(f["mutants"], key=lambda m: m["location"]["start"]["line"]):
                if m["status"] in ("Survived", "NoCoverage"):
                    line = m["location"]["start"]["line"]
                    print(f"    {line} {m['status']} {m['mutatorName']}: {m.get('replacement', '')[:80]!r} | {lines[line - 1].strip()[:100]}")
    if keep:
        slim = {name: {"language": f.get("language", "cs"), "source": f["source"],
                       "mutants": [{k: m[k] for k in ("id", "mutatorName", "replacement", "status", "location") if k in m}
                                   for m in f["mutants"] if m["status"] not in ("Ignored", "CompileError")]}
                for name, f in files.items()}
        with gzip.open(keep, "wt") as out:
            json.dump({"schemaVersion": "1", "thresholds": {"high": 90, "low": 85}, "files": slim}, out)
    k, s = total["killed"], total["survived"]
    print(f"\nall: {k} of {k + s} mutants killed: {100 * k / max(1, k + s):.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
