#!/usr/bin/env python3
"""Run a gdb batch session on a Python script, as chapter 2 shows it.

  python gdb-session.py COMMANDS.gdb SCRIPT.py [ARGS...]

For example, in listing 2-1's folder: `python ../gdb-session.py hunt.gdb hunt.py`.
It runs, in the current folder,

  gdb -q -batch -iex "add-auto-load-safe-path <prefix>" -x COMMANDS.gdb --args python SCRIPT.py

where <prefix> is the interpreter's sys.base_prefix, so that gdb loads the
pythonX.Y-gdb.py extension shipped beside the interpreter (py-bt, py-list,
py-locals). Then it prints the session with the noise taken out: gdb's
thread start-up lines, the "Kill the program?" exchange, process ids, and
the generic parameters of Rust frames (`trampoline<...>` becomes
`trampoline<…>`).

gdb's exit status is 0 even when a command fails, so this script fails
(status 1) when gdb reports an error in the command file.

Without gdb, or without CPython's gdb extension for this interpreter, it
prints a note and exits 0 (so a test can skip, and a page can say so); with
BOOK_REQUIRE_TOOLS=1 (the book's own CI) it fails instead.
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
    """How gdb gets CPython's extension (py-bt) for this interpreter: ([], where)
    when gdb loads it by itself, from pythonX.Y-gdb.py beside the interpreter
    (pyenv, a CPython build) or from /usr/share/gdb/auto-load (Debian's
    python3.X-dbg, when installed); (["-iex", "source FILE"], FILE) for the copy
    in the python3.X-dbg package that the book's set-up unpacks
    (ci/chapters/debug-tools.sh, into target/debug-python/ of the book's
    repository), for the same Python version; None when there is none."""
    exe = os.path.realpath(sys.executable)
    for beside in (exe + "-gdb.py", "/usr/share/gdb/auto-load" + exe + "-gdb.py"):
        if os.path.exists(beside):
            return [], beside
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    unpacked = os.path.normpath(os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "debug-python", "root",
        "usr", "share", "gdb", "auto-load", "usr", "bin", f"{version}-gdb.py"))
    if os.path.exists(unpacked):
        return ["-iex", f"source {unpacked}"], unpacked
    return None


def missing(msg):
    """A tool is missing: a note on stdout (status 0), or, when the book's CI
    requires every tool, a failure."""
    if os.environ.get("BOOK_REQUIRE_TOOLS") == "1":
        sys.exit(f"gdb-session: {msg} (BOOK_REQUIRE_TOOLS=1 wants the session)")
    print(f"({msg}: the session was not run)")
    return 0


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    commands, script, *args = sys.argv[1:]
    if shutil.which("gdb") is None:
        return missing("gdb is not installed (Debian: apt-get install gdb; the book's ci/setup.sh does it as root)")
    ext = gdb_extension()
    if ext is None:
        v = f"{sys.version_info.major}.{sys.version_info.minor}"
        return missing(f"CPython's gdb extension (python{v}-gdb.py, for py-bt) is not installed for "
                       f"{os.path.realpath(sys.executable)} (Debian: apt-get install python{v}-dbg)")
    cmd = ["gdb", "-q", "-batch", "-iex", f"add-auto-load-safe-path {sys.base_prefix}"]
    cmd += ext[0]
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
