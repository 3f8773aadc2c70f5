# shellcheck shell=bash
# Sourced by the ci/ scripts: one place for paths and the environment.
# Everything generated lives in git-ignored folders of the repository.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
TOOLS="$ROOT/.tools"
export ROOT VENV TOOLS

# The tool versions the design pins. mdBook stays 0.4.x: mdbook-cmdrun 0.7.x
# cannot parse the JSON that mdBook 0.5 hands preprocessors
# (FauconFan/mdbook-cmdrun#22; the fix, PR #23, is not released). set-up
# refuses a pair that cannot work (check_mdbook_pair below).
MDBOOK_VERSION=0.4.52
CMDRUN_VERSION=0.7.3
export MDBOOK_VERSION CMDRUN_VERSION

# Python packages: ci/requirements.txt lists the direct ones, the lock pins
# all of them with hashes. uv (its version pinned in the lock) makes .venv
# and installs the lock; set-up bootstraps it into .tools/uv from PyPI.
LOCK="$ROOT/ci/requirements.lock"
UV="$TOOLS/uv/bin/uv"
export LOCK UV
# uv only ever uses the interpreter set-up names, never one it downloads.
export UV_PYTHON_DOWNLOADS=never

# One cargo target dir for every listing, so pyo3 and numpy compile once.
export CARGO_TARGET_DIR="$ROOT/target/listings"
export PATH="$VENV/bin:$TOOLS/bin:$PATH"
export VIRTUAL_ENV="$VENV"
# pyo3 must see the virtualenv's interpreter, whoever calls cargo.
export PYO3_PYTHON="$VENV/bin/python"
# pyo3's build script asks the interpreter again only when PYO3_PYTHON or
# this variable changes. .venv/bin/python keeps its path when set-up makes
# .venv again for another Python, so the signature is .venv's pyvenv.cfg
# (version and base interpreter): plain cargo (clippy, skeptic) then builds
# pyo3 for the new one. ci/listing-tools/book_listings.py sets the same value (maturin sets
# its own).
if [ -f "$VENV/pyvenv.cfg" ]; then
    PYO3_ENVIRONMENT_SIGNATURE="book-venv-$(sha256sum <"$VENV/pyvenv.cfg" | cut -c1-16)"
    export PYO3_ENVIRONMENT_SIGNATURE
fi
# Outputs embedded in the book must not depend on the caller's shell.
unset RUST_BACKTRACE PYTHONPATH
export PYTHONDONTWRITEBYTECODE=1
# In the book's CI a missing optional tool (gdb, valgrind, memray) fails the listings' tests and pages; elsewhere, CI=true included, they skip.
if [ "${CI:-}" = true ]; then export BOOK_REQUIRE_TOOLS=1; fi

# The oldest Python the book supports: NumPy 2.4 and SciPy 1.17, pinned in
# ci/requirements.txt, need 3.11.
MIN_PYTHON=3.11
export MIN_PYTHON

# Which interpreter a Python is, on one line: VERSION<TAB>BASE<TAB>sys.version,
# where BASE is the real path of the base interpreter (a virtualenv's python
# names the one it was made from). Set-up compares it to find a .venv/ or a
# tool folder made for another interpreter.
py_identity() { # python
    "$1" -c 'import os, platform, sys
print(platform.python_version(), os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable),
      sys.version.replace("\n", " "), sep="\t")' 2>/dev/null
}
# "3.11.7 at /path/to/python3.11", for messages.
py_label() { local rest=${1#*$'\t'}; echo "${1%%$'\t'*} at ${rest%%$'\t'*}"; }

# Fails, with the reason, for an mdBook/mdbook-cmdrun pair that cannot work:
# mdbook-cmdrun 0.7.x with mdBook 0.5 or later.
check_mdbook_pair() { # mdbook-version cmdrun-version
    local major minor
    IFS=. read -r major minor _ <<<"$1"
    if [[ $2 == 0.7.* ]] && { [ "${major:-0}" -gt 0 ] || [ "${minor:-0}" -ge 5 ]; }; then
        echo "error: MDBOOK_VERSION=$1 cannot work with CMDRUN_VERSION=$2 (ci/common.sh): mdbook-cmdrun 0.7.x" \
             "cannot parse the JSON that mdBook 0.5 and later give preprocessors (FauconFan/mdbook-cmdrun#22," \
             "fixed by its unreleased PR #23). Keep mdBook 0.4.52 until an mdbook-cmdrun release supports 0.5" \
             "(see CONTRIBUTING.md, Tooling)." >&2
        return 1
    fi
}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
