#!/usr/bin/env python3
"""Build a listing against a debug CPython (Py_DEBUG) and show what happens.

  ci/chapters/debug-python.py config LISTING    pyo3's detected config (PYO3_PRINT_CONFIG=1)
  ci/chapters/debug-python.py build LISTING     `maturin build` against the debug interpreter
  ci/chapters/debug-python.py session FILE.py   a REPL transcript (a ```pycon block) of
                                       FILE.py run by the debug interpreter, with
                                       the listing's wheel and NumPy installed
                                       (NumPy's release wheel for 3.11, whatever
                                       Python .venv has)
  ci/chapters/debug-python.py python            print the debug interpreter's path

The interpreter is Debian's python3.11-dbg, unpacked by ci/chapters/debug-tools.sh
into target/debug-python/root. Builds use their own cargo target dir
(target/debug-python/cargo), so they never invalidate the listings' builds.

`config` and `build` are slow the first time (pyo3 is compiled for a second
interpreter), so their outputs are cached under target/debug-python/cache/,
keyed by a hash of everything that goes in: the listing's files, this
script, the interpreter, rustc's version and ci/requirements.txt.

Without the debug interpreter: exit 1 with CI=true; otherwise print a note
and exit 0 (so the book builds on a machine without apt).
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "listing-tools"))
from book_listings import files_of  # noqa: E402

DBG = ROOT / "target" / "debug-python"
PY_VERSION = "3.11"  # Debian 12's python3.11-dbg (ci/chapters/debug-tools.sh)
PY = DBG / "root" / "usr" / "bin" / f"python{PY_VERSION}d"
SITE = DBG / "site"
CACHE = DBG / "cache"


def need_interpreter():
    if PY.exists():
        return True
    msg = "the debug interpreter is missing: run ci/setup.sh (ci/chapters/debug-tools.sh unpacks Debian's python3.11-dbg)"
    if os.environ.get("CI") == "true":
        sys.exit(f"debug-python: {msg}")
    print(f"({msg}; nothing was run)")
    return False


def key(listing):
    h = hashlib.sha256()
    for p in files_of(listing):
        h.update(str(p.relative_to(listing)).encode() + b"\0" + p.read_bytes())
    h.update(Path(__file__).read_bytes())
    h.update(PY.read_bytes()[:1 << 20])
    h.update(subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.encode())
    h.update((ROOT / "ci" / "requirements.txt").read_bytes())
    return h.hexdigest()[:20]


def env():
    e = dict(os.environ)
    e["CARGO_TARGET_DIR"] = str(DBG / "cargo")
    e["PYO3_PYTHON"] = str(PY)
    for k in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYO3_PRINT_CONFIG"):
        e.pop(k, None)
    e["CARGO_TERM_COLOR"] = "never"
    return e


def run(cmd, cwd, extra=None, expect=0):
    p = subprocess.run(cmd, cwd=cwd, env={**env(), **(extra or {})}, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    if p.returncode != expect:
        sys.exit(f"debug-python: {' '.join(map(str, cmd))} exited with {p.returncode}, expected {expect}:\n"
                 f"{p.stdout}")
    return p.stdout


def config(listing):
    """pyo3-ffi's build script prints the config it detected and stops the build (status 101)."""
    out = run(["cargo", "build", "--release", "--locked", "--quiet"], listing,
              {"PYO3_PRINT_CONFIG": "1"}, expect=101)
    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if "PYO3_PRINT_CONFIG=1 is set" in l)
    end = next(i for i, l in enumerate(lines) if i > start and "note: unset the PYO3_PRINT_CONFIG" in l)
    kept = [l.strip() for l in lines[start:end + 1] if l.strip()]
    # pyo3 prints build_flags from a hash set, in no fixed order: sort them
    # so that the page does not change from one build to the next.
    kept = [("build_flags=" + ",".join(sorted(l.split("=", 1)[1].split(","))))
            if l.startswith("build_flags=") else l for l in kept]
    return "\n".join(kept) + "\n"


def build(listing):
    wheels = DBG / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)
    out = run(["maturin", "build", "--release", "--locked", "-i", str(PY), "--out", str(wheels)], listing)
    (wheel,) = wheels.glob("*.whl")
    # Install it, with NumPy (a release wheel), for the session: NumPy's
    # wheel for the debug interpreter's version (3.11), whatever Python the
    # .venv that runs this pip has.
    shutil.rmtree(SITE, ignore_errors=True)
    SITE.mkdir(parents=True)
    numpy_pin = next(l for l in (ROOT / "ci" / "requirements.txt").read_text().splitlines()
                     if l.startswith("numpy=="))
    run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--only-binary=:all:", "--python-version", PY_VERSION, "--implementation", "cp",
         "--target", str(SITE), numpy_pin], ROOT)
    # pip runs on a release interpreter, which refuses a cp311d wheel;
    # a wheel is a zip laid out as site-packages, so unpack it there.
    with zipfile.ZipFile(wheel) as z:
        z.extractall(SITE)
    kept = [l for l in out.splitlines() if re.match(r"^(🐍|🔗|📦)", l)]
    return "\n".join(kept) + "\n"


def cached(mode, listing):
    k = key(listing)
    f = CACHE / f"{mode}-{listing.name}-{k}.txt"
    # A build's output is cached with what it installed in SITE: both or neither.
    site_key = SITE / ".built"
    stale = mode == "build" and (not site_key.exists() or site_key.read_text() != f"{listing.name}-{k}")
    if not f.exists() or stale:
        text = config(listing) if mode == "config" else build(listing)
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob(f"{mode}-{listing.name}-*.txt"):
            old.unlink()
        f.write_text(text)
        if mode == "build":
            site_key.write_text(f"{listing.name}-{k}")
    return f.read_text()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    mode = sys.argv[1]
    if not need_interpreter():
        return 0
    # One at a time: ci/test.sh runs the book's outputs beside the tests, and
    # two maturin builds in one target dir race for the file they stage
    # (run r18: "failed to rename file ... libdebugme.so"). The second
    # caller waits, then finds the first one's build in the cache.
    import fcntl
    DBG.mkdir(parents=True, exist_ok=True)
    with open(DBG / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return run_mode(mode)


def run_mode(mode):
    if mode == "python":
        print(PY)
    elif mode in ("config", "build"):
        sys.stdout.write(cached(mode, Path(sys.argv[2]).resolve()))
    elif mode == "session":
        f = Path(sys.argv[2]).resolve()
        listing = f.parent
        cached("build", listing)  # the wheel is installed in SITE
        e = {**env(), "PYTHONPATH": str(SITE), "PYTHONDONTWRITEBYTECODE": "1"}
        p = subprocess.run([str(PY), str(HERE / "pysession.py"), str(f)], env=e, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        # Fenced like `bookrun session` does it; run it with `bookrun raw`.
        print("```pycon\n" + p.stdout.rstrip("\n") + "\n```")
        return p.returncode
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
