#!/usr/bin/env python3
"""The layering rule of docs/ARCHITECTURE.md, checked on the calls themselves: an object file of
one layer may reference (call, or take the address of) only symbols defined in its own layer or in
a layer below it, in the order of check_layers.py; udp and tcp never reference each other. An
upcall is a function pointer, so it never appears as a reference from the lower layer: this check
and check_layers.py (includes) together say no layer reaches the one above by name.

Usage: check_calls.py NM OBJECT... (the core and OS libraries' object files, whose paths end in
src/LAYER/FILE.c.o). With --proof, the order is reversed and the check must find violations: it
shows the check can fail (exit 0 only if it does).
"""
import collections
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_layers import ORDER  # noqa: E402  (the one list of layers)


def layer_of(obj):
    parts = obj.replace(os.sep, "/").split("/src/")
    if len(parts) < 2:
        return None
    return parts[-1].split("/")[0]


def rank_table(order):
    rank = {}
    for i, entry in enumerate(order):
        for name in entry if isinstance(entry, tuple) else (entry,):
            rank[name] = i
    return rank


def violations(nm, objs, order):
    rank = rank_table(order)
    defined = {}
    refs = collections.defaultdict(set)
    for obj in objs:
        layer = layer_of(obj)
        if layer is None or layer not in rank:
            print(f"FAIL {obj}: not in a known layer")
            return None
        out = subprocess.run([nm, obj], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "TDBRCV":
                defined.setdefault(f[2], set()).add(layer)
            elif len(f) == 2 and f[0] == "U":
                refs[obj].add(f[1])
    bad = []
    for obj, syms in sorted(refs.items()):
        layer = layer_of(obj)
        for sym in sorted(syms):
            homes = defined.get(sym)
            if not homes or layer in homes:
                continue   # the C library's, or defined in its own layer too
            if all(rank[h] > rank[layer] or (rank[h] == rank[layer] and h != layer) for h in homes):
                bad.append(f"{obj.split('/src/')[-1]} -> {sym} (defined in src/{'/'.join(sorted(homes))})")
    return bad


def main(argv):
    proof = "--proof" in argv
    argv = [a for a in argv if a != "--proof"]
    if len(argv) < 2:
        print(__doc__)
        return 2
    nm, objs = argv[0], argv[1:]
    order = list(reversed(ORDER)) if proof else ORDER
    bad = violations(nm, objs, order)
    if bad is None:
        return 1
    if proof:
        print(f"proof: with the order reversed the check finds {len(bad)} upward references")
        return 0 if bad else 1
    for b in bad:
        print(f"FAIL upward reference: {b}")
    if not bad:
        print(f"calls: ok ({len(objs)} objects, no reference to a higher layer)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
