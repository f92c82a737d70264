#!/usr/bin/env python3
"""Checks that src/ reads as layers: every #include of a project header points at the same folder or
at one below it in LAYERS, so no include circle can form between folders (and none within a file
pair either: the check also walks the file-level include graph for cycles)."""
import os
import re
import sys

# Top first. A folder may include itself and any folder after it.
LAYERS = ["main", "http", "control", "scim", "core", "handlers", "signin", "auth", "request",
          "outbound", "store", "model", "crypto", "util"]

def main(src):
    rank = {name: i for i, name in enumerate(LAYERS)}
    graph, bad = {}, []
    for folder, _, files in os.walk(src):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, f)
            rel = os.path.relpath(path, src)
            layer = rel.split("/")[0] if "/" in rel else "main"
            if layer not in rank:
                bad.append(f"{rel}: folder {layer!r} is not in the layer list")
                continue
            graph[rel] = []
            for inc in re.findall(r'^#include "([^"]+)"', open(path).read(), re.M):
                if "/" not in inc:
                    continue  # generated sources and same-folder headers
                graph[rel].append(inc)
                target = inc.split("/")[0]
                if target in rank and rank[target] < rank[layer]:
                    bad.append(f"{rel} includes {inc}: {layer}/ is below {target}/")
    # File-level cycles (a .c and its own .h count as one node).
    node = lambda p: p[:-2]
    edges = {}
    for f, incs in graph.items():
        edges.setdefault(node(f), set()).update(node(i) for i in incs if node(i) != node(f))
    state = {}
    def visit(n, stack):
        state[n] = 1
        for m in edges.get(n, ()):
            if state.get(m) == 1:
                bad.append("include cycle: " + " -> ".join(stack[stack.index(m):] + [m]) if m in stack else m)
            elif not state.get(m):
                visit(m, stack + [m])
        state[n] = 2
    for n in sorted(edges):
        if not state.get(n):
            visit(n, [n])
    for b in bad:
        print(b)
    print(f"{len(graph)} files checked, {len(bad)} layering problems")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../src")))
