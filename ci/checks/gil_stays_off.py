"""A pytest plugin for a free-threaded CPython: the run fails if the GIL is on
at its end, and names the module that turned it on.

ci/checks/freethreaded_tests.py loads it (`-p ci.checks.gil_stays_off`, from
the repository's root) into the process that runs the tests of the listings
whose modules keep the GIL off, started with `-W error::RuntimeWarning`.
Importing a module that has not declared it can run without the GIL turns
the GIL on for the whole process, for good, and warns (a RuntimeWarning);
that option makes the warning an error, so the import fails where it
happens. The GIL is on all the same, and a test can catch the error, so
this plugin also looks after every collection and every test whether the
GIL came on, remembers where, and at the end of the session:

  GIL off   says so, with how many extension modules the process loaded;
  GIL on    fails the run (exit status 1), naming where it came on and the
            module: each extension module whose import began there is
            imported again in a fresh interpreter of its own, and the one
            that turns the GIL on there is the culprit.

At the start it refuses an interpreter that is not free-threaded, a GIL
already on, a GIL forced off (PYTHON_GIL=0 or -X gil=0: then no module can
turn it on, and the check would prove nothing), and a process without
`-W error::RuntimeWarning`.
"""

import importlib.machinery
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import warnings

import pytest

try:  # loaded as ci.checks.gil_stays_off, or with ci/checks on sys.path
    from . import freethreaded_imports
except ImportError:
    import freethreaded_imports

# The warning CPython gives (Python/import.c, _PyImport_CheckGILForModule).
GIL_WARNING = "The global interpreter lock (GIL) has been enabled to load module"


def gil_enabled():
    return sys._is_gil_enabled()


class ImportRecorder:
    """A finder first on sys.meta_path that finds nothing: it only writes
    down the name of every module an import looks for (a module already
    imported is not looked for again), `import` or importlib alike."""

    def __init__(self):
        self.names = []

    def find_spec(self, name, path=None, target=None):
        self.names.append(name)
        return None


def extension_file(name):
    """The file of module `name` if it is an extension module, else None.
    A module whose import failed on the GIL's warning can still be in
    sys.modules, without a spec (1-1's `_extmodule`, a single-phase module,
    under 3.13t)."""
    module = sys.modules.get(name)
    origin = getattr(module, "__file__", None) if module is not None else None
    if not origin:
        spec = getattr(module, "__spec__", None) if module is not None else None
        if spec is None:
            parent = sys.modules.get(name.rpartition(".")[0]) if "." in name else None
            try:
                spec = importlib.machinery.PathFinder.find_spec(name, getattr(parent, "__path__", None))
            except Exception:  # noqa: BLE001 (a module not on the path: not an extension we can name)
                spec = None
        origin = getattr(spec, "origin", None)
    origin = str(origin or "")
    return origin if origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) else None


def alone(name):
    """Import `name` in a fresh interpreter of this kind, found on this
    process's sys.path: (GIL on after it, the RuntimeWarnings, an error)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_GIL", "PYTHONWARNINGS")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    with tempfile.TemporaryDirectory() as cwd:
        p = subprocess.run([sys.executable, "-c", freethreaded_imports.CHILD, name], capture_output=True, text=True,
                           env=env, cwd=cwd, timeout=300)
    try:
        got = json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return None, [], f"the child process failed (status {p.returncode}): {p.stderr.strip()[-500:]}"
    return got["after"], got["warnings"], got["error"]


class GilWatch:
    def __init__(self, config):
        self.config = config
        self.recorder = ImportRecorder()
        self.came_on = None  # (where, names looked for there)
        self.verdict = None  # the lines of the end check

    # --- the watch: after each collection and each test ----------------------

    def mark(self):
        return gil_enabled(), len(self.recorder.names)

    def check(self, mark, where):
        """Write down `where`, and the modules looked for since `mark`, if
        the GIL was off at `mark` and is on now (the first time only)."""
        was_on, start = mark
        if not was_on and gil_enabled() and self.came_on is None:
            self.came_on = (where, self.recorder.names[start:])

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector):
        mark = self.mark()
        try:
            return (yield)
        finally:
            self.check(mark, f"while collecting {collector.nodeid or collector.name}")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        mark = self.mark()
        try:
            return (yield)
        finally:
            self.check(mark, f"during the test {item.nodeid} (its set-up, call or tear-down)")

    # --- the end check ---------------------------------------------------------

    def culprits(self, names):
        """[(module, file, what a fresh interpreter saw)] for each extension
        module among `names` that turns the GIL on by itself."""
        found, seen = [], set()
        for name in names:
            if name in seen:
                continue
            seen.add(name)
            path = extension_file(name)
            if path is None:
                continue
            on, warned, error = alone(name)
            if on:
                found.append((name, path, "; ".join(warned) or "no warning"))
            elif error:
                found.append((name, path, f"could not be imported on its own ({error}): a suspect, not a proof"))
        return found

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session, exitstatus):
        extensions = sorted({n for n in self.recorder.names if n in sys.modules and extension_file(n)})
        if not gil_enabled():
            self.verdict = [f"gil_stays_off: the GIL is still off at the end of this process "
                            f"({len(extensions)} extension module(s) imported during the run, none turned it on)"]
            return
        if self.came_on is None:
            where, names = "outside any collection or test (a plugin, or pytest's start-up)", self.recorder.names
        else:
            where, names = self.came_on
        lines = [f"gil_stays_off: FAIL: the GIL is on at the end of this process; it came on {where}."]
        found = self.culprits(names)
        for name, path, why in found:
            lines.append(f"  `{name}` ({path}) turns the GIL on when imported on its own, in a fresh "
                         f"interpreter: {why}")
        if not found:
            looked = sorted({n for n in names if extension_file(n)})
            lines.append(f"  No extension module imported there turns it on by itself (extension modules looked "
                         f"for there: {', '.join(looked) or 'none'}).")
        lines.append("  This process runs only the tests of listings whose modules keep the GIL off "
                     "(ci/checks/freethreaded_tests.py): a module that turns it on takes the parallelism away "
                     "from every module of the program (chapter 8). Declare Py_MOD_GIL_NOT_USED or "
                     "gil_used = false if it is true, or test it with the listings that turn the GIL on.")
        self.verdict = lines
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if self.verdict:
            terminalreporter.section("gil_stays_off", sep="-", red=gil_enabled(), green=not gil_enabled())
            for line in self.verdict:
                terminalreporter.write_line(line)


def warns_as_error():
    """Would CPython's GIL warning be an error here (-W error::RuntimeWarning)?"""
    with warnings.catch_warnings(record=True):
        try:
            warnings.warn_explicit(f"{GIL_WARNING} 'probe'", RuntimeWarning, "<frozen importlib._bootstrap>", 1,
                                   module="importlib._bootstrap", registry={})
        except RuntimeWarning:
            return True
    return False


def pytest_configure(config):
    if sysconfig.get_config_var("Py_GIL_DISABLED") != 1:
        raise pytest.UsageError(f"gil_stays_off: {sys.executable} is not a free-threaded CPython")
    if getattr(sys.flags, "gil", None) == 0:
        raise pytest.UsageError("gil_stays_off: the GIL is forced off (PYTHON_GIL=0 or -X gil=0): no module can "
                                "turn it on, so this check would prove nothing")
    if gil_enabled():
        raise pytest.UsageError("gil_stays_off: the GIL is on before any test (PYTHON_GIL=1, -X gil=1, or a module "
                                "imported at start-up, such as a plugin)")
    if not warns_as_error():
        raise pytest.UsageError("gil_stays_off: run this process with -W error::RuntimeWarning, so that a module "
                                "that turns the GIL on fails its import")
    watch = GilWatch(config)
    sys.meta_path.insert(0, watch.recorder)
    config.pluginmanager.register(watch, "gil_stays_off_watch")
