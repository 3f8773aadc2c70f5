"""Profiles profile.py with py-spy and says where the samples were.

    python profile_summary.py [PY-SPY]

Runs `py-spy record --native --format raw` on `python profile.py` (PY-SPY is
the py-spy to run, `py-spy` by default), then reads the raw output: one line
per distinct stack, its frames from the outermost to the innermost,
separated by `;`, and the number of samples that saw it. It prints the
innermost frames that took the most samples (Rust, C or Python: where the
processor was), then the samples by the line of profile.py that was running
(which of your calls it was for). py-spy runs on Linux, macOS and Windows;
on Linux it needs to be allowed to read the child process's memory (ptrace).
"""

import collections
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


# Rust's legacy symbol names, as py-spy prints them: `$LT$` for `<`, and so on.
ESCAPES = {"$LT$": "<", "$GT$": ">", "$LP$": "(", "$RP$": ")", "$C$": ",", "$u20$": " ", "$u27$": "'",
           "$RF$": "&", "$BP$": "*", "..": "::"}


def short(frame):
    """A frame as `function (file:line)`: Rust names unescaped and without
    their hash, the file's folder left out."""
    name, _, where = frame.partition(" (")
    for escaped, plain in ESCAPES.items():
        name = name.replace(escaped, plain)
    name = re.sub(r"^_<", "<", re.sub(r"::h[0-9a-f]{16}$", "", name))
    where = where.rstrip(")")
    return f"{name} ({os.path.basename(where)})" if where else name


def main():
    spy = sys.argv[1] if len(sys.argv) > 1 else "py-spy"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "profile.txt"
        cmd = [spy, "record", "--native", "--rate", "100", "--format", "raw", "--output", str(out),
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
    leaves, lines = collections.Counter(), collections.Counter()
    for stack, count in stacks.items():
        frames = [short(f) for f in stack]
        leaves[frames[-1]] += count
        script = [f for f in frames if "(profile.py:" in f]
        lines[script[-1] if script else "(not in profile.py: start-up and exit)"] += count
    print(f"{total} samples. The innermost frames that took the most:")
    for name, count in leaves.most_common(8):
        print(f"  {100 * count / total:5.1f}%  {name}")
    print("By the line of profile.py that was running:")
    for name, count in lines.most_common(4):
        print(f"  {100 * count / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
