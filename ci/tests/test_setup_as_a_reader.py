"""ci/setup.sh as a reader runs it: not root, in a copy of the repository
that the reader owns, with Debian's own /usr/bin/python3 (not pyenv's), and
with gdb, valgrind, chromium, hunspell and the C compiler missing from PATH.

It must finish (exit 0), say one line for each missing thing, and write
nothing into listings/, src/ or ci/. Then the same reader, with a C
compiler, builds a preview of chapter 2 (`bash ci/book.sh --chapter 2`):
its outputs that need CPython's symbols, gdb or a debug build are notes
saying so, and the build succeeds.

The rehearsal needs root (to act as `nobody`), setpriv, a Debian python3
of 3.11 or newer and the tool cache that a root set-up filled (mdbook and
mdbook-cmdrun are copied from it, never compiled here); elsewhere it is
skipped. It downloads the lock's wheels into the reader's own uv cache and
the crates into the reader's CARGO_HOME, and compiles chapter 2's
listings: a few minutes.
"""

import os
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HIDDEN = ("gdb", "valgrind", "chromium", "hunspell", "cc", "gcc", "c89", "c99", "make", "clang")
NOBODY = 65534
SYSTEM_PYTHON = Path("/usr/bin/python3")


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


def book_tools_entry():
    """The tool-cache folder holding mdbook and mdbook-cmdrun (root's)."""
    p = run(["bash", "-c", 'source ci/common.sh; echo "$(tool_cache)/$(book_tools_key)"'], cwd=ROOT)
    return Path(p.stdout.strip()) if p.returncode == 0 else None


def why_not():
    if os.uname().sysname != "Linux" or os.geteuid() != 0:
        return "needs root on Linux, to run set-up as the user nobody"
    if not shutil.which("setpriv"):
        return "needs setpriv (util-linux)"
    if not SYSTEM_PYTHON.exists() or run([SYSTEM_PYTHON, "-c", "import sys; sys.exit(sys.version_info < (3, 11))"]).returncode:
        return "needs the system's /usr/bin/python3, 3.11 or newer"
    if not shutil.which("cargo") or not shutil.which("rustc"):
        return "needs Rust"
    entry = book_tools_entry()
    if not entry or not (entry / "bin" / "mdbook-cmdrun").exists():
        return "the tool cache has no mdbook yet: run ci/setup.sh first (the rehearsal never compiles it)"
    return None


pytestmark = pytest.mark.skipif(why_not() is not None, reason=why_not() or "")


def shadow_path(folder, hidden_names=HIDDEN):
    """A PATH of one folder: links to every system command except HIDDEN_NAMES
    (and, when it hides cc, the compilers' versioned names), so Debian's
    python3 is the first."""
    compilers = "cc" in hidden_names
    folder.mkdir()
    for d in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            target = os.path.join(d, name)
            hidden = name in hidden_names or (compilers and name.startswith(
                ("gcc-", "clang-", "x86_64-linux-gnu-gcc", "aarch64-linux-gnu-gcc")))
            if hidden or (folder / name).exists() or not os.access(target, os.X_OK) or os.path.isdir(target):
                continue
            (folder / name).symlink_to(target)
    return folder


def rust_for_nobody(folder):
    """The active toolchain, hard-linked where nobody can reach it (root's
    ~/.rustup cannot be read by others): its bin/ on PATH."""
    sysroot = Path(run(["rustc", "--print", "sysroot"], check=True).stdout.strip())
    subprocess.run(["cp", "-al", sysroot, folder], check=True)
    return folder / "bin"


def tracked_files():
    p = run(["git", "ls-files", "-z"], cwd=ROOT, check=True)
    return [f for f in p.stdout.split("\0") if f and (ROOT / f).is_file()]


def snapshot(root, *folders):
    return {str(p.relative_to(root)) for f in folders for p in (root / f).rglob("*")}


def test_setup_as_a_reader_without_root_and_without_the_optional_tools():
    scratch = Path(tempfile.mkdtemp(prefix="reader-", dir="/tmp"))
    try:
        scratch.chmod(0o755)
        # The reader's copy of the repository (the working tree as it is now).
        clone = scratch / "clone"
        for f in tracked_files():
            (clone / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, clone / f, follow_symlinks=False)
        # A git checkout, as a reader's clone is (the book reads git's list
        # of files): the working tree as it is now, in the index.
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"]):
            subprocess.run(cmd, cwd=clone, check=True, capture_output=True)
        home = scratch / "home"
        # The tool cache holds mdbook and mdbook-cmdrun, as after a first clone.
        entry = book_tools_entry()
        shutil.copytree(entry, home / ".cache" / "numpy-extensions-in-rust" / entry.name, symlinks=True)
        cargo_bin = rust_for_nobody(scratch / "rust")
        path = shadow_path(scratch / "bin")
        for p in (clone, home):
            subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", p], check=True)
        before = snapshot(clone, "listings", "src", "ci")
        # A reader's environment: nothing of this one but how to reach the
        # network (certificates, proxies, pip's configuration).
        env = {k: v for k, v in os.environ.items() if re.search(r"CERT|CA_BUNDLE|PROXY|SSL|^PIP_", k.upper())}
        env.update(HOME=str(home), PATH=f"{path}:{cargo_bin}", LANG="C.UTF-8", USER="nobody",
                   CARGO_HOME=str(home / ".cargo"))
        p = run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "env", "-i",
                 *[f"{k}={v}" for k, v in env.items()], "bash", "ci/setup.sh"], cwd=clone, timeout=900)
        out = p.stdout + p.stderr
        print(out)  # shown with pytest -s
        assert p.returncode == 0, out
        # Debian's python3 made the reader's .venv.
        which = "import os, platform, sys; print(platform.python_version(), os.path.realpath(sys._base_executable))"
        made = run([clone / ".venv" / "bin" / "python", "-c", which], check=True).stdout
        assert made == run([SYSTEM_PYTHON, "-c", which], check=True).stdout, made
        # mdbook came from the cache, not from cargo.
        assert "Compiling mdbook" not in out, out
        assert (clone / ".tools" / "bin" / "mdbook").exists()
        # One line for each missing thing, and none about anything else.
        notes = [line for line in p.stderr.splitlines() if line.startswith(("note:", "warning:", "error:"))]
        expected = {"gdb": "gdb", "valgrind": "valgrind", "chromium": "chromium", "hunspell": "hunspell",
                    "free-threaded": "a C compiler"}
        for thing, why in expected.items():
            about = [n for n in notes if thing in n]
            assert len(about) == 1, f"{thing}: {about}\n{p.stderr}"
            assert why in about[0], about[0]
        assert all(any(thing in n for thing in expected) for n in notes), notes
        assert not [n for n in notes if n.startswith("error:")], notes
        # Nothing written into the sources.
        assert snapshot(clone, "listings", "src", "ci") == before
        # Everything set-up made belongs to the reader.
        made = [clone / ".venv", clone / ".tools"]
        assert all(m.stat().st_uid == NOBODY for m in made)
        assert stat.S_ISDIR((home / ".cache" / "uv").stat().st_mode)

        # Then the reader previews chapter 2, whose outputs depend on how the
        # interpreter was built: with a C compiler now (Rust links with cc),
        # still without gdb and valgrind, with Debian's stripped python3. The
        # debug CPython is hidden too (BOOK_HIDE_TOOLS), as off Debian: it
        # would compile pyo3 a second time. Each such output must be a note
        # saying what it needs, and the build must succeed.
        env["PATH"] = f"{shadow_path(scratch / 'bin2', ('gdb', 'valgrind', 'chromium', 'hunspell'))}:{cargo_bin}"
        env["BOOK_HIDE_TOOLS"] = "debug-python"
        env["FT_PYTHON"] = "none"  # set-up would build one, now that cc is here
        p = run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "env", "-i",
                 *[f"{k}={v}" for k, v in env.items()], "bash", "ci/book.sh", "--chapter", "2"],
                cwd=clone, timeout=1500)
        out = p.stdout + p.stderr
        (ROOT / "target").mkdir(exist_ok=True)
        (ROOT / "target" / "reader-book.log").write_text(out)
        assert p.returncode == 0, "the reader's book build failed: target/reader-book.log\n" + out[-3000:]
        m = re.search(r"^book: (\d+) outputs: (\d+) ran, (\d+) from the cache, (\d+) notes", out, re.M)
        assert m, out[-3000:]
        html = (clone / "book" / "html" / "ch02-debugging.html").read_text()
        # The backtrace and the gdb session need CPython's symbols, which
        # Debian's python3 lacks; gdb is missing; the debug build is hidden.
        for needed in ("a CPython that keeps its symbol table", "gdb,",
                       "a debug build of CPython"):
            assert f"Not run here:</strong> this output needs {needed}" in html, needed
        assert html.count('class="not-run"') >= 5, html.count('class="not-run"')
        # What needs nothing of the interpreter's build ran: hunt.py's panic.
        assert "panicked at src/lib.rs:" in html  # not in the prose: hunt.py's output
        assert snapshot(clone, "listings", "src", "ci") == before
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
