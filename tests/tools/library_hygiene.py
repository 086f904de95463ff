#!/usr/bin/env python3
"""The libraries never print and never end the process: no static library but the CLI's own
(ouiscan_app, which draws the terminal) refers to stdout, stderr, the printing functions or
exit/abort. Progress and warnings reach callers through scan::observer; failures come back as
results. Read from each archive's undefined symbols (nm -u), so no call can hide.

Usage: library_hygiene.py LIB.a [LIB.a ...]
"""
import os
import subprocess
import sys

FORBIDDEN = {"stdout", "stderr", "printf", "vprintf", "puts", "putchar", "perror", "exit",
             "_exit", "_Exit", "abort", "quick_exit", "_ZSt4cout", "_ZSt4cerr", "_ZSt4clog"}
failed = 0
for lib in sys.argv[1:]:
    out = subprocess.run(["nm", "-u", lib], capture_output=True, text=True, check=True).stdout
    used = sorted({line.split()[-1] for line in out.splitlines() if line.strip()} & FORBIDDEN)
    name = os.path.basename(lib)
    if used:
        failed += 1
        print(f"FAIL {name} refers to {', '.join(used)}")
    else:
        print(f"ok   {name}")
print(f"{len(sys.argv) - 1 - failed} passed, {failed} failed")
sys.exit(1 if failed or len(sys.argv) < 3 else 0)
