"""Tests of the book's own tooling: the scaffold, the transcript runner, set-up.
(bookrun and the book's build loop: test_bookrun.py.)"""

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "ci"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def test_scaffolded_listing_builds_and_passes_its_test(tmp_path):
    p = run([sys.executable, CI / "listing-tools" / "new-listing.py", "ch99-scratch", "listing-99-01", "scaffold_probe",
             "--into", tmp_path], check=True)
    crate = tmp_path / "ch99-scratch" / "listing-99-01"
    assert "created" in p.stdout
    # Same pinned versions as the book's listings.
    lock = (crate / "Cargo.lock").read_text()
    ref = (ROOT / "listings/ch01-skeleton/listing-01-02/Cargo.lock").read_text()
    assert lock.replace("scaffold-probe", "skeleton") == ref
    # It passes the style and structure checks as it is: rustfmt, and the
    # one-line gil_used comment and SAFETY rules of book_listings.py check.
    f = run(["cargo", "fmt", "--check", "--manifest-path", crate / "Cargo.toml"])
    assert f.returncode == 0, f.stdout + f.stderr
    sys.path.insert(0, str(CI / "listing-tools"))
    import book_listings

    source = (crate / "src" / "lib.rs").read_text()
    assert book_listings.gil_used_problems("lib.rs", source.splitlines()) == []
    assert source.startswith("// ANCHOR: all\n") and source.endswith("// ANCHOR_END: all\n")
    b = run(["maturin", "develop", "--release", "--locked", "--quiet"], cwd=crate)
    assert b.returncode == 0, b.stdout + b.stderr
    try:
        t = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=crate)
        assert t.returncode == 0, t.stdout + t.stderr
        assert "5 passed" in t.stdout
        # The scaffold's gate.toml declares it, and it passes the gate.
        sys.path.insert(0, str(CI / "gate"))
        import gate

        decl = gate.load(crate)
        import importlib

        assert gate.problems(decl, importlib.import_module("scaffold_probe")) == []
        w = gate.Worker("scaffold_probe")
        try:
            cases = gate.cases(decl.functions["total"])
            results = {c.name: w.run(str(crate), "total", c.name) for c in cases}
        finally:
            w.close()
        assert len(results) >= 16
        assert all(ok for ok, _ in results.values()), results
        # Its stub is installed with py.typed, and stubtest finds no mismatch.
        s = run([sys.executable, "-m", "mypy.stubtest", "--allowlist",
                 CI / "checks" / "stubtest-allowlist.txt", "scaffold_probe"], cwd=crate)
        assert s.returncode == 0 and s.stdout.startswith("Success"), s.stdout + s.stderr
    finally:
        run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", "scaffold-probe"])


def test_scaffold_refuses_bad_names(tmp_path):
    p = run([sys.executable, CI / "listing-tools" / "new-listing.py", "chapter5", "listing-05-01", "x", "--into", tmp_path])
    assert p.returncode != 0 and "CHAPTER must look like" in p.stderr
    # A module named like the function it exports would lose its __all__.
    p = run([sys.executable, CI / "listing-tools" / "new-listing.py", "ch05-examples", "listing-05-01", "total",
             "--into", tmp_path])
    assert p.returncode != 0 and "MODULE must differ from the names it exports" in p.stderr


def session(tmp_path, source):
    f = tmp_path / "demo.py"
    f.write_text(textwrap.dedent(source))
    return run([sys.executable, CI / "chapters" / "pysession.py", f])


def test_session_prints_a_repl_transcript(tmp_path):
    p = session(tmp_path, """\
        x = 6 * 7
        x
        for i in range(2):
            print(i)
        1 / 0  # raises
        import os  # hide
    """)
    assert p.returncode == 0, p.stderr
    assert p.stdout == textwrap.dedent("""\
        >>> x = 6 * 7
        >>> x
        42
        >>> for i in range(2):
        ...     print(i)
        ... 
        0
        1
        >>> 1 / 0
        Traceback (most recent call last):
          File "<stdin>", line 1, in <module>
        ZeroDivisionError: division by zero
        """)


def test_session_fails_on_an_unexpected_exception(tmp_path):
    p = session(tmp_path, "x = 1\n\nx / 0\n")
    assert p.returncode == 1
    assert "unexpected ZeroDivisionError" in p.stderr
    assert ", line 3 " in p.stderr  # where, in demo.py


def test_session_fails_when_a_raises_statement_does_not_raise(tmp_path):
    p = session(tmp_path, "1 + 1  # raises\n")
    assert p.returncode == 1
    assert "did not raise" in p.stderr


def test_listings_tarball_builds_a_listing_alone(tmp_path):
    p = run([sys.executable, CI / "listing-tools" / "pack_listings.py"], check=True)
    tarball = Path(p.stdout.strip().splitlines()[-1])
    assert tarball.name == "numpy-extensions-in-rust-listings.tar.gz"
    subprocess.run(["tar", "xzf", tarball, "-C", tmp_path], check=True)
    top = tmp_path / "numpy-extensions-in-rust"
    crate = top / "listings" / "ch01-skeleton" / "listing-01-02"
    assert (crate / "Cargo.lock").exists() and (crate / "tests" / "test_skeleton.py").exists()
    assert not list(top.rglob("*.so")) and not list(top.rglob("target"))
    # The unpacked crate builds on its own, with its locked versions.
    b = run(["maturin", "build", "--release", "--locked", "--quiet", "--out", tmp_path / "wheels"], cwd=crate)
    assert b.returncode == 0, b.stdout + b.stderr
    assert [w.name.split("-")[0] for w in (tmp_path / "wheels").glob("*.whl")] == ["skeleton"]


def test_check_wants_gil_used_with_a_reason():
    spec = importlib.util.spec_from_file_location("book_listings_check", CI / "listing-tools" / "book_listings.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    bare = ["use pyo3::prelude::*;", "#[pymodule]", "mod m {}"]
    assert "must say gil_used" in mod.gil_used_problems("x.rs", bare)[0]
    silent = ["#[pymodule(gil_used = false)]", "mod m {}"]
    assert "comment" in mod.gil_used_problems("x.rs", silent)[0]
    good = ["// gil_used = false: no state of its own.", "#[pymodule(gil_used = false)]", "mod m {}"]
    assert mod.gil_used_problems("x.rs", good) == []


# --- ci/setup.sh: which Python ---------------------------------------------

BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def uv_lock_entry():
    """The real lock's uv entry (pin and hashes): a lock that holds only uv."""
    lines = (CI / "requirements.lock").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("uv=="))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("#"))
    return "\n".join(lines[start:end]) + "\n"


def setup_root(tmp_path):
    """A scratch ROOT with ci/setup.sh, ci/common.sh and a lock that holds only
    uv, and the real .tools/uv, so that `setup.sh --python-only` there is quick
    and cannot touch the real .venv."""
    (tmp_path / "root" / "ci").mkdir(parents=True)
    for f in ("setup.sh", "common.sh"):
        (tmp_path / "root" / "ci" / f).write_text((CI / f).read_text())
    (tmp_path / "root" / "ci" / "requirements.txt").write_text("uv\n")
    (tmp_path / "root" / "ci" / "requirements.lock").write_text(uv_lock_entry())
    (tmp_path / "root" / ".tools").mkdir()
    (tmp_path / "root" / ".tools" / "uv").symlink_to(ROOT / ".tools" / "uv")
    return tmp_path / "root"


def fake_python(folder, version, base):
    """A python3 that says it is VERSION, made from BASE: the real interpreter,
    with a sitecustomize that rewrites sys.version, sys.version_info and
    sys._base_executable (what ci/common.sh's py_identity reads)."""
    folder.mkdir(parents=True)
    (folder / "sitecustomize.py").write_text(textwrap.dedent(f"""\
        import sys
        sys.version = "{version} (main, Jan  1 2024, 00:00:00) [GCC 12.2.0]"
        sys.version_info = tuple(map(int, "{version}".split("."))) + ("final", 0)
        sys._base_executable = "{base}"
        """))
    py = folder / "python3"
    py.write_text(f'#!/bin/sh\nPYTHONPATH="{folder}" exec "{BASE_PYTHON}" "$@"\n')
    py.chmod(0o755)
    return py


def setup_python_only(root, path_first=None):
    env = dict(os.environ)
    if path_first:
        env["PATH"] = f"{path_first}:{env['PATH']}"
    return run(["bash", root / "ci" / "setup.sh", "--python-only"], env=env)


def test_setup_refuses_a_python_older_than_3_11(tmp_path):
    root = setup_root(tmp_path)
    fake = fake_python(tmp_path / "bin", "3.10.13", "/opt/python3.10/bin/python3.10")
    p = setup_python_only(root, fake.parent)
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stderr.splitlines() == [
        "error: Python 3.11 or newer is needed (found 3.10.13 at /opt/python3.10/bin/python3.10); put a newer python3 first"
        " on PATH (with pyenv: PYENV_VERSION=3.13.0)"], p.stderr
    assert not (root / ".venv").exists()


def test_setup_refuses_a_python_the_pinned_numpy_has_no_wheels_for(tmp_path):
    root = setup_root(tmp_path)
    fake = fake_python(tmp_path / "bin", "3.15.0", "/opt/python3.15/bin/python3.15")
    p = setup_python_only(root, fake.parent)
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stderr.splitlines() == [
        "error: Python 3.11 to 3.14 is needed (found 3.15.0 at /opt/python3.15/bin/python3.15): the pinned NumPy and"
        " SciPy have no wheels for it; put one of those first on PATH (with pyenv: PYENV_VERSION=3.13.0)"], p.stderr
    assert not (root / ".venv").exists()


def test_setup_makes_the_venv_again_for_another_python(tmp_path):
    root = setup_root(tmp_path)
    # A .venv whose python is "3.11.0 from /old/python3.11": another interpreter.
    old = fake_python(root / ".venv" / "bin", "3.11.0", "/old/python3.11")
    old.rename(old.parent / "python")
    p = setup_python_only(root, Path(BASE_PYTHON).parent)
    assert p.returncode == 0, p.stdout + p.stderr
    version = ".".join(map(str, sys.version_info[:3]))
    assert f"note: .venv was made for Python 3.11.0 at /old/python3.11; making it again for Python " \
           f"{version} at {BASE_PYTHON}\n" in p.stdout
    made = run([root / ".venv" / "bin" / "python", "-c", "import sys; print(sys.prefix)"], check=True)
    assert made.stdout.strip() == str(root / ".venv")
    # The second time, the .venv fits: nothing is said, nothing made.
    again = setup_python_only(root, Path(BASE_PYTHON).parent)
    assert again.returncode == 0 and "note:" not in again.stdout and "Creating" not in again.stdout, again.stdout


def test_setup_installs_the_lock_again_when_it_changes(tmp_path):
    root = setup_root(tmp_path)
    first = setup_python_only(root, Path(BASE_PYTHON).parent)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Creating the virtualenv .venv with uv" in first.stdout
    assert "uv pip sync" in first.stdout
    # Exactly the lock: uv (and nothing else, not even pip) in the new .venv.
    listed = run([root / ".tools" / "uv" / "bin" / "uv", "pip", "list", "--python", root / ".venv" / "bin" / "python",
                  "--format", "freeze"], check=True)
    assert listed.stdout.split() == [f"uv=={uv_lock_entry().split()[0].split('==')[1]}"]
    same = setup_python_only(root, Path(BASE_PYTHON).parent)
    assert "uv pip sync" not in same.stdout
    lock = root / "ci" / "requirements.lock"
    lock.write_text("# changed\n" + lock.read_text())
    again = setup_python_only(root, Path(BASE_PYTHON).parent)
    assert again.returncode == 0 and "uv pip sync" in again.stdout, again.stdout + again.stderr


# --- ci/requirements.lock ------------------------------------------------------

def read_lock_versions():
    spec = importlib.util.spec_from_file_location("book_listings_lock", CI / "listing-tools" / "book_listings.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.locked_python_versions()


def test_lock_pins_every_requirement_at_its_version_with_hashes():
    locked = read_lock_versions()
    for line in (CI / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            assert locked.get(name.lower()) == version, f"ci/requirements.lock is stale for {line}: make it again"
    lock = (CI / "requirements.lock").read_text()
    entries = [e for e in lock.split("\n") if "==" in e and not e.startswith("#")]
    assert all(e.rstrip().endswith("\\") for e in entries), "every entry is followed by its hashes"
    # actionlint would lint the workflows' Python blocks with pyflakes if it found it.
    assert "pyflakes" not in locked


@pytest.mark.parametrize("python", ["3.11", "3.12", "3.13"])
def test_lock_resolves_on_each_supported_python(python):
    """The lock's versions, as constraints, satisfy ci/requirements.txt on each CPython."""
    p = run([os.environ.get("UV") or ROOT / ".tools" / "uv" / "bin" / "uv", "pip", "compile", "--quiet",
             "--python-version", python, "-c", CI / "requirements.lock", CI / "requirements.txt"])
    assert p.returncode == 0, p.stderr
    resolved = dict(line.split("==") for line in p.stdout.splitlines() if "==" in line and not line.startswith("#"))
    locked = read_lock_versions()
    assert {k.split(" ")[0]: v.split(" ")[0] for k, v in resolved.items()}.items() <= locked.items()


def test_versions_table_reads_the_lock():
    env = dict(os.environ, PATH=f"{ROOT / '.tools' / 'bin'}:{os.environ['PATH']}", CMDRUN_VERSION="0.7.3")
    p = run([sys.executable, CI / "listing-tools" / "book_listings.py", "versions"], env=env, check=True)
    locked = read_lock_versions()
    for pkg, label in (("numpy", "NumPy"), ("pytest", "pytest"), ("scipy", "SciPy")):
        assert f"| {label} | {locked[pkg]} |" in p.stdout
    assert "uv" not in p.stdout  # the book's own tools are the testing appendix's
    p = run([sys.executable, CI / "listing-tools" / "book_listings.py", "versions", "--tools"], env=env, check=True)
    for pkg, label in (("uv", "uv"), ("pytest-timeout", "pytest-timeout")):
        assert f"| {label} | {locked[pkg]} | `ci/requirements.lock` |" in p.stdout


# --- ci/common.sh: mdBook 0.5 and mdbook-cmdrun 0.7 --------------------------

def mdbook_pair(mdbook, cmdrun):
    return run(["bash", "-c", f'source "{CI}/common.sh"; check_mdbook_pair "$1" "$2"', "x", mdbook, cmdrun])


def test_setup_refuses_mdbook_0_5_with_cmdrun_0_7():
    for bad in ("0.5.0", "0.5.2", "1.0.0"):
        p = mdbook_pair(bad, "0.7.3")
        assert p.returncode == 1
        (line,) = p.stderr.splitlines()
        assert line.startswith(f"error: MDBOOK_VERSION={bad} cannot work with CMDRUN_VERSION=0.7.3")
        assert "FauconFan/mdbook-cmdrun#22" in line
    for good in (("0.4.52", "0.7.3"), ("0.5.0", "0.8.0")):
        assert mdbook_pair(*good).returncode == 0


def test_setup_stops_on_the_pinned_pair_before_installing(tmp_path):
    root = setup_root(tmp_path)
    common = root / "ci" / "common.sh"
    common.write_text(common.read_text().replace("MDBOOK_VERSION=0.4.52", "MDBOOK_VERSION=0.5.1"))
    p = setup_python_only(root)
    assert p.returncode == 1
    assert p.stderr.startswith("error: MDBOOK_VERSION=0.5.1 cannot work with CMDRUN_VERSION=0.7.3")
    assert not (root / ".venv").exists()


# --- pytest-timeout -----------------------------------------------------------

def test_a_hanging_test_fails_in_bounded_time_with_its_name(tmp_path):
    import configparser
    import time

    ini = configparser.ConfigParser()
    ini.read(CI / "pytest.ini")
    assert int(ini["pytest"]["timeout"]) >= 600 and ini["pytest"]["timeout_method"] == "thread"
    (tmp_path / "test_planted.py").write_text(textwrap.dedent("""\
        import time

        def test_hangs_forever():
            while True:
                time.sleep(0.1)
        """))
    start = time.monotonic()
    # ci/pytest.ini's settings, with a short limit instead of its 600 s.
    p = run([sys.executable, "-m", "pytest", "-c", CI / "pytest.ini", "--rootdir", tmp_path, "--timeout", "3",
             tmp_path / "test_planted.py"], timeout=120)
    assert time.monotonic() - start < 60
    assert p.returncode != 0
    out = p.stdout + p.stderr
    assert "Timeout" in out and "in test_hangs_forever" in out and "test_planted.py" in out


# --- shellcheck -----------------------------------------------------------------

def test_shellcheck_flags_a_cd_without_a_check(tmp_path):
    script = tmp_path / "bad.sh"
    script.write_text("#!/usr/bin/env bash\ncd /tmp\necho $1\n")
    p = run(["shellcheck", script])
    assert p.returncode != 0 and "SC2164" in p.stdout and "SC2086" in p.stdout
