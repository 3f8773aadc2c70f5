"""Listing 7-2 as a user gets it: one abi3 wheel, built once (kept under
target/ch07/ by a hash of the crate's files), installed into a fresh
virtualenv of every CPython on this machine that it supports, and tested in
each; refused by an older one; clean for abi3audit.

Then the free-threaded wheels, which need no such interpreter to build (maturin
falls back to the configuration it bundles for each CPython version): the
abi3t wheel for 3.15 and later, the version-specific one for 3.14t, and what
one maturin run makes of three interpreters at once."""

import glob
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
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
ABI3T_READY = {v: p for v, p in SUPPORTED.items() if v >= (3, 15)}
THIS = "cp%d%d" % sys.version_info[:2]


def build(kind, *args):
    """maturin build --release ARGS..., once per input: the wheels and
    maturin's output (build.log) are kept under target/ch07/."""
    h = hashlib.sha256(f"{kind} {args} {sys.version}".encode())
    for p in sorted([*HERE.glob("*.toml"), HERE / "Cargo.lock", HERE / "build.rs", *(HERE / "src").rglob("*.rs")]):
        h.update(p.name.encode() + p.read_bytes())
    out = OUT / f"{HERE.name}-{kind}-{h.hexdigest()[:16]}"
    if not (out / "build.log").exists():
        r = subprocess.run(["maturin", "build", "--release", *args, "-o", str(out)], cwd=HERE,
                           capture_output=True, text=True)
        assert r.returncode == 0, f"maturin build {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
        (out / "build.log").write_text(r.stderr + r.stdout)
    return sorted(out.glob("*.whl")), (out / "build.log").read_text()


@pytest.fixture(scope="module")
def wheel():
    (found,), _ = build("wheel", "-i", sys.executable)
    return found


@pytest.fixture(scope="module")
def full():
    """The same crate built version-specific, with the abi3 feature off."""
    (found,), _ = build("full", "-i", sys.executable, "--no-default-features")
    return found


@pytest.fixture(scope="module")
def three():
    """One maturin run for this CPython (3.11), a free-threaded 3.14 and a
    3.15: {ABI tag: wheel}, and maturin's output."""
    wheels, log = build("three", "-i", sys.executable, "-i", "python3.14t", "-i", "python3.15")
    by_abi = {}
    for w in wheels:
        m = re.fullmatch(r"shipkit_abi3-0\.1\.0-(cp\d+)-([\w.]+)-[\w.]+\.whl", w.name)
        assert m, w.name
        by_abi[f"{m[1]}-{m[2]}"] = w
    return by_abi, log


def the(three, tag):
    """The wheel of THREE whose Python and ABI tags are TAG."""
    by_abi, log = three
    assert tag in by_abi, f"no {tag} wheel among {sorted(by_abi)}; maturin said:\n{log}"
    return by_abi[tag]


def numpy_for(version):
    # The book's NumPy (2.4) has wheels for CPython 3.11 to 3.14 only; a
    # newer CPython gets the newest NumPy instead.
    return f"numpy=={np.__version__}" if version <= (3, 14) else "numpy"


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
    install_and_test(SUPPORTED[version], version, wheel, tmp_path)


def install_and_test(interpreter, version, wheel, tmp_path):
    """A fresh virtualenv of INTERPRETER with WHEEL installed, and the crate's
    tests (tests/test_shipkit_abi3.py) run there against it."""
    venv = tmp_path / "venv"
    run(UV, "venv", "-q", "-p", interpreter, venv)
    python = venv / "bin" / "python"
    run(UV, "pip", "install", "-q", "--python", python, wheel, numpy_for(version), f"pytest=={pytest.__version__}")
    assert run(python, "-c", "import sys; print(sys.version_info[:2])").strip() == str(version)
    where = run(python, "-c", "import shipkit_abi3; print(shipkit_abi3.__file__)")
    assert where.startswith(str(tmp_path)), where  # the installed copy, not the book's
    out = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp_path,
              HERE / "tests" / "test_shipkit_abi3.py", cwd=tmp_path)
    assert re.search(r"\b6 passed\b", out), out
    return python


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


# --- The free-threaded wheels ------------------------------------------------

def test_one_maturin_run_makes_one_kind_of_stable_abi_wheel(three):
    # Given this CPython, 3.14t and 3.15 at once, maturin 1.16 picks one stable
    # ABI for the whole run, abi3t, and tags the other wheels version-specific:
    # this CPython's wheel is tagged for this version alone, not abi3. So the
    # release workflow (and chapter 7) builds each kind of wheel in a run of
    # its own.
    by_abi, log = three
    assert set(by_abi) == {"cp315-abi3.abi3t", "cp314-cp314t", f"{THIS}-{THIS}"}, (sorted(by_abi), log)
    # 3.14t: no stable ABI, so a version-specific wheel and a warning, with the
    # abi3 feature still on (Cargo.toml).
    assert re.search(r"Warning: abi3t does not yet support .*CPython 3\.14t.* version-specific", log), log


def test_the_abi3t_wheel_has_one_library_for_two_abi_tags(three):
    wheel = the(three, "cp315-abi3.abi3t")
    with zipfile.ZipFile(wheel) as z:
        tags = [line for line in z.read("shipkit_abi3-0.1.0.dist-info/WHEEL").decode().splitlines()
                if line.startswith("Tag: ")]
        libraries = [n for n in z.namelist() if n.startswith("shipkit_abi3/shipkit_abi3.")]
    # cp315-abi3.abi3t is two tags in one: abi3 for a GIL-enabled 3.15 (and
    # later), abi3t for a free-threaded one; the one library serves both.
    assert sorted(t.split("-")[1] for t in tags) == ["abi3", "abi3t"], tags
    assert len(libraries) == 1 and ".abi3t" in libraries[0], libraries


def test_abi3audit_on_the_abi3t_wheel(three):
    # What chapter 7 says of this report: abi3audit 0.0.26 knows PyInit_<name>,
    # a module's entry point up to 3.14, but not PyModExport_<name>, the one
    # of 3.15 (PEP 793), which pyo3 defines in an abi3t build: it calls that
    # one symbol "not ABI3". Every other symbol is in 3.15's stable ABI. If a
    # newer abi3audit knows PyModExport_, this fails: update the chapter.
    wheel = the(three, "cp315-abi3.abi3t")
    r = subprocess.run(["abi3audit", "--report", wheel], capture_output=True, text=True)
    report = json.loads(r.stdout)
    (ext,) = report["specs"][str(wheel)]["wheel"]
    res = ext["result"]
    assert res["non_abi3_symbols"] == ["PyModExport_shipkit_abi3"], res
    assert res["future_abi3_objects"] == {} and res["baseline"] == res["computed"] == "3.15", res
    assert r.returncode != 0, r.stderr  # abi3audit fails the wheel for it
    if sys.platform.startswith("linux"):
        # The library defines that symbol, for CPython to call: it exports it,
        # it does not import it. And it has no PyInit_: 3.14 cannot load it.
        from elftools.elf.elffile import ELFFile  # pyelftools, abi3audit's own ELF reader

        with zipfile.ZipFile(wheel) as z:
            elf = ELFFile(io.BytesIO(z.read(f"shipkit_abi3/{ext['name']}")))
            defined = {s.name for s in elf.get_section_by_name(".dynsym").iter_symbols()
                       if s["st_shndx"] != "SHN_UNDEF"}
        assert "PyModExport_shipkit_abi3" in defined
        assert not any(n.startswith("PyInit_") for n in defined), sorted(defined)


@pytest.mark.skipif(not ABI3T_READY, reason="no CPython 3.15 or newer here: the release workflow "
                    "installs and tests the abi3t wheel on 3.15 and 3.15t")
@pytest.mark.parametrize("version", list(ABI3T_READY), ids=lambda v: "%d.%d" % v)
def test_the_abi3t_wheel_installs_and_passes_the_tests(version, three, tmp_path):
    install_and_test(ABI3T_READY[version], version, the(three, "cp315-abi3.abi3t"), tmp_path)


def test_a_version_specific_build_compiles_the_full_api(full, tmp_path):
    # Built with --no-default-features: no stable ABI, and the module's API
    # constant, which follows pyo3's cfg Py_LIMITED_API (build.rs), says so.
    # (Installed from the abi3 wheel, it says "limited": the installed tests
    # compare it with the wheel's tags.)
    assert re.fullmatch(rf"shipkit_abi3-0\.1\.0-{THIS}-{THIS}-[\w.]+\.whl", full.name), full.name
    python = install_and_test(sys.executable, sys.version_info[:2], full, tmp_path)
    assert run(python, "-c", "import shipkit_abi3; print(shipkit_abi3.API)").strip() == "full"
