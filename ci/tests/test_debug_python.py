"""Chapter 2's claims about a debug interpreter (Debian's python3.11-dbg),
checked on the outputs the chapter embeds (ci/chapters/debug-python.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ci" / "chapters" / "debug-python.py"
LISTING = ROOT / "listings" / "ch02-debugging" / "listing-02-01"
PY = ROOT / "target" / "debug-python" / "root" / "usr" / "bin" / "python3.11d"

needs_dbg = pytest.mark.skipif(
    not PY.exists() and os.environ.get("CI") != "true",
    reason="no debug interpreter: ci/setup.sh unpacks Debian's python3.11-dbg (needs apt-get)")


def run(*args):
    p = subprocess.run([sys.executable, SCRIPT, *map(str, args)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


@needs_dbg
def test_pyo3_detects_py_debug():
    cfg = dict(line.split("=", 1) for line in run("config", LISTING).splitlines() if "=" in line
               and not line.startswith("--"))
    assert cfg["build_flags"] == "Py_DEBUG,Py_REF_DEBUG"  # sorted by ci/chapters/debug-python.py
    assert cfg["target_abi"].endswith("-debug")
    assert cfg["lib_name"] == "python3.11d"


@needs_dbg
def test_maturin_tags_the_wheel_for_the_debug_abi():
    out = run("build", LISTING)
    assert "Found CPython 3.11d" in out
    assert "-cp311-cp311d-" in out


@needs_dbg
def test_debug_interpreter_loads_the_debug_extension_and_release_numpy():
    out = run("session", LISTING / "debug_python.py")
    assert out.startswith("```pycon\n") and out.rstrip().endswith("```")
    lines = out.splitlines()
    after = {lines[i]: lines[i + 1] for i in range(len(lines) - 1) if lines[i].startswith(">>> ")}
    assert after['>>> hasattr(sys, "gettotalrefcount")  # only a Py_DEBUG build has it'] == "True"
    assert after['>>> debugme.debugme.__file__.rsplit("/", 1)[-1]'] == "'debugme.cpython-311d-x86_64-linux-gnu.so'"
    # NumPy is the ordinary release wheel: since 3.8 a debug build on Unix loads it.
    # It is the one for 3.11, the debug interpreter's version, whichever Python
    # the .venv running this test has (3.11 to 3.14).
    assert after['>>> np._core._multiarray_umath.__file__.rsplit("/", 1)[-1]'] == \
        "'_multiarray_umath.cpython-311-x86_64-linux-gnu.so'"
    assert after[">>> importlib.machinery.EXTENSION_SUFFIXES"].startswith(
        "['.cpython-311d-x86_64-linux-gnu.so', '.cpython-311-x86_64-linux-gnu.so'")
    assert after[">>> debugme.moving_mean(np.arange(5.0), 2)"] == "array([0.5, 1.5, 2.5, 3.5])"


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    """ci/checks/lint-workflows.sh is a real check: actionlint fails on a bad workflow."""
    import shutil

    if shutil.which("actionlint") is None:
        pytest.skip("actionlint is installed by ci/setup.sh (ci/requirements.txt)")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ${{ matrix.os }}\n    steps:\n"
                   "      - uses: actions/checkout@v5\n        with: {nope: 1}\n")
    p = subprocess.run(["actionlint", "-no-color", str(bad)], capture_output=True, text=True)
    assert p.returncode == 1, p.stdout
    assert "matrix" in p.stdout and "nope" in p.stdout
    good = subprocess.run(["actionlint", "-no-color", str(ROOT / ".github" / "workflows" / "ci.yml")],
                          capture_output=True, text=True)
    assert good.returncode == 0, good.stdout
