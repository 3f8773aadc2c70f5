"""Listing 12-3 as its users get it: a package with Python code beside the
compiled core. The installed layout, the stub checked by stubtest with no
allowlist, `pip install .` into a fresh virtualenv, and the one abi3 wheel
installed into a fresh virtualenv of every other CPython on the machine,
where the C package's tests (listing 12-1) pass against it."""

import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import gridhist

HERE = Path(__file__).resolve().parents[1]
ROOT = HERE.parents[2]
OUT = ROOT / "target" / "ch12"
UV = Path(sys.executable).with_name("uv")
UPSTREAM = HERE.parent / "listing-12-01" / "tests" / "test_cgridhist.py"

heavy = pytest.mark.skipif(
    os.environ.get("BOOK_UNDER_VALGRIND") == "1",
    reason="builds wheels and spawns fresh virtualenvs: nothing of the module's own memory use to check",
)


def run(*cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{cmd} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def test_the_core_sits_in_the_package_beside_its_stub():
    package = Path(gridhist.__file__).parent
    core = Path(gridhist._core.__file__)
    assert core.parent == package and re.fullmatch(r"_core\.abi3\.so|_core\..*\.pyd", core.name), core
    assert {"__init__.py", "_core.pyi", "py.typed"} <= {p.name for p in package.iterdir()}


@heavy
def test_stubtest_needs_no_allowlist():
    out = subprocess.run([sys.executable, "-m", "mypy.stubtest", "gridhist"],
                         capture_output=True, text=True, cwd=HERE.parent)
    assert out.returncode == 0 and out.stdout.startswith("Success: no issues found in 2 modules"), out.stdout


# ANCHOR: wheel
def cpythons():
    """One interpreter per CPython version (GIL builds) on this machine:
    this one, pyenv's, and python3.X on PATH."""
    found = {sys.version_info[:2]: sys.executable}
    roots = {os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")}
    candidates = sorted(p for r in roots if r for p in glob.glob(os.path.join(r, "versions/3.*/bin/python3")))
    candidates += [shutil.which(f"python3.{m}") for m in range(11, 20)]
    for c in filter(None, candidates):
        out = subprocess.run([c, "-c", "import sys; print(*sys.version_info[:2], sys.implementation.name, "
                              "getattr(sys, '_is_gil_enabled', lambda: True)())"], capture_output=True, text=True)
        m = re.fullmatch(r"3 (\d+) cpython True\n", out.stdout)
        if m and (3, int(m[1])) not in found and int(m[1]) >= 11:
            found[(3, int(m[1]))] = c
    return found


OTHERS = {v: p for v, p in cpythons().items() if v != sys.version_info[:2]}


@pytest.fixture(scope="module")
def wheel():
    h = hashlib.sha256(f"abi3 {sys.version}".encode())
    for p in sorted([*HERE.glob("*.toml"), HERE / "Cargo.lock", *(HERE / "src").rglob("*.rs"),
                     *(HERE / "python").rglob("*")]):
        if p.is_file():
            h.update(str(p.relative_to(HERE)).encode() + p.read_bytes())
    out = OUT / f"wheel-{h.hexdigest()[:16]}"
    if not list(out.glob("*.whl")):
        run("maturin", "build", "--release", "-i", sys.executable, "-o", out, cwd=HERE)
    (found,) = out.glob("*.whl")
    return found


@heavy
def test_one_abi3_wheel_holds_the_package(wheel):
    assert re.fullmatch(r"gridhist-0\.1\.0-cp311-abi3-manylinux_2_\d+_\w+?(\.manylinux\w+)*\.whl", wheel.name)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"gridhist/__init__.py", "gridhist/_core.abi3.so", "gridhist/_core.pyi", "gridhist/py.typed"} <= names
    assert not [n for n in names if not n.startswith(("gridhist/", "gridhist-0.1.0.dist-info/"))], names


@heavy
@pytest.mark.skipif(not OTHERS, reason="no other CPython (3.11 or newer) on this machine")
@pytest.mark.parametrize("version", sorted(OTHERS), ids=lambda v: "%d.%d" % v)
def test_another_cpython_passes_the_c_packages_tests(version, wheel, tmp_path):
    venv = tmp_path / "venv"
    run(UV, "venv", "-q", "-p", OTHERS[version], venv)
    python = venv / "bin" / "python"
    run(UV, "pip", "install", "-q", "--python", python, wheel, f"numpy=={np.__version__}",
        f"pytest=={pytest.__version__}")
    where = run(python, "-c", "import sys, gridhist._core as c; print(sys.version_info[:2], c.__file__)")
    assert where.startswith(str(version)) and str(tmp_path) in where, where
    alias = ("import sys, gridhist, gridhist._core, pytest\n"
             "sys.modules['cgridhist'], sys.modules['cgridhist._core'] = gridhist, gridhist._core\n"
             "sys.exit(pytest.main(sys.argv[1:]))\n")
    out = run(python, "-c", alias, "-q", "-p", "no:cacheprovider", "--rootdir", tmp_path, UPSTREAM, cwd=tmp_path,
              env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert re.search(r"\b34 passed\b", out), out
# ANCHOR_END: wheel


@heavy
def test_pip_install_dot_into_a_fresh_venv(tmp_path):
    """What a user does with a checkout: `pip install .`, which builds the
    wheel with maturin in an isolated environment, then imports it."""
    source = tmp_path / "gridhist"
    shutil.copytree(HERE, source, ignore=shutil.ignore_patterns("target", "__pycache__", "*.so"))
    venv = tmp_path / "venv"
    run(UV, "venv", "-q", "-p", sys.executable, venv)
    python = venv / "bin" / "python"
    run(UV, "pip", "install", "-q", "--python", python, "pip")
    constraints = tmp_path / "build-constraints.txt"
    constraints.write_text(f"maturin=={run('maturin', '--version').split()[1]}\n")
    env = dict(os.environ, CARGO_TARGET_DIR=str(OUT / "pip-build"), PIP_CONSTRAINT=str(constraints))
    env.pop("VIRTUAL_ENV", None)
    run(python, "-m", "pip", "install", "-q", "--no-cache-dir", ".", f"numpy=={np.__version__}", cwd=source, env=env)
    out = run(python, "-c", "import gridhist, numpy as np; print(gridhist.histogram(np.arange(4.0), 2, (0, 4)), "
              "gridhist._core.__file__)", cwd=tmp_path)
    assert out.startswith("[2. 2.]") and str(venv) in out, out
