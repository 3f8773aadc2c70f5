"""Profiles profile.py with py-spy and prints where the samples were.

    python profile_summary.py [PY-SPY]

Runs `py-spy record --native --format raw` on `python profile.py` (PY-SPY is
the py-spy to run, `py-spy` by default), then reads the raw output: one line
per distinct stack, its frames from the outermost to the innermost, separated
by `;`, and the number of samples that saw it. It prints the innermost
frames that took the most samples, and the stack of the most sampled one,
as the profiler wrote them. Linux, macOS and Windows; on Linux, py-spy
needs to be allowed to read the child process's memory (ptrace).
"""

import collections
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def short(frame):
    """A frame as `function (file:line)`, with the file's folder left out."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    return f"{name} ({os.path.basename(where)})" if where else name


def main():
    spy = sys.argv[1] if len(sys.argv) > 1 else "py-spy"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.txt"
        cmd = [spy, "record", "--native", "--rate", "250", "--format", "raw", "--output", str(out),
               "--", sys.executable, str(HERE / "profile.py")]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0 or not out.exists():
            sys.exit(f"py-spy failed (status {p.returncode}):\n{p.stdout}{p.stderr}")
        stacks = collections.Counter()
        for line in out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if stack:
                stacks[tuple(stack.split(";"))] += int(count)
    total = sum(stacks.values())
    leaves = collections.Counter()
    for stack, count in stacks.items():
        leaves[short(stack[-1])] += count
    print(f"{total} samples; the innermost frames that took the most:")
    for name, count in leaves.most_common(6):
        print(f"  {100 * count / total:5.1f}%  {name}")
    top = max(stacks, key=stacks.get)
    print("\nThe stack seen most often, outermost first:")
    for depth, frame in enumerate(top):
        print("  " + "  " * min(depth, 8) + short(frame))


if __name__ == "__main__":
    main()
