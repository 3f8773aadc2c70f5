"""Listing 6-5 is broken on purpose: two ndarray versions make it fail to compile."""

import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
ROOT = HERE.parents[2]


def cargo(*args):
    # A target dir of its own: a plain cargo build in maturin's target dir
    # would make pyo3 rebuild there (its build script watches PYO3_* vars).
    env = dict(os.environ, CARGO_TERM_COLOR="never", CARGO_TARGET_DIR=str(ROOT / "target" / "cargo"))
    return subprocess.run(["cargo", *args, "--manifest-path", str(HERE / "Cargo.toml")],
                          capture_output=True, text=True, env=env)


def test_it_does_not_compile_because_of_two_ndarrays():
    p = cargo("build", "--release", "--locked")
    assert p.returncode != 0
    assert "error[E0308]: mismatched types" in p.stderr
    assert "there are multiple different versions of crate `ndarray` in the dependency graph" in p.stderr


def test_the_lock_file_holds_both_versions():
    p = cargo("tree", "--locked", "--duplicates", "--edges", "normal", "--prefix", "none")
    assert p.returncode == 0, p.stderr
    versions = sorted({line.split()[1] for line in p.stdout.splitlines() if line.startswith("ndarray v")})
    assert [v.split(".")[1] for v in versions] == ["16", "17"], versions
