"""The gate's declarations: each listing's gate.toml, read with the test kit
of chapter 11 (listing 11-1's tests/npkit.py), and the list of listings.

Everything that is not about this repository (the argument language, the
matrix, the inputs, judging, the worker process, property tests) lives in
the kit: the book checks its listings with the same file its readers copy.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
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
    """Every listing, from ci/listing-tools/book_listings.py (its metadata says which are broken)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "ci" / "listing-tools" / "book_listings.py"), "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)
