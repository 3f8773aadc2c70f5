"""Runs every listing's tests under a free-threaded CPython, in two
processes, so that the tests of the modules that can run without the GIL
really run without it (chapter 8, "`gil_used` and free-threaded CPython").

Importing one module that has not declared that it can run without the GIL
turns the GIL on for the whole process, for good. Every listing's tests in
one pytest process would run, after the first C listing's, with a GIL, and
prove nothing about running without one. So the listings are split by
what their source declares (ci/checks/freethreaded_imports.py, expectation):

  GIL off   every Rust listing with gil_used = false (every one the book
            has), and every C listing with {Py_mod_gil, Py_MOD_GIL_NOT_USED}
            (9-2). Their tests run in one process started with
            `-W error::RuntimeWarning`, so that a module that turns the GIL
            on fails its import, and with the pytest plugin
            ci/checks/gil_stays_off.py, which fails the run if the GIL is
            on at its end, naming the module that turned it on.
  GIL on    the C listings that declare nothing (1-1 and 5-3, on purpose)
            and any listing that asks for the GIL: their tests run in a
            process of their own, where the GIL coming on is expected.

A listing is a folder listings/chNN-*/listing-NN-MM (or no-listing-NN-*),
as ci/listing-tools/book_listings.py finds them; pytest is given the folder,
as `pytest listings` would collect it.

  python ci/checks/freethreaded_tests.py                  both groups
  python ci/checks/freethreaded_tests.py --list           print the groups and the commands, run nothing
  --only LISTING ...   only these listings (9-2, listing-09-02, ...)
  --group off|on       only that group
  --python PATH        the free-threaded interpreter (default: this one)
  --listings DIR       the listings folder to read (default: the book's)

Hosted CI runs it in the 3.14t job of .github/workflows/ci.yml. Here, under
the 3.13t that set-up builds, only the C listings 1-1 and 9-2 can be built
(PyO3 0.30 refuses 3.13t), so ci/tests/test_freethreaded_imports.py
rehearses it with those two.
"""

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import freethreaded_imports  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# The plugin, by module name: pytest runs from ROOT, where `ci` is a package
# (a namespace package: a folder without __init__.py).
PLUGIN = "ci.checks.gil_stays_off"
PYTEST = ["-m", "pytest", "-c", "ci/pytest.ini", "--rootdir", "."]
TITLES = {"off": "GIL off: these listings' modules keep it off; their tests run in a process it must stay off in",
          "on": "GIL on: these listings' modules turn it on; their tests run in a process of their own"}


def listing_folders(listings_dir: Path):
    """Every listing folder, as book_listings.py's listings() finds them."""
    return [d for chapter in sorted(listings_dir.glob("ch*")) if chapter.is_dir()
            for d in sorted(chapter.iterdir())
            if d.is_dir() and d.name.startswith(("listing-", "no-listing-"))]


def select(folders, only):
    if not only:
        return folders
    by_name = {}
    for d in folders:
        for key in (freethreaded_imports.number(d), d.name):
            by_name[key] = d
    chosen = []
    for name in only:
        d = by_name.get(name.rstrip("/")) or by_name.get(Path(name.rstrip("/")).name)
        if d is None:
            raise SystemExit(f"error: --only {name}: no listing folder is called that (use its number, like 9-2, "
                             f"or its folder)")
        chosen.append(d)
    return chosen


def groups(folders):
    """{"off": [(folder, kind, why)], "on": [...]}, from each listing's source."""
    out = {"off": [], "on": []}
    for d in folders:
        kind, want_on, why = freethreaded_imports.expectation(d)
        out["on" if want_on else "off"].append((d, kind, why))
    return out


def shown(path: Path):
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def command(python, group, members):
    paths = [shown(d) for d, _, _ in members]
    if group == "off":
        return [python, "-W", "error::RuntimeWarning", *PYTEST, "-p", PLUGIN, *paths]
    return [python, *PYTEST, *paths]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", default=sys.executable, help="the free-threaded interpreter (default: this one)")
    ap.add_argument("--only", nargs="+", metavar="LISTING", help="only these listings (9-2, listing-09-02, ...)")
    ap.add_argument("--group", choices=("off", "on"), help="only this group")
    ap.add_argument("--listings", type=Path, default=ROOT / "listings", help="the listings folder to read")
    ap.add_argument("--list", action="store_true", help="print the groups and the commands, run nothing")
    a = ap.parse_args(argv)
    folders = select(listing_folders(a.listings.resolve()), a.only)
    if not folders:
        raise SystemExit(f"error: no listing folder under {a.listings}")
    split = groups(folders)
    todo = [g for g in ("off", "on") if split[g] and a.group in (None, g)]
    if not todo:
        raise SystemExit(f"error: no listing of the group {a.group!r} among those chosen")
    # PYTHON_GIL would decide the GIL instead of the modules; PYTHONWARNINGS
    # would add filters to the commands' own.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_GIL", "PYTHONWARNINGS")}
    if not a.list:
        probe = subprocess.run([a.python, "-c", "import sys, sysconfig; print(sysconfig.get_config_var("
                                "'Py_GIL_DISABLED') == 1 and not sys._is_gil_enabled())"],
                               capture_output=True, text=True, env=env)
        if probe.stdout.strip() != "True":
            raise SystemExit(f"error: {a.python} is not a free-threaded CPython with the GIL off at start "
                             f"(sysconfig's Py_GIL_DISABLED, -X gil) {probe.stderr.strip()}")
    failed = []
    for g in todo:
        print(f"==> {TITLES[g]}", flush=True)
        for d, kind, why in split[g]:
            print(f"  listing {freethreaded_imports.number(d)} ({kind}, {why})")
        cmd = command(a.python, g, split[g])
        print("+ " + shlex.join(cmd), flush=True)
        if a.list:
            continue
        rc = subprocess.run(cmd, cwd=ROOT, env=env).returncode
        if rc:
            failed.append(f"the GIL-{g} group (status {rc})")
    if a.list:
        return 0
    print(f"freethreaded-tests: {len(todo)} process(es), {'failed: ' + ', '.join(failed) if failed else 'all passed'}, "
          f"under {a.python}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
