"""Listing 7-1 as a user gets it: a wheel and an sdist, each installed into a
fresh virtualenv. The wheel and the sdist are built once per input (kept
under target/ch07/ by a hash of the crate's files), not once per test."""

import hashlib
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parents[1]
ROOT = HERE.parents[2]
OUT = ROOT / "target" / "ch07"
UV = Path(sys.executable).with_name("uv")

pytestmark = pytest.mark.skipif(
    os.environ.get("BOOK_UNDER_VALGRIND") == "1",
    reason="builds wheels and spawns fresh virtualenvs: nothing of the module's own memory use to check",
)


def run(*cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{cmd} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def build(kind):
    """maturin build --release (kind 'wheel') or maturin sdist, cached."""
    h = hashlib.sha256(f"{kind} {sys.version}".encode())
    for p in sorted([*HERE.glob("*.toml"), HERE / "Cargo.lock", *(HERE / "src").rglob("*.rs")]):
        h.update(p.name.encode() + p.read_bytes())
    out = OUT / f"{HERE.name}-{kind}-{h.hexdigest()[:16]}"
    found = sorted(out.glob("*.whl" if kind == "wheel" else "*.tar.gz"))
    if not found:
        cmd = ["maturin", "build", "--release", "-i", sys.executable] if kind == "wheel" else ["maturin", "sdist"]
        run(*cmd, "-o", out, cwd=HERE)
        found = sorted(out.glob("*.whl" if kind == "wheel" else "*.tar.gz"))
    assert len(found) == 1, found
    return found[0]


def fresh_venv(tmp_path, python=sys.executable):
    venv = tmp_path / "venv"
    run(UV, "venv", "-q", "-p", python, venv)
    return venv / "bin" / "python"


def pins():
    # The same NumPy and pytest as the book's own virtualenv (uv's cache has them).
    return [f"numpy=={np.__version__}", f"pytest=={pytest.__version__}"]


@pytest.fixture(scope="module")
def wheel():
    return build("wheel")


@pytest.fixture(scope="module")
def sdist():
    return build("sdist")


def test_wheel_tags_name_this_cpython_and_manylinux(wheel):
    py = f"cp{sys.version_info.major}{sys.version_info.minor}"
    m = re.fullmatch(rf"shipkit-0\.1\.0-{py}-{py}-(\S+)\.whl", wheel.name)
    assert m, wheel.name
    assert re.fullmatch(r"manylinux_2_\d+_x86_64(\.manylinux\w+)*|manylinux_2_\d+_aarch64(\.manylinux\w+)*", m[1]), m[1]


def test_auditwheel_agrees_with_the_tag(wheel):
    out = " ".join(run("auditwheel", "show", wheel).split())
    # '... is consistent with the following platform tag: "manylinux_2_34_x86_64".'
    m = re.search(r'consistent with the following platform tag: "manylinux_2_(\d+)_(\w+)"', out)
    assert m, out
    assert f"manylinux_2_{m[1]}_{m[2]}" in wheel.name, (m[0], wheel.name)
    # The tag is set by the newest glibc symbol the extension uses: the glibc
    # of the machine that built it, not a choice of yours.
    glibc = [int(v) for v in re.findall(r"GLIBC_2\.(\d+)", out)]
    assert glibc and max(glibc) == int(m[1]), (glibc, m[0])
    # Nothing outside the policy's libraries (libc, libgcc_s, ...) to bundle.
    assert "system-provided shared libraries" in out and "external shared libraries" not in out, out


def test_wheel_installs_into_a_fresh_venv_and_passes_the_tests(wheel, tmp_path):
    python = fresh_venv(tmp_path)
    run(UV, "pip", "install", "-q", "--python", python, wheel, *pins())
    where = run(python, "-c", "import shipkit; print(shipkit.__file__)")
    assert where.startswith(str(tmp_path)), where  # the installed copy, not the book's
    out = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp_path,
              HERE / "tests" / "test_shipkit.py", cwd=tmp_path)
    assert re.search(r"\b5 passed\b", out), out


def test_sdist_holds_the_sources_and_the_lock(sdist):
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    assert {"Cargo.toml", "Cargo.lock", "pyproject.toml", "src/lib.rs", "PKG-INFO"} <= names, names


def test_sdist_holds_no_other_crate(sdist):
    # Only the crate's own files: pyo3, numpy and the rest are named in
    # Cargo.lock, not included, so building the sdist downloads them from the
    # crate registry (crates.io, or a mirror or vendored copy you configure).
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    own = {p.relative_to(HERE).as_posix() for p in HERE.rglob("*") if p.is_file()} | {"PKG-INFO"}
    assert names <= own, sorted(names - own)
    assert not any(n.startswith(("vendor/", ".cargo/")) for n in names), names


def test_sdist_builds_and_installs_into_a_fresh_venv(sdist, tmp_path):
    python = fresh_venv(tmp_path)
    constraints = tmp_path / "build-constraints.txt"
    constraints.write_text(f"maturin=={run('maturin', '--version').split()[1]}\n")
    # pip's way: an isolated build environment with maturin, then cargo. A
    # build folder of its own keeps pyo3 compiled from one run to the next.
    env = dict(os.environ, CARGO_TARGET_DIR=str(OUT / "sdist-build"))
    env.pop("VIRTUAL_ENV", None)
    run(UV, "pip", "install", "-q", "--python", python, "--build-constraints", constraints,
        sdist, *pins(), env=env)
    out = run(python, "-c", "import numpy as np, shipkit; print(shipkit.total(np.arange(5.0)))")
    assert out.strip() == "10.0"
