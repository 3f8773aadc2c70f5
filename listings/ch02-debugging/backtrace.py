#!/usr/bin/env python3
"""Run a command with RUST_BACKTRACE=1 and print its output with the Rust
backtrace trimmed to the frames that matter (chapter 2 shows it so).

  python backtrace.py --keep REGEX [--keep REGEX...] [--expect N] -- CMD...

For example, in listing 2-1's folder:

  python ../backtrace.py --keep ^debugme:: --keep ^cfunction_vectorcall -- python hunt.py

A backtrace of a panic in an extension has 40 to 60 frames: the panic
machinery, iterator adapters inlined into your function, pyo3's trampoline,
then the interpreter down to main(). This keeps the frames whose function
name matches one of the --keep regexes (with their `at file:line` line when
it is Rust source) and shows each run of left-out frames as one `⋮` line,
so the frame numbers still tell how deep the stack is.

It fails (status 1) when a --keep regex matches no frame, so a change in
Rust or pyo3 cannot silently leave the page with a different story, and
when the command's exit status is not --expect (default 1: an uncaught
PanicException ends Python with status 1).
"""

import argparse
import os
import re
import subprocess
import sys

FRAME = re.compile(r"^\s*(\d+): (.*)$")
AT = re.compile(r"^\s+at (.*)$")


def trim(text, keeps):
    out, hits = [], {k: 0 for k in keeps}
    lines = text.splitlines()
    i = 0
    in_bt = False
    gap = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("stack backtrace:"):
            in_bt = True
            out.append(line)
            i += 1
            continue
        m = FRAME.match(line) if in_bt else None
        if not m:
            if in_bt and not AT.match(line):
                if gap:
                    out.append("   ⋮")
                    gap = False
                in_bt = False
            if not in_bt:
                out.append(line)
            i += 1
            continue
        name = m.group(2)
        at = []
        i += 1
        while i < len(lines) and AT.match(lines[i]):
            at.append(lines[i])
            i += 1
        matched = [k for k in keeps if re.search(k, name)]
        if not matched:
            gap = True
            continue
        for k in matched:
            hits[k] += 1
        if gap:
            out.append("   ⋮")
            gap = False
        out.append(line)
        out.extend(a for a in at if re.search(r"\.rs:\d+:\d+$", a))
    missing = [k for k, n in hits.items() if n == 0]
    return "\n".join(out) + "\n", missing


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", action="append", required=True)
    ap.add_argument("--expect", type=int, default=1)
    ap.add_argument("cmd", nargs="+")
    a = ap.parse_args()
    env = dict(os.environ, RUST_BACKTRACE="1", PYTHONUNBUFFERED="1")
    p = subprocess.run(a.cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace")
    text, missing = trim(p.stdout, a.keep)
    sys.stdout.write(text)
    if "stack backtrace:" not in p.stdout:
        sys.exit("backtrace.py: the output has no Rust backtrace")
    if missing:
        sys.exit(f"backtrace.py: no frame matches {missing}; the backtrace was:\n{p.stdout}")
    if p.returncode != a.expect:
        sys.exit(f"backtrace.py: exit status {p.returncode}, expected {a.expect}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
