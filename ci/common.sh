# shellcheck shell=bash
# Sourced by the ci/ scripts: one place for paths and the environment.
# Everything generated lives in git-ignored folders of the repository, and
# compiled tools also in a cache outside it (TOOL_CACHE, below).
set -euo pipefail

# Where the scripts run: Linux and macOS (bash 3.2 and BSD tools are enough).
case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*)
        echo "error: the book's scripts do not run in Git Bash, MSYS2 or Cygwin: use WSL 2 (wsl --install, with Ubuntu or Debian) and run them there" >&2
        exit 2 ;;
    Darwin)
        if [ -z "${BOOK_PLATFORM_NOTED:-}" ]; then
            echo "note: macOS: the book builds, but a few outputs need Linux-only tools and show a note instead: chapter 2 (gdb and Debian's debug CPython), chapter 3 (valgrind), chapter 7 (auditwheel's report on a Linux wheel)" >&2
            BOOK_PLATFORM_NOTED=1
            export BOOK_PLATFORM_NOTED
        fi ;;
esac

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
# The SHA-256 of a file, or of standard input: 64 hex digits, nothing else.
# sha256sum is GNU coreutils; macOS has shasum; Python has hashlib.
sha256() { # [file]
    if command -v sha256sum >/dev/null; then
        sha256sum "$@" | cut -c1-64  # portable-shell: allow (checked by command -v)
    elif command -v shasum >/dev/null; then
        shasum -a 256 "$@" | cut -c1-64
    else
        python3 -c 'import hashlib, sys
f = open(sys.argv[1], "rb") if len(sys.argv) > 1 else sys.stdin.buffer
print(hashlib.sha256(f.read()).hexdigest())' "$@"
    fi
}
# How many processors: nproc is GNU coreutils, getconf is POSIX.
cpu_count() { getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2; }

if [ -f "$VENV/pyvenv.cfg" ]; then
    PYO3_ENVIRONMENT_SIGNATURE="book-venv-$(sha256 "$VENV/pyvenv.cfg" | cut -c1-16)"
    export PYO3_ENVIRONMENT_SIGNATURE
fi
# Outputs embedded in the book must not depend on the caller's shell.
unset RUST_BACKTRACE PYTHONPATH
export PYTHONDONTWRITEBYTECODE=1
# Nothing a build or a test runs may write into src/, ci/ or listings/, the
# sources that bookrun and the build stamps hash (ci/checks/tree_guard.py
# checks it): the tools that keep a cache beside the files they read keep
# it under target/cache/ instead. (pytest's cache is off: ci/pytest.ini, and
# -p no:cacheprovider where a page runs pytest.)
export MYPY_CACHE_DIR="$ROOT/target/cache/mypy"
export HYPOTHESIS_STORAGE_DIRECTORY="$ROOT/target/cache/hypothesis"
# In the book's CI a missing optional tool (gdb, valgrind, memray) fails the listings' tests and pages; elsewhere, CI=true included, they skip.
if [ "${CI:-}" = true ]; then export BOOK_REQUIRE_TOOLS=1; fi

# The oldest Python the book supports: NumPy 2.4 and SciPy 1.17, pinned in
# ci/requirements.txt, need 3.11.
MIN_PYTHON=3.11
# The newest it can install: NumPy 2.4.6 and SciPy 1.17.1 have no wheels for
# 3.15 (NumPy 2.5 and SciPy 1.18 have, but they need 3.12 or newer).
MAX_PYTHON=3.14
export MIN_PYTHON MAX_PYTHON

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

# --- optional tools --------------------------------------------------------
# gdb, the debug and free-threaded CPythons, valgrind, memray, chromium and
# hunspell are optional outside CI: a missing one is one line (what is
# missing, what is skipped without it, how to get it) and set-up goes on.
# With CI=true the published book must be complete, so it fails instead.
tools_required() { [ "${CI:-}" = true ]; }
optional_missing() { # what, what-is-skipped, how-to-get-it
    if tools_required; then
        echo "error: $1 is missing ($3); CI=true needs it for $2" >&2
        exit 1
    fi
    echo "note: $1 is missing: $2 will be skipped; $3" >&2
}

# System packages: set-up installs them with apt-get as root, or through
# sudo when it asks for no password (as on GitHub's hosted runners);
# otherwise it says what is missing.
can_root() { [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
can_apt() { command -v apt-get >/dev/null && command -v apt-cache >/dev/null && can_root; }
# The packages of the list that apt can install here (a name Ubuntu or an
# older Debian lacks is left out).
apt_available() { # package...
    local p candidate
    for p in "$@"; do
        candidate=$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')
        case $candidate in "" | "(none)") ;; *) printf '%s ' "$p" ;; esac
    done
    return 0
}

# Compiled tools are kept outside the checkout too, in one folder per tool
# and version, so that another clone or worktree on this machine copies
# them instead of compiling them again: $BOOK_TOOL_CACHE, or
# $XDG_CACHE_HOME/numpy-extensions-in-rust (~/.cache/...). Without a home
# to write to, .tools/cache.
tool_cache() {
    local dir=${BOOK_TOOL_CACHE:-}
    if [ -z "$dir" ] && { [ -n "${XDG_CACHE_HOME:-}" ] || [ -n "${HOME:-}" ]; }; then
        dir=${XDG_CACHE_HOME:-$HOME/.cache}/numpy-extensions-in-rust
    fi
    if [ -z "$dir" ] || ! mkdir -p "$dir" 2>/dev/null || [ ! -w "$dir" ]; then
        dir=$TOOLS/cache
        mkdir -p "$dir"
    fi
    (cd "$dir" && pwd -P)
}

# The tool cache's name for mdbook and mdbook-cmdrun: their versions, their
# lock (ci/book-tools/Cargo.lock, by POSIX cksum) and the platform.
book_tools_key() {
    local sum
    sum=$(cksum <"$ROOT/ci/book-tools/Cargo.lock" | cut -d' ' -f1)
    echo "mdbook-$MDBOOK_VERSION+cmdrun-$CMDRUN_VERSION-lock$sum-$(uname -s)-$(uname -m)"
}
