#!/usr/bin/env python3
"""sizes.py - lists the C functions over 100 lines and the files over 800 (STYLE: small
files, one concern each; issue 10). A function is counted from its opening line to its
closing brace at column 0. Usage: python3 tools/sizes.py [FUNC_LIMIT [FILE_LIMIT]]"""
import glob, re, sys

func_limit = int(sys.argv[1]) if len(sys.argv) > 1 else 100
file_limit = int(sys.argv[2]) if len(sys.argv) > 2 else 800
rooms = ["core", "nn", "nn/train", "nn/eval", "synth", "app/play", "app/dev", "app/cli"]
files = sorted(f for r in rooms for f in glob.glob(r + "/*.[ch]") + glob.glob(r + "/*.inc"))
long_funcs, long_files = [], []
for path in files:
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    if len(lines) - 1 > file_limit:
        long_files.append((len(lines) - 1, path))
    start = name = None
    for i, line in enumerate(lines):
        m = re.match(r"^[A-Za-z_][\w \*]*?\b(\w+)\(", line)
        if start is None and m and not line.rstrip().endswith(";") and not line.startswith(("typedef", "static const", "#")):
            start, name = i, m.group(1)
        elif start is not None and line.startswith("}"):
            n = i - start + 1
            if n > func_limit:
                long_funcs.append((n, path, name))
            start = None
        elif start is not None and line.rstrip().endswith(";") and i == start:
            start = None
for n, path, name in sorted(long_funcs, reverse=True):
    print(f"function {n:4d} lines  {path}: {name}")
for n, path in sorted(long_files, reverse=True):
    print(f"file     {n:4d} lines  {path}")
print(f"{len(long_funcs)} functions over {func_limit} lines, {len(long_files)} files over {file_limit} lines")
