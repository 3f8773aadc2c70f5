# shellcheck shell=bash disable=SC2164,SC1091
# (SC2164, `cd` without `|| exit`: the runner stops at the first failure,
# with set -e, and a reader sees a failed cd. SC1091: the venv that
# `source .venv/bin/activate` reads is the one made in the empty folder
# the runner works in, not the repository's .venv, which shellcheck would
# otherwise follow.)
# The quick start's commands, in the order the reader types them.
# ci/chapters/quickstart.py runs them in one bash, in an empty folder, and
# src/quick-start.md shows each block (`## name`) with its output.
# `#: write DEST SOURCE` stands for "write the file DEST": the runner copies
# SOURCE (a file next to this script, which the page shows) to DEST.

## venv
mkdir ewma && cd ewma
python3 -m venv .venv
source .venv/bin/activate
python -m pip install -q maturin==1.16.0 numpy==2.4.6 pytest==9.2.0

## init
maturin init --bindings pyo3
cat Cargo.toml

## deps
cargo add pyo3@0.30.1 numpy@0.30.0
grep -A3 '^\[dependencies\]' Cargo.toml

## write
#: write pyproject.toml pyproject.toml
#: write src/lib.rs src/lib.rs
#: write tests/test_ewma.py tests/test_ewma.py

## develop
maturin develop --release
python -c "import numpy as np, ewma; print(ewma.ewma(np.array([1.0, 2.0, 3.0, 4.0]), 0.5))"

## test
python -m pytest -q

## time
python -m timeit -s "import numpy as np, ewma; x = np.random.default_rng(0).normal(size=100_000)" "ewma.ewma(x, 0.1)"
python -m timeit -s "import numpy as np; from tests.test_ewma import ewma_python; x = np.random.default_rng(0).normal(size=100_000)" "ewma_python(x, 0.1)"

## install
deactivate
python3 -m venv ../fresh
../fresh/bin/python -m pip install .
cd ..
fresh/bin/python -c "import numpy as np, ewma; print(ewma.ewma(np.arange(5.0), 0.25))"
