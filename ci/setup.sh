#!/usr/bin/env bash
# Installs what the book and its tests need, into git-ignored folders:
#   .venv/   a virtualenv with the Python packages pinned in ci/requirements.txt
#   .tools/  mdbook and mdbook-cmdrun, built by `cargo install --locked`
# Idempotent: when everything is present at the right version it takes a second.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

need() { command -v "$1" >/dev/null || { echo "error: $1 not found: $2" >&2; exit 1; }; }
need cargo "install Rust from https://rustup.rs"
need python3 "install Python 3.9 or newer"

# --- Python -------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
    step "Creating the virtualenv .venv"
    python3 -m venv "$VENV"
fi
req_hash=$(sha256sum "$ROOT/ci/requirements.txt" | cut -c1-16)
if [ "$(cat "$VENV/.requirements" 2>/dev/null)" != "$req_hash" ]; then
    step "Installing Python packages (ci/requirements.txt)"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$ROOT/ci/requirements.txt"
    echo "$req_hash" > "$VENV/.requirements"
fi

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
