# Sourced by the ci/ scripts: one place for paths and the environment.
# Everything generated lives in git-ignored folders of the repository.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
TOOLS="$ROOT/.tools"
export ROOT VENV TOOLS

# The tool versions the design pins (mdbook-cmdrun 0.7.3 needs mdbook 0.4.x).
MDBOOK_VERSION=0.4.52
CMDRUN_VERSION=0.7.3
export MDBOOK_VERSION CMDRUN_VERSION

# One cargo target dir for every listing, so pyo3 and numpy compile once.
export CARGO_TARGET_DIR="$ROOT/target/listings"
export PATH="$VENV/bin:$TOOLS/bin:$PATH"
export VIRTUAL_ENV="$VENV"
# pyo3 must see the virtualenv's interpreter, whoever calls cargo.
export PYO3_PYTHON="$VENV/bin/python"
# Outputs embedded in the book must not depend on the caller's shell.
unset RUST_BACKTRACE PYTHONPATH
export PYTHONDONTWRITEBYTECODE=1

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
