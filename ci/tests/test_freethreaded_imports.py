"""ci/checks/freethreaded_imports.py, the check that hosted CI's 3.14t job
runs over every listing module, run here under the free-threaded CPython
3.13 that set-up builds (.tools/venv-ft), which holds the two C listings
that can be built for it (PyO3 0.30 refuses 3.13t): 1-1, whose module turns
the GIL on, and 9-2, whose module keeps it off. Both must meet their
expectation, and a wrong expectation, either way round, must fail.

Without the interpreter the tests that need it are skipped with a reason,
except with CI=true, where they fail.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ci" / "checks" / "freethreaded_imports.py"
FT_PYTHON = ROOT / ".tools" / "venv-ft" / "bin" / "python"
L1_1 = ROOT / "listings" / "ch01-skeleton" / "listing-01-01"
L9_2 = ROOT / "listings" / "ch09-ufuncs" / "listing-09-02"

sys.path.insert(0, str(SCRIPT.parent))
import freethreaded_imports  # noqa: E402

pytestmark = pytest.mark.skipif(
    os.environ.get("BOOK_UNDER_VALGRIND") == "1",
    reason="runs another interpreter in child processes: nothing of the listings' own to check")


@pytest.fixture(scope="module")
def ft():
    if not FT_PYTHON.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{FT_PYTHON} is missing: ci/setup.sh should have built it")
        pytest.skip("no free-threaded CPython: run ci/setup.sh (ci/chapters/freethreaded-python.sh)")

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
