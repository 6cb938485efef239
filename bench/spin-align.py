#!/usr/bin/env python3
"""Writes pagecache.pml with SPIN's state counting aligned to ModelCheck's (docs/bench.md).

Usage: bench/spin-align.py IN.pml OUT.pml

Three edits, none of which changes what the processes do, only which intermediate states exist:
  1. select(f : 0 .. NF-1) becomes one nondeterministic `if` over f = 0 .. NF-1. SPIN expands the
     select macro into a loop (f = 0; do :: f < NF-1 -> f++ :: break od) whose steps are states of
     their own; ModelCheck's `select` is one step with NF alternatives.
  2. The flusher's beyond-EOF `if` (FIX=1) becomes one atomic statement, as ModelCheck's
     drop_beyond_eof step is (SPIN makes its guard and its assignment two statements).
  3. The writers are `active [NW]` processes with w = _pid instead of being started by `init`.
     ModelCheck's threads exist from the start; SPIN's init adds the states before it runs, and
     processes that end are removed in reverse creation order, which splits states by who exited.
Run the result with spin -o1 -o2 -o3 (no dataflow optimisation, no hiding of write-only variables,
no statement merging) and pan -DNOREDUCE: ModelCheck stores a state after every statement and
keeps a local until the model itself resets it.
"""
import sys


def edit(text: str, old: str, new: str, what: str) -> str:
    if text.count(old) != 1:
        sys.exit(f"spin-align: {what}: expected text not found once in the model; was pagecache.pml changed?")
    return text.replace(old, new)


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: spin-align.py IN.pml OUT.pml")
    src = open(sys.argv[1], encoding="utf-8").read()
    select = "\n".join(["if", "     :: f = 0"]
                       + [f"#if NF > {k}\n     :: f = {k}\n#endif" for k in range(1, 4)]
                       + ["     fi;"])
    src = edit(src, "select(f : 0 .. NF - 1);", select, "select")
    src = edit(src,
               "     if :: present[f] && dirty[f] && !go -> dirty[f] = 0 :: else -> skip fi;",
               "     atomic { if :: present[f] && dirty[f] && !go -> dirty[f] = 0 :: else -> skip fi };",
               "beyond-EOF if")
    src = edit(src,
               "proctype writer(byte w; byte last)\n{\n  byte f = 0;",
               "active [NW] proctype writer()\n{\n  byte w = _pid;\n  byte last = NF - 1 - (w % NF);\n  byte f = 0;",
               "writer header")
    init = src.find("\ninit\n{")
    if init < 0:
        sys.exit("spin-align: init process not found")
    src = src[:init + 1]
    open(sys.argv[2], "w", encoding="utf-8").write(src)


if __name__ == "__main__":
    main()
