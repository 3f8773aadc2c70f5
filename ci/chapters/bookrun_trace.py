"""What a command of the book read: bookrun's dependency tracer.

ci/chapters/bookrun.py copies this module into .venv's site-packages (as
_bookrun_trace.py, imported by a .pth line), so every Python process of the
virtualenv loads it at start-up. It does nothing unless BOOKRUN_TRACE names
a file: then an audit hook appends to that file, one line each,
  import NAME      every module imported
  open PATH        every file opened by path (absolute)
  dir PATH         every folder listed (os.listdir, os.scandir: glob, rglob)
for paths inside BOOKRUN_ROOT. bookrun turns these into the dependencies
of the output (see its docstring). Lines are written as they happen, so a
process that crashes on purpose still leaves what it read.
"""

import os
import sys


def _start(trace, root):
    root = os.path.realpath(root) + os.sep
    seen = set()
    out = open(trace, "a", buffering=1)

    def note(kind, what):
        if (kind, what) in seen:
            return
        seen.add((kind, what))
        try:
            out.write(f"{kind} {what}\n")
        except (OSError, ValueError):
            pass

    def path_of(arg):
        if isinstance(arg, bytes):
            arg = os.fsdecode(arg)
        if not isinstance(arg, str):
            return None
        full = os.path.abspath(arg)
        return full if full.startswith(root) else None

    def hook(event, args):
        if event == "import":
            note("import", args[0])
        elif event == "open":
            p = path_of(args[0])
            if p:
                note("open", p)
        elif event in ("os.listdir", "os.scandir"):
            p = path_of(args[0] if args and args[0] is not None else ".")
            if p:
                note("dir", p)

    sys.addaudithook(hook)


_trace = os.environ.get("BOOKRUN_TRACE")
if _trace and os.environ.get("BOOKRUN_ROOT"):
    _start(_trace, os.environ["BOOKRUN_ROOT"])
