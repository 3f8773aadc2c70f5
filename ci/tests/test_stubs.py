"""Every listing module that is not broken on purpose has a `.pyi` stub, and
mypy's stubtest finds no mismatch between each stub and the compiled module.

One stubtest run covers every module (a few seconds); a planted mismatch
shows that the run can fail. Run after the listings are built (ci/test.sh).
"""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWLIST = ROOT / "ci" / "checks" / "stubtest-allowlist.txt"

# (The quick start, listings/ch00-quick-start, is not a listing of book_listings.py:
# it stays five steps, and the reader meets stubs in chapter 11.)
if os.environ.get("BOOK_UNDER_VALGRIND") == "1":
    pytest.skip("runs mypy in subprocesses", allow_module_level=True)


def listings():
    """Each listing that is not broken on purpose, with the module it
    installs (as its gate.toml names it: a C listing's project and module
    names can differ)."""
    out = subprocess.run([sys.executable, str(ROOT / "ci" / "listing-tools" / "book_listings.py"), "json"],
                         check=True, capture_output=True, text=True).stdout
    found = []
    for l in json.loads(out):
        gate = ROOT / l["path"] / "gate.toml"
        if not l["broken"]:
            module = tomllib.loads(gate.read_text())["module"] if gate.exists() else l["module"]
            found.append(dict(l, module=module))
    return found


def stub_of(l) -> Path | None:
    """A Rust listing's MODULE.pyi (maturin installs it), a C listing's
    stub-only package MODULE-stubs/__init__.pyi (setup.py installs it), or,
    for a package's compiled submodule PKG.SUB, PKG/SUB.pyi beside the
    package's Python code (chapter 12's mixed layout)."""
    for path in (ROOT / l["path"] / f"{l['module']}.pyi", ROOT / l["path"] / f"{l['module']}-stubs" / "__init__.pyi"):
        if path.exists():
            return path
    if "." in l["module"]:
        found = [p for p in (ROOT / l["path"]).glob("**/" + l["module"].replace(".", "/") + ".pyi")
                 if "target" not in p.relative_to(ROOT / l["path"]).parts]
        return found[0] if found else None
    return None


def stubbed():
    return [l for l in listings() if stub_of(l)]


def stubtest(modules, env=None):
    return subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--allowlist", str(ALLOWLIST), *modules],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )


def test_every_module_has_a_stub():
    missing = [f"{l['module']} ({l['path']}/{l['module']}.pyi)" for l in listings() if not stub_of(l)]
    assert not missing, (
        "no stub for the module " + ", ".join(missing) + ": write MODULE.pyi next to Cargo.toml, "
        "with numpy.typing annotations (chapter 11 shows how; a C listing installs "
        "MODULE-stubs/__init__.pyi through setup.py's package_data, as listing 1-1 does)"
    )


def test_stubtest_finds_no_mismatch():
    modules = [l["module"] for l in stubbed()]
    assert len(modules) == len(listings()) and "typedstats" in modules
    p = stubtest(modules)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("Success: no issues found")


def test_stubtest_catches_a_planted_mismatch(tmp_path):
    """A stub that forgot a default: the run must fail and name it."""
    stub = (ROOT / "listings/ch11-testing/listing-11-01/typedstats.pyi").read_text()
    assert "factor: float = 1.0" in stub
    (tmp_path / "typedstats.pyi").write_text(stub.replace("factor: float = 1.0", "factor: float"))
    p = stubtest(["typedstats"], env=dict(os.environ, MYPYPATH=str(tmp_path)))
    assert p.returncode == 1, p.stdout
    assert ('typedstats.scale is inconsistent, runtime parameter "factor" has a default value '
            "but stub parameter does not") in p.stdout


def test_stubtest_catches_a_missing_function(tmp_path):
    stub = (ROOT / "listings/ch11-testing/listing-11-01/typedstats.pyi").read_text()
    (tmp_path / "typedstats.pyi").write_text(stub.split("def scale")[0].replace(', "scale"', ""))
    p = stubtest(["typedstats"], env=dict(os.environ, MYPYPATH=str(tmp_path)))
    assert p.returncode == 1 and "typedstats.scale is not present in stub" in p.stdout, p.stdout


def test_the_installed_packages_carry_their_stub():
    import importlib
    import sysconfig

    for l in stubbed():
        if stub_of(l).name == "__init__.pyi":  # a C listing's stub-only package
            where = Path(sysconfig.get_paths()["purelib"]) / f"{l['module']}-stubs" / "__init__.pyi"
            assert where.exists(), f"{l['module']}: {where} not installed"
            continue
        if "." in l["module"]:  # PKG.SUB: SUB.pyi and py.typed beside the compiled SUB
            core = Path(importlib.import_module(l["module"]).__file__)
            assert (core.parent / "py.typed").exists(), f"{l['module']}: py.typed not installed"
            stub = core.parent / (l["module"].rsplit(".", 1)[1] + ".pyi")
            assert stub.exists(), f"{l['module']}: {stub.name} not installed beside {core.name}"
            continue
        package = Path(importlib.import_module(l["module"]).__file__).parent
        assert (package / "py.typed").exists(), f"{l['module']}: py.typed not installed"
        assert (package / "__init__.pyi").exists(), f"{l['module']}: stub not installed"
