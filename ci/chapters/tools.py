#!/usr/bin/env python3
"""The optional tools that some outputs of the book need, in one place.

A page's output that needs one says so in its directive:

    <!-- cmdrun ../ci/chapters/bookrun shell --needs gdb -- python ... -->

and bookrun (ci/chapters/bookrun.py) asks this module first. When a tool is
missing, the page gets a visible note in place of the output (what is
missing, how to get it, and that nothing was run), and the build goes on;
with CI=true a missing tool fails the build instead, so the book CI
publishes is complete. ci/checks/check_book.py counts the notes.

  tools.py check NAME...   exit 0 when every tool is here; else print why not (exit 1)
  tools.py path NAME       where the tool is (bookrun puts it in place of @NAME@)
  tools.py table           a Markdown table: every tool, here or missing
  tools.py list            the names, one a line

BOOK_HIDE_TOOLS=gdb,valgrind,... makes those tools count as missing, for the
tests that build the book without them (ci/tests/test_book_loop.py); tools
found on PATH can also be hidden by leaving them off PATH.
"""

import os
import platform
import shutil
import struct
import subprocess
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = ROOT / ".tools"
FT_PYTHON = TOOLS_DIR / "venv-ft" / "bin" / "python"
DEBUG_PYTHON = ROOT / "target" / "debug-python" / "root" / "usr" / "bin" / "python3.11d"


def on_path(name):
    return shutil.which(name)


def elf_has_symtab(path):
    """True when the ELF file at PATH keeps its symbol table (.symtab): a
    stripped binary keeps only the dynamic symbols, and a backtrace through
    it shows `<unknown>` or `??` where CPython's own functions are."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF":
                return False
            is64 = head[4] == 2
            end = "<" if head[5] == 1 else ">"
            if is64:
                shoff, = struct.unpack_from(end + "Q", head, 0x28)
                shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", head, 0x3A)
            else:
                shoff, = struct.unpack_from(end + "I", head, 0x20)
                shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", head, 0x2E)
            f.seek(shoff)
            table = f.read(shentsize * shnum)
            for i in range(shnum):
                sh_type, = struct.unpack_from(end + "I", table, i * shentsize + 4)
                if sh_type == 2:  # SHT_SYMTAB
                    return True
    except (OSError, struct.error):
        return False
    return False


def interpreter_code_file():
    """The file that holds CPython's own functions for the interpreter that
    builds the book: its shared libpython when it has one, else the executable."""
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        libdir = sysconfig.get_config_var("LIBDIR") or ""
        name = sysconfig.get_config_var("INSTSONAME") or sysconfig.get_config_var("LDLIBRARY") or ""
        lib = Path(libdir) / name
        if lib.exists():
            return lib.resolve()
    return Path(os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable))


def python_symbols():
    if not sys.platform.startswith("linux"):
        return None
    f = interpreter_code_file()
    return str(f) if elf_has_symtab(f) else None


def runs(path, code="pass"):
    try:
        return subprocess.run([str(path), "-c", code], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def freethreaded(version=None):
    if not FT_PYTHON.exists():
        return None
    check = "import sys; assert not sys._is_gil_enabled()"
    if version:
        check += f"; assert sys.version_info[:2] == {tuple(map(int, version.split('.')))}"
    return str(FT_PYTHON) if runs(FT_PYTHON, check) else None


def rust_nightly():
    try:
        p = subprocess.run(["rustc", "+nightly", "--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return "rustc +nightly" if p.returncode == 0 else None


def memray():
    """memray, installed apart from .venv by ci/valgrind/suite.sh --install."""
    d = TOOLS_DIR / "memray"
    return str(d) if (d / "memray").is_dir() else None


def hunspell():
    if not on_path("hunspell"):
        return None
    try:
        dicts = subprocess.run(["hunspell", "-D"], input="", capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    return on_path("hunspell") if "/en_GB" in dicts and "/en_US" in dicts else None


def py_spy():
    """py-spy (from the lock, beside this Python, or on PATH), if it can
    sample a child process here: it reads the child's memory (ptrace), which
    a container or a hardened kernel may forbid."""
    here = Path(sys.executable).parent / "py-spy"
    spy = str(here) if here.exists() else on_path("py-spy")
    if not spy:
        return None
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "raw.txt"
        try:
            p = subprocess.run([spy, "record", "--rate", "50", "--format", "raw", "--output", str(out), "--",
                                sys.executable, "-c", "import time; time.sleep(0.3)"],
                               capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return spy if p.returncode == 0 and out.exists() else None


# name: (what it is, how to find it, how a reader gets it). The last two
# are for the tests only (the browser test, the spell check), not for pages.
TOOLS = {
    "gdb": ("gdb", lambda: on_path("gdb"),
            "install gdb (Debian and Ubuntu: `sudo apt-get install gdb`; `bash ci/setup.sh` does it when run "
            "as root); on macOS use lldb, as chapter 2 says"),
    "valgrind": ("valgrind", lambda: on_path("valgrind"),
                 "install valgrind (Debian and Ubuntu: `sudo apt-get install valgrind`; `bash ci/setup.sh` does "
                 "it when run as root); valgrind runs on Linux only"),
    "memray": ("memray", memray, "run `bash ci/valgrind/suite.sh --install` (memray runs on Linux and macOS)"),
    "debug-python": ("a debug build of CPython (Debian's python3.11-dbg)",
                     lambda: str(DEBUG_PYTHON) if DEBUG_PYTHON.exists() else None,
                     "on Debian 12, `bash ci/setup.sh` unpacks python3.11-dbg into target/debug-python "
                     "(ci/chapters/debug-tools.sh)"),
    "python-symbols": ("a CPython that keeps its symbol table (pyenv's builds do; Debian's and Ubuntu's "
                       "python3 are stripped)", python_symbols,
                       "build the book with a CPython from pyenv (`PYENV_VERSION=3.11.7 bash ci/book.sh`) or "
                       "python.org"),
    "freethreaded": ("a free-threaded CPython (3.13t or newer) in .tools/venv-ft", freethreaded,
                     "let `bash ci/setup.sh` build one, or point it at yours: "
                     "`FT_PYTHON=/path/to/python3.14t bash ci/setup.sh` (`uv python install 3.14t` gives one)"),
    "freethreaded-3.13": ("a free-threaded CPython 3.13 in .tools/venv-ft", lambda: freethreaded("3.13"),
                          "let `bash ci/setup.sh` build it (on Debian, from Debian 13's source package), or "
                          "`FT_PYTHON=/path/to/python3.13t bash ci/setup.sh`"),
    "rust-nightly": ("a nightly Rust toolchain", rust_nightly, "`rustup toolchain install nightly`"),
    "py-spy": ("py-spy, allowed to sample a process (ptrace)", py_spy,
               "install it (`pip install py-spy`; `bash ci/setup.sh` puts the locked one in .venv) and, in a "
               "container, allow ptrace (`docker run --cap-add SYS_PTRACE`)"),
    "linux": ("Linux", lambda: sys.platform if sys.platform.startswith("linux") else None,
              "this output is of a Linux tool (ELF files, manylinux wheels)"),
    "x86-64": ("an x86-64 CPU", lambda: platform.machine() if platform.machine().lower() in ("x86_64", "amd64")
               else None, "this output is of x86-64 instructions"),
    "chromium": ("Chromium, for the browser test of the built book", lambda: on_path("chromium"),
                 "install chromium (Debian: `sudo apt-get install chromium`; `bash ci/setup.sh` does it as root)"),
    "hunspell": ("hunspell with British and American dictionaries, for the spell check", hunspell,
                 "Debian and Ubuntu: `sudo apt-get install hunspell hunspell-en-gb hunspell-en-us`"),
}


def label(name):
    """How a page names tool NAME in a command it shows (`--show`): the
    free-threaded interpreter as python3.13t or python3.14t, say."""
    where = find(name)
    if where and name.startswith("freethreaded"):
        try:
            v = subprocess.run([where, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
            return f"python{v}t"
        except (OSError, subprocess.TimeoutExpired):
            pass
    return os.path.basename(where) if where else name


def availability():
    """Which tools are here, as one line (bookrun's dependency `tools:`)."""
    return " ".join(f"{n}={'yes' if find(n) else 'no'}" for n in TOOLS)


def hidden():
    return {t.strip() for t in os.environ.get("BOOK_HIDE_TOOLS", "").split(",") if t.strip()}


@lru_cache(maxsize=None)
def find(name):
    """Where tool NAME is (a path or a short description), or None."""
    if name not in TOOLS:
        raise KeyError(f"unknown tool {name!r} (ci/chapters/tools.py knows {', '.join(sorted(TOOLS))})")
    if name in hidden():
        return None
    return TOOLS[name][1]()


def note(name):
    """The Markdown a page shows in place of an output that needs NAME."""
    what, _, how = TOOLS[name]
    return (f'<div class="not-run">\n\n**Not run here:** this output needs {what}, which the machine '
            f"that built this page does not have. To see it, {how}, then build the book again. "
            "Nothing was run.\n\n</div>\n")


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    cmd, names = argv[0], argv[1:]
    if cmd == "list":
        print("\n".join(TOOLS))
    elif cmd == "check":
        for n in names:
            if find(n) is None:
                print(f"missing: {n}: {TOOLS[n][0]}; {TOOLS[n][2]}")
                return 1
    elif cmd == "path":
        where = find(names[0])
        if where is None:
            print(f"missing: {names[0]}", file=sys.stderr)
            return 1
        print(where)
    elif cmd == "table":
        print("| tool | what it is | on this machine |\n|---|---|---|")
        for n, (what, _, _) in TOOLS.items():
            print(f"| `{n}` | {what} | {'yes' if find(n) else 'missing'} |")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
