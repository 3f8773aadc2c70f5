#!/usr/bin/env bash
# Installs what the book and its tests need, into git-ignored folders:
#   .tools/uv/  uv, from PyPI (its pin and hashes are in ci/requirements.lock)
#   .venv/      a virtualenv made by uv, holding exactly ci/requirements.lock
#               (every Python package, pinned with hashes: uv pip sync)
#   .tools/     mdbook and mdbook-cmdrun, built by `cargo install --locked`
# and, as root with apt-get, the Debian packages the chapters run: chromium,
# gdb, valgrind, hunspell (a debug CPython is unpacked into target/), and
#   .tools/python3.13t/ and .tools/venv-3.13t/, a free-threaded CPython built
#               from Debian 13's source (ci/chapters/freethreaded-python.sh)
# Idempotent: when everything is present at the right version it takes a second.
#
# Python: the first python3 on PATH outside .venv (with pyenv, PYENV_VERSION
# chooses it), 3.11 or newer. A .venv made for another interpreter (another
# version, or another path), or one that no longer runs, is made again; a
# changed lock is installed again.
#
#   ci/setup.sh                  everything
#   ci/setup.sh --python-only    only the Python part (uv and .venv), for its tests
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need() { command -v "$1" >/dev/null || { echo "error: $1 not found: $2" >&2; exit 1; }; }

# A pin of ci/common.sh that cannot work fails here, before anything installs.
check_mdbook_pair "$MDBOOK_VERSION" "$CMDRUN_VERSION" || exit 1

# --- Python -------------------------------------------------------------
# The caller's python3, not the one in .venv/bin that common.sh put first on
# PATH: with pyenv, PYENV_VERSION=3.13.0 selects it.
caller_path=$(tr ':' '\n' <<<"$PATH" | grep -vxF -e "$VENV/bin" -e "$TOOLS/bin" | paste -sd: -)
base_python=$(PATH="$caller_path" command -v python3 || true)
[ -n "$base_python" ] || { echo "error: python3 not found: install Python $MIN_PYTHON or newer" >&2; exit 1; }
base_id=$(py_identity "$base_python") ||
    { echo "error: $base_python does not run: install Python $MIN_PYTHON or newer" >&2; exit 1; }
if ! "$base_python" -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$MIN_PYTHON'.split('.'))))"; then
    echo "error: Python $MIN_PYTHON or newer is needed (found $(py_label "$base_id")); put a newer python3 first on PATH (with pyenv: PYENV_VERSION=3.13.0)" >&2
    exit 1
fi

# .venv/ made for another interpreter (or broken) is made again.
if [ -e "$VENV" ]; then
    venv_id=$(py_identity "$VENV/bin/python" || true)
    if [ "$venv_id" != "$base_id" ]; then
        was=$([ -n "$venv_id" ] && echo "Python $(py_label "$venv_id")" || echo "an interpreter that no longer runs")
        echo "note: .venv was made for $was; making it again for Python $(py_label "$base_id")"
        rm -rf "$VENV"
    fi
fi

# --- uv, from PyPI, at the version and with the hashes of the lock ------
uv_pin=$(sed -n 's/^uv==\([^ ;\\]*\).*/\1/p' "$LOCK")
[ -n "$uv_pin" ] || { echo "error: ci/requirements.lock pins no uv==VERSION" >&2; exit 1; }
if [ "$("$UV" --version 2>/dev/null | cut -d' ' -f2)" != "$uv_pin" ]; then
    step "Installing uv $uv_pin into .tools/uv (from PyPI, checked against the lock's hashes)"
    rm -rf "$TOOLS/uv" "$TOOLS/uv-bootstrap"
    mkdir -p "$TOOLS"
    # The lock's uv entry alone (its pin and --hash lines), as a requirements file.
    uv_req="$TOOLS/uv-requirement.txt"
    awk '/^uv==/ {p = 1} p && /^ *#/ {exit} p' "$LOCK" > "$uv_req"
    pip_python=$base_python
    if ! "$base_python" -m pip --version >/dev/null 2>&1; then
        # No pip beside this python (Debian's without python3-pip): a
        # throw-away virtualenv has one.
        "$base_python" -m venv "$TOOLS/uv-bootstrap" 2>/dev/null || {
            echo "error: $base_python has neither pip nor venv to fetch uv from PyPI (Debian: apt-get install python3-venv)" >&2
            exit 1
        }
        pip_python=$TOOLS/uv-bootstrap/bin/python
    fi
    PIP_ROOT_USER_ACTION=ignore "$pip_python" -m pip install -q --disable-pip-version-check --no-deps \
        --require-hashes --target "$TOOLS/uv" -r "$uv_req"
    rm -rf "$TOOLS/uv-bootstrap" "$uv_req"
    [ "$("$UV" --version 2>/dev/null | cut -d' ' -f2)" = "$uv_pin" ] ||
        { echo "error: uv $uv_pin did not install into .tools/uv" >&2; exit 1; }
fi

# --- .venv: made by uv, holding exactly the lock ---------------------------
if [ ! -x "$VENV/bin/python" ]; then
    step "Creating the virtualenv .venv with uv (Python $(py_label "$base_id"))"
    rm -rf "$VENV"
    "$UV" venv -q --python "$base_python" "$VENV"
fi
lock_hash=$(sha256sum "$LOCK" | cut -c1-16)
if [ "$(cat "$VENV/.requirements" 2>/dev/null)" != "$lock_hash" ]; then
    step "Installing the Python packages of ci/requirements.lock (uv pip sync: exactly these, hashes checked)"
    "$UV" pip sync -q --require-hashes --python "$VENV/bin/python" "$LOCK"
    echo "$lock_hash" > "$VENV/.requirements"
fi
[ "${1:-}" = --python-only ] && exit 0
need cargo "install Rust from https://rustup.rs"
# The lint step runs both; rustup's minimal profile (the rust container images) has neither.
for sub in clippy fmt; do
    cargo "$sub" --version >/dev/null 2>&1 ||
        { echo "error: cargo $sub is missing: rustup component add clippy rustfmt" >&2; exit 1; }
done

# --- mdbook and mdbook-cmdrun -------------------------------------------
install_tool() { # crate version
    # `cargo install --list` knows the version of each installed binary
    # (mdbook-cmdrun has no --version flag).
    if ! [ -x "$TOOLS/bin/$1" ] || ! cargo install --list --root "$TOOLS" | grep -qx "$1 v$2:"; then
        step "Installing $1 $2 into .tools (first time only: a few minutes)"
        cargo install --locked --quiet --version "$2" --root "$TOOLS" "$1"
    fi
}
install_tool mdbook "$MDBOOK_VERSION"
install_tool mdbook-cmdrun "$CMDRUN_VERSION"

# --- Chromium, for the browser test (ci/browser/) -------------------------
# Debian's package: Playwright's own browser download cannot work offline.
if ! command -v chromium >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        step "Installing chromium (Debian package) for the browser test"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    elif [ "${CI:-}" = true ]; then
        echo "error: chromium is missing and cannot be installed here (need root and apt-get)" >&2
        exit 1
    else
        echo "note: chromium is missing and cannot be installed here: the browser test will be skipped" >&2
    fi
fi
# --- gdb and a debug CPython, for chapter 2 --------------------------------
bash "$ROOT/ci/chapters/debug-tools.sh"
# --- a free-threaded CPython 3.13, for chapter 8 ---------------------------
bash "$ROOT/ci/chapters/freethreaded-python.sh"
# --- valgrind (chapter 3) -----------------------------------------------
bash "$ROOT/ci/valgrind/suite.sh" --install
# --- hunspell, for ci/checks/spellcheck.py --------------------------------------
# Debian packages: installed when missing and we are root with apt-get.
# Otherwise the spell check says it is skipped (and fails under CI=true).
spell_ok() {
    command -v hunspell >/dev/null || return 1
    local dicts; dicts=$(hunspell -D </dev/null 2>&1 || true)
    grep -q '/en_GB$' <<<"$dicts" && grep -q '/en_US$' <<<"$dicts"
}
if ! spell_ok; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        step "Installing hunspell with en_GB and en_US dictionaries (apt-get)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hunspell hunspell-en-gb hunspell-en-us >/dev/null
    else
        echo "note: hunspell (en_GB, en_US) missing and cannot be installed here: the spell check will be skipped" >&2
    fi
fi
