#!/usr/bin/env python3
"""Create a new Rust listing crate that builds and passes its test.

  ci/listing-tools/new-listing.py CHAPTER LISTING MODULE [--into DIR]

  CHAPTER  the chapter folder, e.g. ch05-examples
  LISTING  listing-NN-MM, or no-listing-NN-description
  MODULE   the Python module name (unique in the book: all listings share one
           virtualenv), e.g. vector_ops

The crate gets the book's pinned versions: its Cargo.lock starts as a copy of
listing 1-2's, and only the new crate's own entry is added.
Then: write the code, include it from a chapter, run ci/test.sh.
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "listings" / "ch01-skeleton" / "listing-01-02"

CARGO = """\
[package]
name = "{crate}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
name = "{module}"
crate-type = ["cdylib"]

[dependencies]
{deps}
"""

PYPROJECT = """\
[build-system]
requires = ["maturin>=1.9.4,<2"]
build-backend = "maturin"

[project]
name = "{crate}"
requires-python = ">=3.11"
dependencies = ["numpy>=2"]
dynamic = ["version"]
"""

LIB = """\
// ANCHOR: all
use pyo3::prelude::*;

// gil_used = false: no state of its own; arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod {module} {{
    use numpy::PyReadonlyArray1;
    use numpy::prelude::*;
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    // ANCHOR: total
    /// The sum of a 1-D float64 array.
    #[pyfunction]
    fn total(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {{
        if a.is_empty() {{
            return Ok(0.0);
        }}
        if !a.is_aligned() {{
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }}
        Ok(a.as_array().sum())
    }}
    // ANCHOR_END: total
}}
// ANCHOR_END: all
"""

TEST = """\
\"\"\"{title}: `{module}`.\"\"\"

import numpy as np
import pytest

import {module}


def test_total_matches_numpy():
    a = np.linspace(-1.0, 3.0, 101)
    assert {module}.total(a) == pytest.approx(np.sum(a), rel=1e-14)


def test_total_of_empty_is_zero():
    assert {module}.total(np.array([], dtype=np.float64)) == 0.0


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.arange(3), "type mismatch:\\n from=int64, to=float64"),
        (np.zeros((2, 2)), "dimensionality mismatch:\\n from=2, to=1"),
        ([1.0], "'list' object is not an instance of 'ndarray'"),
    ],
)
def test_bad_input(bad, message):
    with pytest.raises(TypeError) as info:
        {module}.total(bad)
    assert str(info.value) == message
"""

# The stub type checkers read (chapter 11): maturin installs it as the
# package's __init__.pyi, with py.typed; ci/tests/test_stubs.py runs stubtest.
STUB = '''\
import numpy as np
import numpy.typing as npt

__all__ = ["total"]

def total(a: npt.NDArray[np.float64]) -> float:
    """The sum of a 1-D float64 array."""
'''

GATE = """\
# The robustness gate's declaration: what each exported function takes and
# what verifies its answer (CONTRIBUTING.md, "The robustness gate").
module = "{module}"

[total]
args.a = "float64[n]"
reference = "np.sum(a)"
atol = 1e-14
skip.huge = "total reads every element: a 2**40-element view takes minutes, as np.sum would"
"""

README = """\
# {title}: `{module}`

What this listing shows, in a sentence or two. (If it is broken on purpose,
say so here with the words "broken on purpose", and add
`[package.metadata.book] broken-on-purpose = "why"` to Cargo.toml.)

```console
$ maturin develop --release
$ python -m pytest tests
```
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("chapter")
    ap.add_argument("listing")
    ap.add_argument("module")
    ap.add_argument("--into", default=str(ROOT / "listings"), help="parent of the chapter folders")
    a = ap.parse_args()
    if not re.fullmatch(r"ch\d\d-[a-z0-9-]+", a.chapter):
        sys.exit("CHAPTER must look like ch05-examples")
    m = re.fullmatch(r"listing-(\d\d)-(\d\d)|no-listing-(\d\d)-[a-z0-9-]+", a.listing)
    if not m:
        sys.exit("LISTING must look like listing-05-03 or no-listing-05-description")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", a.module):
        sys.exit("MODULE must be a Python identifier in lower case")
    if a.module == "total":
        # maturin's __init__.py does `from .MODULE import *`: a function named
        # like its module replaces the submodule, and the package loses __all__.
        sys.exit("MODULE must differ from the names it exports (the scaffold exports `total`)")
    dest = Path(a.into) / a.chapter / a.listing
    if dest.exists():
        sys.exit(f"{dest} exists already")
    title = (f"Listing {int(m.group(1))}-{int(m.group(2))}" if m.group(1) else a.listing)
    crate = a.module.replace("_", "-")
    # The dependency lines of the reference listing: the book's pinned versions.
    ref = (REFERENCE / "Cargo.toml").read_text()
    deps = ref.split("[dependencies]\n", 1)[1].split("\n\n", 1)[0].strip()
    (dest / "src").mkdir(parents=True)
    (dest / "tests").mkdir()
    fill = dict(crate=crate, module=a.module, deps=deps, title=title)
    (dest / "Cargo.toml").write_text(CARGO.format(**fill))
    (dest / "pyproject.toml").write_text(PYPROJECT.format(**fill))
    (dest / "src" / "lib.rs").write_text(LIB.format(**fill))
    (dest / "tests" / f"test_{a.module}.py").write_text(TEST.format(**fill))
    (dest / "README.md").write_text(README.format(**fill))
    (dest / "gate.toml").write_text(GATE.format(**fill))
    (dest / f"{a.module}.pyi").write_text(STUB)
    shutil.copy(REFERENCE / "Cargo.lock", dest / "Cargo.lock")
    # Add the new root package to the lock file without touching any other entry.
    subprocess.run(["cargo", "update", "--workspace", "--quiet", "--manifest-path", str(dest / "Cargo.toml")],
                   check=True)
    print(f"created {dest}")
    # The command must work in a fresh shell: the book's .venv need not be active.
    venv = ROOT / ".venv" / "bin"
    print("next: include it from a chapter, then run bash ci/test.sh; or, for this listing alone:\n"
          f"  cd {dest} && {venv / 'maturin'} develop --release && {venv / 'python'} -m pytest tests")


if __name__ == "__main__":
    main()
