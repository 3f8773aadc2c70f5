"""The gate's declarations: each listing's gate.toml, read with the test kit
of chapter 11 (listing 11-1's tests/npkit.py), the list of listings, and the
quick start's module, which no listing build makes (quick_start()).

Everything that is not about this repository (the argument language, the
matrix, the inputs, judging, the worker process, property tests) lives in
the kit: the book checks its listings with the same file its readers copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "listings" / "ch11-testing" / "listing-11-01" / "tests"
if str(KIT) not in sys.path:
    sys.path.insert(0, str(KIT))

import npkit  # noqa: E402
from npkit import Arg, Declaration, Function, exported, gated, problems  # noqa: E402, F401


def load(listing: Path) -> Declaration:
    """A listing's gate.toml, as the kit's Declaration (plus `.listing`)."""
    rel = str(listing.relative_to(ROOT)) if listing.is_relative_to(ROOT) else str(listing)
    text = (listing / "gate.toml").read_text()  # FileNotFoundError without one
    data = tomllib.loads(text)
    module = data.pop("module", None)
    if not module:
        raise ValueError(f"{rel}/gate.toml: `module = \"...\"` is missing")
    decl = npkit.declare(module, data, source=f"{rel}/gate.toml")
    decl.listing = rel
    return decl


def listings() -> list[dict]:
    """Every listing, from ci/listing-tools/book_listings.py (its metadata
    says which are broken), and the quick start's project."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "ci" / "listing-tools" / "book_listings.py"), "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out) + [{"path": QUICK_START, "kind": "rust", "module": "ewma", "broken": None}]


# The quick start (src/quick-start.md) is not a listing crate: the reader
# makes its Cargo.toml with `maturin init` and `cargo add`, and the project
# is built only in the reader's own folder (ci/chapters/quickstart.py). The
# gate builds the reader's files again here, into target/gate/quick-start/,
# with the book's versions (listing 1-2's, which the quick start's `cargo add`
# pins too), shares the listings' cargo folder, and unpacks the wheel into a
# folder on sys.path. Nothing is installed into .venv.
QUICK_START = "listings/ch00-quick-start"
QUICK_START_CARGO = """[package]
name = "ewma"
version = "0.1.0"
edition = "2024"

[lib]
name = "ewma"
crate-type = ["cdylib"]

[dependencies]
numpy = "{numpy}"
pyo3 = "{pyo3}"
"""


def quick_start() -> Path:
    """Build the quick start's module, unless it is up to date, and put it on
    sys.path (worker processes inherit it); returns its folder."""
    here, build = ROOT / QUICK_START, ROOT / "target" / "gate" / "quick-start"
    model = ROOT / "listings" / "ch01-skeleton" / "listing-01-02"
    pins = tomllib.loads((model / "Cargo.toml").read_text())["dependencies"]
    files = {
        "Cargo.toml": QUICK_START_CARGO.format(**pins),
        "Cargo.lock": (model / "Cargo.lock").read_text().replace('name = "skeleton"', 'name = "ewma"'),
        "pyproject.toml": (here / "pyproject.toml").read_text(),
        "src/lib.rs": (here / "src" / "lib.rs").read_text(),
    }
    rustc = subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout
    key = hashlib.sha256(json.dumps([files, sys.version, sys.executable, rustc]).encode()).hexdigest()
    site, stamp = build / "site", build / "stamp"
    if not (stamp.exists() and stamp.read_text() == key and (site / "ewma").is_dir()):
        for name, text in files.items():
            (build / "crate" / name).parent.mkdir(parents=True, exist_ok=True)
            (build / "crate" / name).write_text(text)
        shutil.rmtree(build / "wheels", ignore_errors=True)
        env = dict(os.environ)
        env.setdefault("CARGO_TARGET_DIR", str(ROOT / "target" / "listings"))  # as ci/common.sh
        p = subprocess.run([sys.executable, "-m", "maturin", "build", "--release", "-i", sys.executable,
                            "--out", str(build / "wheels")], cwd=build / "crate", env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode:
            raise RuntimeError(f"the quick start's module did not build ({QUICK_START}/src/lib.rs):\n{p.stdout}")
        shutil.rmtree(site, ignore_errors=True)
        (wheel,) = (build / "wheels").glob("*.whl")
        with zipfile.ZipFile(wheel) as z:
            z.extractall(site)
        stamp.write_text(key)
    if str(site) not in sys.path:
        sys.path.insert(0, str(site))
    return site
