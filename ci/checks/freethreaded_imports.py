"""Imports every listing module under a free-threaded CPython, each in a
process of its own, and checks that the GIL ends up as the listing's source
says it must (chapter 8, "`gil_used` and free-threaded CPython").

A module that has not declared that it can run without the GIL turns the GIL
on for the whole process when it is imported (with a RuntimeWarning naming
it), and the GIL then stays on for every module imported after it. So each
module gets a fresh interpreter, and the expectation comes from its source:

  Rust listing  `#[pymodule(gil_used = false)]`, the declaration every Rust
                listing carries (book_listings.py check insists on it): the
                GIL stays off, and no warning. `gil_used = true`: it goes on.
  Cython        `# cython: freethreading_compatible = True` (listing 13-3):
                the GIL stays off; without it, it goes on.
  Python        a listing with no extension of its own (listings 13-1 and
                13-2): the GIL stays off, unless a module it imports turns
                it on, which fails the check.
  C listing     `{Py_mod_gil, Py_MOD_GIL_NOT_USED}` in its module slots (or
                `PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED)`): the GIL
                stays off, as for listing 9-2's `clogit`. Without either, as
                in listings 1-1 (`_extmodule`) and 5-3 (`ccookbook`), which
                predate free-threading on purpose: the GIL goes on, with the
                warning.

Either mismatch fails, naming the module and the listing: a module that
turns the GIL on although its source says it need not, and a module that
leaves it off although its source declares nothing (then the check, or the
interpreter, is not what it seems).

The modules are those of the listings that have a gate.toml (its `module`
line): every listing that is not broken on purpose.

  python ci/checks/freethreaded_imports.py                 every listing
  python ci/checks/freethreaded_imports.py --only 1-1 9-2  those listings
  --python PATH        the free-threaded interpreter (default: this one)
  --skip-missing       a module that is not installed is skipped, not failed
  --listings DIR       the listings folder to read (default: the book's)

Hosted CI runs it in the 3.14t job of .github/workflows/ci.yml; here, under
the 3.13t that set-up builds, only the C listings can be built (PyO3 0.30
refuses 3.13t), so ci/tests/test_freethreaded_imports.py runs it for 1-1 and
9-2.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What runs in each child: is the interpreter free-threaded, is the GIL off
# before the import, the import itself with every warning recorded, and the
# GIL after it. Printed as one JSON line.
CHILD = r"""
import importlib, json, sys, sysconfig, warnings
name = sys.argv[1]
out = {"free_threaded": sysconfig.get_config_var("Py_GIL_DISABLED") == 1,
       "before": getattr(sys, "_is_gil_enabled", lambda: True)()}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        importlib.import_module(name)
        out["error"] = None
    except ImportError as e:
        out["error"] = f"{type(e).__name__}: {e}"
        out["missing"] = isinstance(e, ModuleNotFoundError) and e.name == name
out["after"] = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
out["warnings"] = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
print(json.dumps(out))
"""


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


def strip_rust_comments(text):
    return re.sub(r"//[^\n]*", " ", text)


def expectation(listing: Path):
    """(kind, gil_expected_on, why) from the listing's source."""
    if (listing / "Cargo.toml").exists():
        sources = "\n".join(strip_rust_comments(p.read_text()) for p in sorted(listing.glob("src/**/*.rs")))
        decls = re.findall(r"#\[pymodule\s*\(([^)]*)\)\s*\]", sources)
        used = [m.group(1) for d in decls for m in [re.search(r"\bgil_used\s*=\s*(true|false)\b", d)] if m]
        if "true" in used:
            return "Rust", True, "#[pymodule(gil_used = true)]"
        if used:
            return "Rust", False, "#[pymodule(gil_used = false)]"
        # PyO3 0.28 and later declare gil_used = false when a module says nothing.
        return "Rust", False, "#[pymodule] without gil_used (PyO3's default since 0.28: false)"
    if (listing / "setup.py").exists():
        # Chapter 13's Cython listing: a module-level directive declares it.
        pyx = "\n".join(p.read_text() for p in sorted(listing.glob("src/**/*.pyx")))
        if pyx:
            if re.search(r"^#\s*cython:.*\bfreethreading_compatible\s*=\s*True\b", pyx, re.M):
                return "Cython", False, "# cython: freethreading_compatible = True"
            return "Cython", True, "no freethreading_compatible directive"
        if not list(listing.glob("src/**/*.c")):
            # Chapter 13's NumPy and Numba listings: Python modules, with no
            # extension of their own that could ask for the GIL.
            return "Python", False, "pure Python"
        sources = "\n".join(strip_c_comments(p.read_text()) for p in sorted(listing.glob("src/**/*.c")))
        slot = re.search(r"\{\s*Py_mod_gil\s*,\s*(Py_MOD_GIL_NOT_USED|Py_MOD_GIL_USED)\s*\}", sources)
        call = re.search(r"PyUnstable_Module_SetGIL\s*\([^,]+,\s*(Py_MOD_GIL_NOT_USED|Py_MOD_GIL_USED)\s*\)", sources)
        found = slot or call
        if found:
            how = f"{{Py_mod_gil, {found.group(1)}}}" if slot else f"PyUnstable_Module_SetGIL(..., {found.group(1)})"
            return "C", found.group(1) == "Py_MOD_GIL_USED", how
        return "C", True, "no Py_mod_gil slot"
    raise SystemExit(f"error: {listing}: neither Cargo.toml nor setup.py, so its kind is unknown")


def number(listing: Path):
    """listing-09-02 -> "9-2", as the book numbers it."""
    m = re.fullmatch(r"listing-(\d+)-(\d+)", listing.name)
    return f"{int(m.group(1))}-{int(m.group(2))}" if m else listing.name


def find_listings(listings_dir: Path, only):
    found = [p.parent for p in sorted(listings_dir.glob("*/*/gate.toml"))]
    if not only:
        return found
    by_name = {}
    for d in found:
        for key in (number(d), d.name, str(d.relative_to(listings_dir.parent))):
            by_name[key] = d
    chosen = []
    for name in only:
        d = by_name.get(name.rstrip("/"))
        if d is None:
            raise SystemExit(f"error: --only {name}: no listing with a gate.toml is called that "
                             f"(use its number, like 9-2, or its folder)")
        chosen.append(d)
    return chosen


def check(python, listing, skip_missing):
    """(status, line): status is "ok", "skip" or "fail"."""
    module = tomllib.loads((listing / "gate.toml").read_text())["module"]
    kind, want_on, why = expectation(listing)
    label = f"listing {number(listing)} `{module}` ({kind}, {why})"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_GIL", "PYTHONWARNINGS")}
    # A folder of its own: nothing in the current directory can shadow the module.
    with tempfile.TemporaryDirectory() as cwd:
        p = subprocess.run([python, "-c", CHILD, module], capture_output=True, text=True, env=env, cwd=cwd,
                           timeout=300)
    try:
        got = json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return "fail", f"{label}: the child process failed (status {p.returncode}):\n{p.stdout}{p.stderr}"
    if not got["free_threaded"]:
        raise SystemExit(f"error: {python} is not a free-threaded CPython (Py_GIL_DISABLED is not 1)")
    if got["before"]:
        raise SystemExit(f"error: {python} starts with the GIL on (PYTHON_GIL=1 or -X gil=1 somewhere?)")
    if got["error"]:
        if skip_missing and got.get("missing"):
            return "skip", f"{label}: not installed for {python}: skipped (--skip-missing)"
        return "fail", f"{label}: import failed: {got['error']}"
    warned = [w for w in got["warnings"] if "(GIL) has been enabled" in w and f"'{module}'" in w]
    on = got["after"]
    if want_on and on and warned:
        return "ok", f"{label}: GIL on after the import, with the RuntimeWarning, as expected"
    if not want_on and not on and not warned:
        return "ok", f"{label}: GIL still off, as expected"
    got_text = f"GIL {'on' if on else 'off'} after the import, {'with' if warned else 'without'} the RuntimeWarning"
    if want_on:
        return "fail", (f"{label}: expected the import to turn the GIL on, with the RuntimeWarning; got {got_text}. "
                        f"Its source asks for the GIL, so the module installed is not built from this source, "
                        f"or the interpreter no longer turns the GIL on for such a module")
    return "fail", (f"{label}: expected the GIL to stay off; got {got_text} "
                    f"({'; '.join(got['warnings']) or 'no warning'}). Its source says it runs without one; one "
                    f"module that turns the GIL on takes the parallelism away from every module of the program "
                    f"(chapter 8). Rebuild it from this source, or correct its declaration")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", default=sys.executable, help="the free-threaded interpreter (default: this one)")
    ap.add_argument("--only", nargs="+", metavar="LISTING", help="only these listings (9-2, listing-09-02, ...)")
    ap.add_argument("--skip-missing", action="store_true", help="skip a module that is not installed")
    ap.add_argument("--listings", type=Path, default=ROOT / "listings", help="the listings folder to read")
    a = ap.parse_args(argv)
    listings = find_listings(a.listings.resolve(), a.only)
    if not listings:
        raise SystemExit(f"error: no listing with a gate.toml under {a.listings}")
    counts = {"ok": 0, "skip": 0, "fail": 0}
    for listing in listings:
        status, line = check(a.python, listing, a.skip_missing)
        counts[status] += 1
        print(("FAIL: " if status == "fail" else "") + line, flush=True)
    print(f"freethreaded-imports: {counts['ok']} module(s) as expected, {counts['fail']} not, "
          f"{counts['skip']} skipped (not installed), under {a.python}")
    if counts["ok"] == 0 and not counts["fail"]:
        print("error: no module was checked", file=sys.stderr)
        return 1
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
