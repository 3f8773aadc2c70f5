"""ci/checks/freethreaded_imports.py, the check that hosted CI's 3.14t job
runs over every listing module, run here under the free-threaded CPython
3.13 that set-up builds (.tools/venv-ft), which holds the two C listings
that can be built for it (PyO3 0.30 refuses 3.13t): 1-1, whose module turns
the GIL on, and 9-2, whose module keeps it off. Both must meet their
expectation, and a wrong expectation, either way round, must fail.

Then ci/checks/freethreaded_tests.py, which runs the listings' tests in
that job: those of the listings whose modules keep the GIL off in a process
the GIL must stay off in (with ci/checks/gil_stays_off.py), the others in a
process of their own. Its groups are checked over every listing; under the
3.13t it is rehearsed with 1-1 and 9-2. 9-2's own tests need SciPy,
Hypothesis and its Rust twin rlogit (listing 9-1), none of which that
interpreter has, so the rehearsal gives a copy of 9-2's folder a test of
its own (STAND_IN) that imports the real clogit built for the 3.13t.

Without the interpreter the tests that need it are skipped with a reason,
except with CI=true, where they fail.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ci" / "checks" / "freethreaded_imports.py"
RUNNER = ROOT / "ci" / "checks" / "freethreaded_tests.py"
FT_PYTHON = ROOT / ".tools" / "venv-ft" / "bin" / "python"
L1_1 = ROOT / "listings" / "ch01-skeleton" / "listing-01-01"
L9_2 = ROOT / "listings" / "ch09-ufuncs" / "listing-09-02"

sys.path.insert(0, str(SCRIPT.parent))
import freethreaded_imports  # noqa: E402
import freethreaded_tests  # noqa: E402

pytestmark = pytest.mark.skipif(
    os.environ.get("BOOK_UNDER_VALGRIND") == "1",
    reason="runs another interpreter in child processes: nothing of the listings' own to check")


@pytest.fixture(scope="module")
def ft_python():
    if not FT_PYTHON.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{FT_PYTHON} is missing: ci/setup.sh should have built it")
        pytest.skip("no free-threaded CPython: run ci/setup.sh (ci/chapters/freethreaded-python.sh)")
    return FT_PYTHON


@pytest.fixture(scope="module")
def ft(ft_python):
    def run(*args):
        return subprocess.run([sys.executable, str(SCRIPT), "--python", str(FT_PYTHON), *args],
                              capture_output=True, text=True, timeout=300)
    return run


def test_the_expectations_come_from_the_sources():
    listings = freethreaded_imports.find_listings(ROOT / "listings", None)
    got = {freethreaded_imports.number(d): freethreaded_imports.expectation(d) for d in listings}
    assert got["1-1"] == ("C", True, "no Py_mod_gil slot")
    assert got["5-3"] == ("C", True, "no Py_mod_gil slot")
    assert got["9-2"] == ("C", False, "{Py_mod_gil, Py_MOD_GIL_NOT_USED}")
    # Chapter 13: pure Python (NumPy, Numba), Cython by its directive, C by its slot.
    assert got["13-1"] == got["13-2"] == ("Python", False, "pure Python")
    assert got["13-3"] == ("Cython", False, "# cython: freethreading_compatible = True")
    assert got["13-5"] == ("C", False, "{Py_mod_gil, Py_MOD_GIL_NOT_USED}")
    rust = {n: e for n, e in got.items() if e[0] == "Rust"}
    assert len(rust) >= 15, rust
    # Every Rust listing says gil_used = false: the GIL must stay off.
    assert {e for e in rust.values()} == {("Rust", False, "#[pymodule(gil_used = false)]")}
    # A module in a comment is no declaration.
    assert freethreaded_imports.strip_c_comments("/* {Py_mod_gil, Py_MOD_GIL_NOT_USED} */ x // y") .split() == ["x"]


def test_the_c_listings_meet_their_expectations(ft):
    p = ft("--only", "1-1", "9-2")
    assert p.returncode == 0, p.stdout + p.stderr
    assert ("listing 1-1 `_extmodule` (C, no Py_mod_gil slot): GIL on after the import, with the "
            "RuntimeWarning, as expected") in p.stdout
    assert "listing 9-2 `clogit` (C, {Py_mod_gil, Py_MOD_GIL_NOT_USED}): GIL still off, as expected" in p.stdout
    assert "freethreaded-imports: 2 module(s) as expected, 0 not, 0 skipped" in p.stdout


def plant(tmp_path, listing, edit):
    """A copy of `listing` whose C source says something else: the module
    imported is still the one built from the real source."""
    copy = tmp_path / "listings" / listing.parent.name / listing.name
    shutil.copytree(listing, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    (source,) = [p for p in copy.glob("src/*.c") if "PyModuleDef" in p.read_text()]
    text = source.read_text()
    new = edit(text)
    assert new != text
    source.write_text(new)
    return tmp_path / "listings"


def test_a_module_that_turns_the_gil_on_against_its_declaration_fails(ft, tmp_path):
    # 1-1's source now declares Py_MOD_GIL_NOT_USED; its module still asks for the GIL.
    listings = plant(tmp_path, L1_1, lambda t: t + "\nstatic PyModuleDef_Slot planted[] = "
                                                  "{{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};\n")
    p = ft("--listings", str(listings))
    assert p.returncode == 1, p.stdout + p.stderr
    assert ("FAIL: listing 1-1 `_extmodule` (C, {Py_mod_gil, Py_MOD_GIL_NOT_USED}): expected the GIL to stay "
            "off; got GIL on after the import, with the RuntimeWarning") in p.stdout
    assert "1 not" in p.stdout


def test_a_module_that_keeps_the_gil_off_against_its_source_fails(ft, tmp_path):
    # 9-2's source now declares nothing; its module still says it needs no GIL.
    listings = plant(tmp_path, L9_2, lambda t: t.replace("{Py_mod_gil, Py_MOD_GIL_NOT_USED},", ""))
    p = ft("--listings", str(listings))
    assert p.returncode == 1, p.stdout + p.stderr
    assert ("FAIL: listing 9-2 `clogit` (C, no Py_mod_gil slot): expected the import to turn the GIL on, with "
            "the RuntimeWarning; got GIL off after the import, without the RuntimeWarning") in p.stdout


def test_a_module_that_is_not_installed_fails_unless_told_to_skip(ft):
    # PyO3 0.30 cannot build listing 2-2 for 3.13t, so it is not installed there.
    p = ft("--only", "1-1", "2-2")
    assert p.returncode == 1
    assert "FAIL: listing 2-2 `smooth` (Rust, #[pymodule(gil_used = false)]): import failed: " \
           "ModuleNotFoundError: No module named 'smooth'" in p.stdout
    p = ft("--only", "1-1", "2-2", "--skip-missing")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "1 module(s) as expected, 0 not, 1 skipped (not installed)" in p.stdout
    p = ft("--only", "2-2", "--skip-missing")
    assert p.returncode == 1 and "no module was checked" in p.stderr


def test_an_interpreter_with_a_gil_is_refused():
    p = subprocess.run([sys.executable, str(SCRIPT), "--python", sys.executable, "--only", "1-1"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    assert f"error: {sys.executable} is not a free-threaded CPython" in p.stderr


def test_an_unknown_listing_is_named():
    p = subprocess.run([sys.executable, str(SCRIPT), "--only", "99-1"], capture_output=True, text=True)
    assert p.returncode == 1
    assert "--only 99-1: no listing with a gate.toml is called that" in p.stderr


# ---- freethreaded_tests.py: the listings' tests in two processes -----------

def group_numbers(listings_dir):
    split = freethreaded_tests.groups(freethreaded_tests.listing_folders(listings_dir))
    return {g: [freethreaded_imports.number(d) for d, _, _ in members] for g, members in split.items()}


def test_every_rust_listing_is_in_the_gil_off_group_and_each_c_listing_where_its_source_says():
    folders = freethreaded_tests.listing_folders(ROOT / "listings")
    groups = group_numbers(ROOT / "listings")
    rust = [freethreaded_imports.number(d) for d in folders if (d / "Cargo.toml").exists()]
    c = [freethreaded_imports.number(d) for d in folders if (d / "setup.py").exists()]
    # setup.py: the C listings, and chapter 13's NumPy (13-1), Numba (13-2),
    # Cython (13-3) and C (13-5) versions of its kernels.
    assert len(rust) >= 20 and sorted(c) == ["1-1", "12-1", "13-1", "13-2", "13-3", "13-5", "5-3", "9-2"], (rust, c)
    # Listings without a gate.toml (broken on purpose) are there too.
    assert {"1-3", "2-1", "3-1", "5-1", "6-5"} <= set(rust)
    off_c = ("9-2", "12-1", "13-1", "13-2", "13-3", "13-5")
    assert groups["off"] == [n for n in map(freethreaded_imports.number, folders) if n in rust or n in off_c]
    assert groups["on"] == ["1-1", "5-3"]
    # Every test file that `pytest listings` collects lies in one of the two
    # groups' folders (the quick start's folder collects nothing: its conftest).
    tests = [f for pattern in ("test_*.py", "*_test.py") for f in (ROOT / "listings").rglob(pattern)
             if "ch00-quick-start" not in f.parts and not {"build", "target", "__pycache__"} & set(f.parts)]
    assert len(tests) >= len(folders)
    lost = [str(f.relative_to(ROOT)) for f in tests if not any(d in f.parents for d in folders)]
    assert not lost, f"test files no group runs: {lost}"


def test_the_groups_come_from_the_sources_not_from_a_list(tmp_path):
    # A Rust listing that asks for the GIL goes to the GIL-on group...
    rust = ROOT / "listings" / "ch08-threads" / "listing-08-02"
    copy = tmp_path / "listings" / rust.parent.name / rust.name
    shutil.copytree(rust / "src", copy / "src")
    shutil.copy(rust / "Cargo.toml", copy / "Cargo.toml")
    lib = copy / "src" / "lib.rs"
    text = lib.read_text()
    assert "gil_used = false" in text
    lib.write_text(text.replace("gil_used = false", "gil_used = true"))
    # ... and listing 1-1, given the slot, to the GIL-off one.
    plant(tmp_path, L1_1, lambda t: t + "\nstatic PyModuleDef_Slot planted[] = "
                                       "{{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};\n")
    assert group_numbers(tmp_path / "listings") == {"off": ["1-1"], "on": ["8-2"]}


def test_only_the_gil_off_process_has_the_warning_as_error_and_the_end_check():
    p = subprocess.run([sys.executable, str(RUNNER), "--list", "--only", "1-1", "9-2"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    commands = [line[2:] for line in p.stdout.splitlines() if line.startswith("+ ")]
    assert commands == [
        f"{sys.executable} -W error::RuntimeWarning -m pytest -c ci/pytest.ini --rootdir . -p ci.checks.gil_stays_off "
        "listings/ch09-ufuncs/listing-09-02",
        f"{sys.executable} -m pytest -c ci/pytest.ini --rootdir . listings/ch01-skeleton/listing-01-01"], p.stdout


def test_the_runner_refuses_an_interpreter_with_a_gil():
    p = subprocess.run([sys.executable, str(RUNNER), "--only", "9-2"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert f"error: {sys.executable} is not a free-threaded CPython with the GIL off" in p.stderr


# What the copy of listing 9-2 runs under the 3.13t instead of its own tests:
# the real clogit, on eight threads at once, with the GIL off.
STAND_IN = """\
import sys
import threading

import numpy as np
from clogit import logit


def test_logit_on_eight_threads_without_the_gil():
    p = np.linspace(0.01, 0.99, 99)
    want = np.log(p / (1 - p))
    results = [None] * 8

    def work(i):
        for _ in range(50):
            results[i] = logit(p)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got in results:
        np.testing.assert_allclose(got, want, rtol=1e-12)
    assert not sys._is_gil_enabled()
"""


def rehearsal_tree(tmp_path, planted=None, planted_name="test_planted.py"):
    """listings/ with a copy of 1-1 (its own tests) and of 9-2 (its
    sources, and STAND_IN for its tests), plus a planted test file."""
    one = tmp_path / "listings" / L1_1.parent.name / L1_1.name
    shutil.copytree(L1_1, one, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    nine = tmp_path / "listings" / L9_2.parent.name / L9_2.name
    shutil.copytree(L9_2, nine, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
    (nine / "tests").mkdir()
    (nine / "tests" / "test_clogit_stand_in.py").write_text(STAND_IN)
    if planted:
        (nine / "tests" / planted_name).write_text(planted)
    return tmp_path / "listings"


def run_runner(python, listings):
    return subprocess.run([sys.executable, str(RUNNER), "--python", str(python), "--listings", str(listings)],
                          capture_output=True, text=True, timeout=600)


def test_rehearsal_each_group_in_its_process_and_the_gil_stays_off(ft_python, tmp_path):
    listings = rehearsal_tree(tmp_path)
    p = run_runner(ft_python, listings)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out
    off, on = out.split("==> GIL on:")
    assert "listing 9-2 (C, {Py_mod_gil, Py_MOD_GIL_NOT_USED})" in off and "listing 1-1" not in off
    assert (f"+ {ft_python} -W error::RuntimeWarning -m pytest -c ci/pytest.ini --rootdir . "
            f"-p ci.checks.gil_stays_off {listings}/ch09-ufuncs/listing-09-02\n") in off
    assert "tests/test_clogit_stand_in.py ." in off
    assert "gil_stays_off: the GIL is still off at the end of this process" in off
    assert "listing 1-1 (C, no Py_mod_gil slot)" in on
    assert f"+ {ft_python} -m pytest -c ci/pytest.ini --rootdir . {listings}/ch01-skeleton/listing-01-01\n" in on
    # In that process the GIL comes on, as expected, and nothing checks it.
    assert "has been enabled to load module '_extmodule'" in on and "gil_stays_off" not in on
    assert "freethreaded-tests: 2 process(es), all passed" in on


PLANTED_AT_COLLECTION = "import _extmodule  # noqa: F401\n"
PLANTED_AND_SWALLOWED = """\
def test_swallows_the_error():
    try:
        import _extmodule  # noqa: F401
    except RuntimeWarning:
        pass
"""


# test_a_... is collected before the stand-in's file, test_z_... runs after its test.
@pytest.mark.parametrize("planted, name, where", [
    (PLANTED_AT_COLLECTION, "test_a_planted.py", "while collecting tests/test_a_planted.py"),
    (PLANTED_AND_SWALLOWED, "test_z_planted.py", "during the test tests/test_z_planted.py::test_swallows_the_error"),
], ids=["import-fails-at-collection", "error-caught-by-a-test"])
def test_rehearsal_a_gil_enabling_import_in_the_gil_off_group_fails_naming_it(ft_python, tmp_path, planted, name,
                                                                             where):
    p = run_runner(ft_python, rehearsal_tree(tmp_path, planted, name))
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    off, on = out.split("==> GIL on:")
    if planted is PLANTED_AT_COLLECTION:
        # -W error::RuntimeWarning: the import itself fails.
        assert ("E   RuntimeWarning: The global interpreter lock (GIL) has been enabled to load module "
                "'_extmodule'") in off
    else:
        # The test caught that error and passed, as did the stand-in before
        # it; the end check still fails the run.
        assert re.search(r"=+ 2 passed[,\s]", off), off
    assert f"gil_stays_off: FAIL: the GIL is on at the end of this process; it came on {where}" in off
    assert re.search(r"\n  `_extmodule` \(\S+/_extmodule\.\S+\.so\) turns the GIL on when imported on its own, in a "
                     r"fresh interpreter: The global interpreter lock \(GIL\) has been enabled to load module "
                     r"'_extmodule'", off), off
    # Only the module that turned it on is named, not NumPy's extension
    # modules: test_a_planted.py is collected first, so _extmodule's
    # import_array() imports NumPy in the same place.
    assert off.count("turns the GIL on when imported") == 1
    assert "freethreaded-tests: 2 process(es), failed: the GIL-off group (status 1)" in on


def test_rehearsal_a_listing_whose_module_turns_the_gil_on_against_its_source_fails(ft_python, tmp_path):
    # 1-1's source now declares Py_MOD_GIL_NOT_USED, so its tests join the
    # GIL-off group; its module, built from the real source, asks for the GIL.
    listings = plant(tmp_path, L1_1, lambda t: t + "\nstatic PyModuleDef_Slot planted[] = "
                                                  "{{Py_mod_gil, Py_MOD_GIL_NOT_USED}, {0, NULL}};\n")
    p = run_runner(ft_python, listings)
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "==> GIL on:" not in out
    assert "listing 1-1 (C, {Py_mod_gil, Py_MOD_GIL_NOT_USED})" in out
    assert "E   RuntimeWarning: The global interpreter lock (GIL) has been enabled to load module '_extmodule'" in out
    assert "`_extmodule` (" in out and "turns the GIL on when imported on its own" in out
    assert "failed: the GIL-off group (status 1)" in out


@pytest.mark.parametrize("flags, message", [
    ([], "run this process with -W error::RuntimeWarning"),
    (["-X", "gil=0", "-W", "error::RuntimeWarning"], "the GIL is forced off (PYTHON_GIL=0 or -X gil=0)"),
    (["-X", "gil=1", "-W", "error::RuntimeWarning"], "the GIL is on before any test"),
], ids=["no-W-error", "gil-forced-off", "gil-on-from-the-start"])
def test_the_end_check_refuses_a_process_that_would_prove_nothing(ft_python, tmp_path, flags, message):
    listings = rehearsal_tree(tmp_path)
    p = subprocess.run([str(ft_python), *flags, "-m", "pytest", "-c", "ci/pytest.ini", "--rootdir", ".",
                        "-p", "ci.checks.gil_stays_off", str(listings / L9_2.parent.name / L9_2.name)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 4, p.stdout + p.stderr  # pytest's usage error
    assert f"ERROR: gil_stays_off: {message}" in p.stderr
