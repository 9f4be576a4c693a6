#!/usr/bin/env python3
"""The structure counts of issue 15 for a checkout of slsx-core (default: this one):

- functions over 100 lines and files over 400 lines (test files and `#[cfg(test)] mod tests` left out);
- raw configuration lookups (`.raw`) outside `config/` and `load/` (the plugin host's plain object,
  the state file and `print` are where the raw configuration is the point);
- the top-level modules' import graph (`crate::<module>` references) and its circles.

    python3 scripts/structure-counts.py [crates/slsx-core/src] [--verbose]
"""
import os
import re
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
verbose = "--verbose" in sys.argv
root = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "crates", "slsx-core", "src")
FN = re.compile(r"^(\s*)(pub(\([^)]*\))?\s+)?(async\s+)?(const\s+)?(unsafe\s+)?fn\s+(\w+)")


def sources():
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if f.endswith(".rs") and not f.endswith("_tests.rs") and f != "tests.rs":
                path = os.path.join(d, f)
                lines = open(path, encoding="utf-8").read().split("\n")
                for i, line in enumerate(lines):  # without an inline test module
                    if line.startswith("#[cfg(test)]") and i + 1 < len(lines) and re.match(r"mod \w+\s*\{", lines[i + 1]):
                        lines = lines[:i]
                        break
                yield os.path.relpath(path, root), lines


def long_functions(lines):
    i = 0
    while i < len(lines):
        m = FN.match(lines[i])
        if not m:
            i += 1
            continue
        j = i
        while j < len(lines) and not lines[j].rstrip().endswith(("{", ";")):
            j += 1
        if j >= len(lines) or lines[j].rstrip().endswith(";"):
            i = j + 1
            continue
        k = j + 1
        while k < len(lines) and lines[k] != m.group(1) + "}":
            k += 1
        yield m.group(7), k - i + 1
        i = k + 1


fns, files, raw, edges = [], [], [], {}
tops = {n[:-3] if n.endswith(".rs") else n for n in os.listdir(root)} - {"lib"}
for rel, lines in sources():
    if len(lines) > 400:
        files.append((len(lines), rel))
    fns += [(n, rel, name) for name, n in long_functions(lines) if n > 100]
    top = rel.split(os.sep)[0].removesuffix(".rs")
    if top not in ("config", "load"):
        raw += [(rel, i + 1) for i, l in enumerate(lines)
                if re.search(r"\b(service|provider|f|l|s)\.raw\b|\bprovider\.raw\b", l) and not l.strip().startswith("//")]
    for t in set(re.findall(r"crate::(\w+)", "\n".join(lines))):
        if t != top and t in tops and top != "lib":
            edges.setdefault(top, set()).add(t)

cycles = set()


def walk(start, node, path):
    for n in edges.get(node, ()):
        if n == start:
            k = min(range(len(path)), key=lambda i: path[i])
            cycles.add(tuple(path[k:] + path[:k]))
        elif n not in path and n > start:
            walk(start, n, path + [n])


for s in sorted(tops):
    walk(s, s, [s])

print(f"functions over 100 lines: {len(fns)}")
print(f"files over 400 lines: {len(files)}")
print(f"raw configuration lookups outside config/ and load/: {len(raw)}")
print(f"import circles between top-level modules: {len(cycles)}")
if verbose:
    for n, rel, name in sorted(fns, reverse=True):
        print(f"  fn {n:5} {rel} {name}")
    for n, rel in sorted(files, reverse=True):
        print(f"  file {n:5} {rel}")
    for rel, line in raw:
        print(f"  raw {rel}:{line}")
    for a in sorted(edges):
        print(f"  {a} -> {', '.join(sorted(edges[a]))}")
    for c in sorted(cycles, key=len):
        print("  circle " + " -> ".join(c + (c[0],)))
