#!/usr/bin/env python3
"""The layering rules of docs/ARCHITECTURE.md, checked on the include graph.

  (a) A file under src/ includes only headers of its own layer and of layers below it, in the
      order base < wire < core < net < {udp, tcp} < socket < stack < link < os; udp and tcp never
      include each other. The public headers (include/synack/) may be included by every layer,
      except that the wire layer may include only the ones it implements (synack/types.h,
      synack/format.h). base is what stands in for the C library in the freestanding core (errno
      values, mem declarations, assert, the formatter); link, the simulated link and network,
      drives whole stacks through the public API, as the OS driver does.
  (b) The graph of includes between folders (src/*, apps/*, tools) has no circle.

Known violations (the reshaping in progress) are listed in layering_known_violations.txt beside
this script, one "FILE -> INCLUDED HEADER" per line. They are tolerated, and left out of the graph
for (b); a listed violation that no longer exists is itself a failure, so the list stays exact and
can only shrink.

Usage: check_layers.py [ROOT] [--known FILE]. Prints what fails; exits 1 on any failure.
"""
import os
import re
import sys

ORDER = ["base", "wire", "core", "net", ("udp", "tcp"), "socket", "stack", "link", "os"]
RANK = {}
for i, entry in enumerate(ORDER):
    for name in entry if isinstance(entry, tuple) else (entry,):
        RANK[name] = i + 1
WIRE_PUBLIC = {"synack/types.h", "synack/format.h"}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
SOURCE_EXT = (".c", ".h")


def source_files(root, top):
    base = os.path.join(root, top)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for f in sorted(filenames):
            if f.endswith(SOURCE_EXT):
                yield os.path.relpath(os.path.join(dirpath, f), root)


def folder_of(rel):
    """The unit of layering a file belongs to: src/X, apps/X or tools."""
    parts = rel.split(os.sep)
    if parts[0] in ("src", "apps") and len(parts) > 2:
        return parts[0] + "/" + parts[1]
    return parts[0]


def includes(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = INCLUDE_RE.match(line)
            if m:
                yield m.group(1)


def resolve(root, rel, inc, src_dirs):
    """Returns the folder an include lands in ("include/synack" for public headers), or None."""
    if inc.startswith("synack/"):
        return "include/synack"
    here = os.path.dirname(rel)
    local = os.path.normpath(os.path.join(here, inc))
    if os.path.exists(os.path.join(root, local)):
        return folder_of(local)
    first = inc.split("/")[0]
    if first in src_dirs:   # found through the -I src include path
        return "src/" + first
    return None


def find_cycles(nodes, edges):
    """Strongly connected components with more than one node (Tarjan), each as a sorted list."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def cycle_path(comp, edges):
    """One circle through the component, for the message: a -> b -> ... -> a."""
    start = comp[0]
    inside = set(comp)
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges.get(v, ())):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return " -> ".join(reversed(path)) + " -> " + start
            if w in inside and w not in prev:
                prev[w] = v
                queue.append(w)
    return " <-> ".join(comp)


def main(argv):
    root = "."
    known_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layering_known_violations.txt")
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--known":
            known_path = args.pop(0)
        else:
            root = a
    fail = False
    src_dirs = sorted(d for d in os.listdir(os.path.join(root, "src"))
                      if os.path.isdir(os.path.join(root, "src", d)))
    for d in src_dirs:
        if d not in RANK:
            print(f"FAIL src/{d}/ has no place in the layer order: add it to ORDER in "
                  f"tests/check_layers.py and to docs/ARCHITECTURE.md")
            fail = True

    violations = {}   # "file -> include" -> reason
    edges_all, edges_checked, nodes = {}, {}, set()
    files = []
    for top in ("src", "apps", "tools"):
        if os.path.isdir(os.path.join(root, top)):
            files.extend(source_files(root, top))
    for rel in files:
        src_folder = folder_of(rel)
        nodes.add(src_folder)
        layer = src_folder.split("/")[1] if src_folder.startswith("src/") else None
        for inc in includes(root, rel):
            dst = resolve(root, rel, inc, src_dirs)
            key = f"{rel} -> {inc}"
            if dst is None:
                if layer is not None:
                    violations[key] = "an include the check cannot place in a folder"
                continue
            reason = None
            if layer is None and dst.startswith("src/"):
                reason = "apps/ and tools/ include only the public headers (include/synack/)"
            if layer is not None and layer in RANK:
                if dst == "include/synack":
                    if layer == "wire" and inc not in WIRE_PUBLIC:
                        reason = "the wire layer includes a public header it does not implement"
                elif dst.startswith("src/"):
                    other = dst.split("/")[1]
                    if other in RANK and other != layer:
                        if RANK[other] > RANK[layer]:
                            reason = f"{layer} includes the higher layer {other}"
                        elif RANK[other] == RANK[layer]:
                            reason = f"{layer} includes {other}, which sits beside it"
            if reason:
                violations[key] = reason
            if dst != src_folder:
                edges_all.setdefault(src_folder, set()).add(dst)
                if not reason:
                    edges_checked.setdefault(src_folder, set()).add(dst)
                nodes.add(dst)

    known = set()
    if os.path.exists(known_path):
        with open(known_path, encoding="utf-8") as fh:
            for line in fh:
                line = line.split("#", 1)[0].strip()
                if line:
                    known.add(re.sub(r"\s*->\s*", " -> ", line))
    for key in sorted(set(violations) - known):
        print(f"FAIL {key}: {violations[key]}")
        fail = True
    for key in sorted(known - set(violations)):
        print(f"FAIL {key}: listed in {os.path.basename(known_path)} but no longer there "
              f"(remove the line: the list may only shrink)")
        fail = True

    for comp in find_cycles(nodes, edges_checked):
        print(f"FAIL circle between folders: {cycle_path(comp, edges_checked)}")
        fail = True
    tolerated = find_cycles(nodes, edges_all)
    for comp in tolerated:
        print(f"note: circle through known violations (tolerated while listed): "
              f"{', '.join(comp)} (e.g. {cycle_path(comp, edges_all)})")
    if not fail:
        print(f"layers: ok ({len(files)} files, {len(known)} known violations)")
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
