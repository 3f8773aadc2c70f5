#!/usr/bin/env python3
"""Run a gdb batch session on a Python script, for the book.

  ci/chapters/gdb-session.py COMMANDS.gdb SCRIPT.py [ARGS...]

Runs, in the current folder,

  gdb -q -batch -iex "add-auto-load-safe-path <prefix>" -x COMMANDS.gdb --args python SCRIPT.py

where <prefix> is the interpreter's sys.base_prefix, so that gdb loads the
pythonX.Y-gdb.py extension shipped beside the interpreter (py-bt, py-list,
py-locals). Then it prints the session with the noise taken out: gdb's
thread start-up lines, the "Kill the program?" exchange, process ids, and
the generic parameters of Rust frames (`trampoline<...>` becomes
`trampoline<…>`). Paths and addresses are left to ci/bookrun.

gdb's exit status is 0 even when a command fails, so this script fails
(status 1) when gdb reports an error in the command file.

Without gdb it fails too when CI is set; elsewhere it prints a note and
exits 0, so the book still builds on a machine without gdb.
"""

import os
import re
import shutil
import subprocess
import sys

NOISE = (
    re.compile(r"^\[Thread debugging using libthread_db enabled\]$"),
    re.compile(r"^Using host libthread_db library "),
    re.compile(r"^\[New Thread .*\]$"),
    re.compile(r"^\[Thread .* exited\]$"),
    re.compile(r"^Kill the program being debugged\? "),
    re.compile(r"^\[Inferior \d+ \(process \d+\) killed\]$"),
)


def collapse_generics(line):
    """`a::b<c<d>, e>::f` -> `a::b<…>::f`, in a backtrace line's function name."""
    m = re.match(r"^(#\d+\s+)(\S.*?)( \(.*)$", line)
    if not m:
        return line
    head, name, rest = m.groups()
    prev = None
    while prev != name:
        prev = name
        name = re.sub(r"<[^<>]*>", "\x00", name)
    return head + name.replace("\x00", "<…>") + rest


def clean(text):
    out = []
    for line in text.splitlines():
        if any(p.search(line) for p in NOISE):
            continue
        line = re.sub(r"\(process \d+\)", "(process <pid>)", line)
        line = re.sub(r"\(LWP \d+\)", "(LWP <lwp>)", line)
        if line.startswith("#"):
            line = collapse_generics(line)
        out.append(line)
    return "\n".join(out) + "\n"


def gdb_extension():
    """gdb loads CPython's extension (py-bt) from pythonX.Y-gdb.py beside the
    interpreter (pyenv, a CPython build) or from /usr/share/gdb/auto-load
    (Debian's python3.X-dbg, when installed). Failing both, source the copy
    in the python3.11-dbg package that ci/chapters/debug-tools.sh unpacks, for the
    same Python version."""
    exe = os.path.realpath(sys.executable)
    if os.path.exists(exe + "-gdb.py") or os.path.exists("/usr/share/gdb/auto-load" + exe + "-gdb.py"):
        return []
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    unpacked = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "debug-python", "root",
                            "usr", "share", "gdb", "auto-load", "usr", "bin", f"{version}-gdb.py")
    return ["-iex", f"source {os.path.normpath(unpacked)}"] if os.path.exists(unpacked) else []


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    commands, script, *args = sys.argv[1:]
    if shutil.which("gdb") is None:
        msg = "gdb is not installed (Debian: apt-get install gdb; ci/setup.sh does it as root)"
        if os.environ.get("CI") == "true":
            sys.exit(f"gdb-session: {msg}")
        print(f"({msg}: the session was not run)")
        return 0
    cmd = ["gdb", "-q", "-batch", "-iex", f"add-auto-load-safe-path {sys.base_prefix}"]
    cmd += gdb_extension()
    cmd += ["-x", commands, "--args", sys.executable, script, *args]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    text = clean(p.stdout)
    sys.stdout.write(text)
    if p.returncode != 0 or re.search(r"Error in sourced command file", p.stdout):
        print(f"gdb-session: gdb failed (status {p.returncode}) on {commands}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
