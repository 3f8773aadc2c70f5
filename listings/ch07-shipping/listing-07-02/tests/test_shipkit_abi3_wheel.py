"""Listing 7-2 as a user gets it: one abi3 wheel, built once (kept under
target/ch07/ by a hash of the crate's files), installed into a fresh
virtualenv of every CPython on this machine that it supports, and tested in
each; refused by an older one; clean for abi3audit."""

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parents[1]
ROOT = HERE.parents[2]
OUT = ROOT / "target" / "ch07"
UV = Path(sys.executable).with_name("uv")

pytestmark = pytest.mark.skipif(
    os.environ.get("BOOK_UNDER_VALGRIND") == "1",
    reason="builds a wheel and spawns fresh virtualenvs: nothing of the module's own memory use to check",
)


def run(*cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{cmd} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def version_of(python):
    out = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2], sys.implementation.name, "
                          "bool(getattr(sys, '_is_gil_enabled', lambda: True)() is False))"],
                         capture_output=True, text=True)
    m = re.fullmatch(r"\((\d+), (\d+)\) cpython False\n", out.stdout)
    return (int(m[1]), int(m[2])) if m else None


def cpythons():
    """Every CPython (GIL build) on this machine: this one, pyenv's, and
    python3.X on PATH; one interpreter per version."""
    found = {sys.version_info[:2]: sys.executable}
    roots = {os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv"), "/opt/pyenv"}
    candidates = sorted(p for r in roots if r for p in glob.glob(os.path.join(r, "versions/3.*/bin/python3")))
    candidates += [shutil.which(f"python3.{m}") for m in range(8, 20)]
    for c in filter(None, candidates):
        v = version_of(c)
        if v and v not in found:
            found[v] = c
    return dict(sorted(found.items()))


SUPPORTED = {v: p for v, p in cpythons().items() if v >= (3, 11)}
TOO_OLD = {v: p for v, p in cpythons().items() if v < (3, 11)}


@pytest.fixture(scope="module")
def wheel():
    h = hashlib.sha256(f"abi3 {sys.version}".encode())
    for p in sorted([*HERE.glob("*.toml"), HERE / "Cargo.lock", *(HERE / "src").rglob("*.rs")]):
        h.update(p.name.encode() + p.read_bytes())
    out = OUT / f"{HERE.name}-wheel-{h.hexdigest()[:16]}"
    if not list(out.glob("*.whl")):
        run("maturin", "build", "--release", "-i", sys.executable, "-o", out, cwd=HERE)
    (found,) = out.glob("*.whl")
    return found


def test_one_wheel_tagged_abi3_from_311(wheel):
    m = re.fullmatch(r"shipkit_abi3-0\.1\.0-cp311-abi3-(manylinux_2_\d+_\w+?)(\.manylinux\w+)*\.whl", wheel.name)
    assert m, wheel.name


def test_abi3audit_is_clean(wheel):
    r = subprocess.run(["abi3audit", "--strict", "--report", wheel], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    (ext,) = report["specs"][str(wheel)]["wheel"]
    assert ext["name"] == "shipkit_abi3.abi3.so"
    r = ext["result"]
    assert r["is_abi3"] is True and r["is_abi3_baseline_compatible"] is True
    # No symbol outside the stable ABI, none newer than 3.11's.
    assert r["non_abi3_symbols"] == [] and r["future_abi3_objects"] == {}
    assert r["baseline"] == "3.11" and r["computed"] == "3.11", r


def test_every_cpython_named_in_book_cpythons_is_found():
    # BOOK_CPYTHONS="3.11 3.12 3.13" makes sure that the install test below
    # runs on each of those (a machine that lacks one fails here instead of
    # silently testing fewer).
    wanted = os.environ.get("BOOK_CPYTHONS", "").split()
    if not wanted:
        pytest.skip(f"BOOK_CPYTHONS not set; found {sorted('%d.%d' % v for v in SUPPORTED)}")
    assert sorted(wanted) == sorted("%d.%d" % v for v in SUPPORTED), (wanted, SUPPORTED)


@pytest.mark.parametrize("version", list(SUPPORTED), ids=lambda v: "%d.%d" % v)
def test_the_same_wheel_installs_and_passes_the_tests(version, wheel, tmp_path):
    venv = tmp_path / "venv"
    run(UV, "venv", "-q", "-p", SUPPORTED[version], venv)
    python = venv / "bin" / "python"
    run(UV, "pip", "install", "-q", "--python", python, wheel, f"numpy=={np.__version__}",
        f"pytest=={pytest.__version__}")
    assert run(python, "-c", "import sys; print(sys.version_info[:2])").strip() == str(version)
    out = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp_path,
              HERE / "tests" / "test_shipkit_abi3.py", cwd=tmp_path)
    assert re.search(r"\b5 passed\b", out), out


@pytest.mark.skipif(not TOO_OLD, reason="no CPython older than 3.11 on this machine")
def test_an_older_cpython_refuses_the_wheel(wheel, tmp_path):
    version, old = max(TOO_OLD.items())
    venv = tmp_path / "venv"
    run(UV, "venv", "-q", "-p", old, venv)
    r = subprocess.run([UV, "pip", "install", "--python", venv / "bin" / "python", "--offline", wheel],
                       capture_output=True, text=True)
    assert r.returncode != 0
    # requires-python in pyproject.toml says it before the tag does.
    err = " ".join(r.stderr.split())
    assert f"current Python version ({version[0]}.{version[1]}." in err, err
    assert "shipkit-abi3==0.1.0 depends on Python>=3.11" in err, err
