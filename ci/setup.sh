#!/usr/bin/env bash
# Installs what the book and its tests need, into git-ignored folders:
#   .tools/uv/  uv, from PyPI (its pin and hashes are in ci/requirements.lock)
#   .venv/      a virtualenv made by uv, holding exactly ci/requirements.lock
#               (every Python package, pinned with hashes: uv pip sync)
#   .tools/bin/ mdbook and mdbook-cmdrun, compiled by `cargo install --locked`
#               once per machine: kept in the tool cache outside the checkout
#               (ci/common.sh, tool_cache: ~/.cache/numpy-extensions-in-rust),
#               which other clones and worktrees copy them from
#   .tools/venv-ft/  a free-threaded CPython's virtualenv, for chapter 8: your
#               own (FT_PYTHON=/path/to/python3.14t) or CPython 3.13 built
#               from Debian 13's source, also kept in the tool cache
#               (ci/chapters/freethreaded-python.sh)
# and, as root or with password-less sudo, where apt-get is, the system
# packages the chapters and tests run: chromium, gdb, valgrind, hunspell, in
# one apt-get run while mdbook compiles; Debian's debug CPython is unpacked
# into target/ (no root needed).
# Every optional tool that cannot be had here is one note, and set-up goes
# on; with CI=true it fails instead. Nothing it needs is GNU- or bash-4-only
# (macOS works). Idempotent: when everything is present it takes a second.
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
setup_start=$(date +%s)

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
if ! "$base_python" -c "import sys; sys.exit(sys.version_info[:2] > tuple(map(int, '$MAX_PYTHON'.split('.'))))"; then
    echo "error: Python $MIN_PYTHON to $MAX_PYTHON is needed (found $(py_label "$base_id")): the pinned NumPy and SciPy have no wheels for it; put one of those first on PATH (with pyenv: PYENV_VERSION=3.13.0)" >&2
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
lock_hash=$(sha256 "$LOCK" | cut -c1-16)
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

# Where the time goes, on one line at the end (parts under 2 s are left out).
part_start=$setup_start
parts=""
part_done() { # name
    local now
    now=$(date +%s)
    if [ $((now - part_start)) -ge 2 ]; then parts="$parts, $1 $((now - part_start))s"; fi
    part_start=$now
}
setup_log="$ROOT/target/setup"
mkdir -p "$setup_log"

spell_ok() {
    command -v hunspell >/dev/null || return 1
    local dicts
    dicts=$(hunspell -D </dev/null 2>&1 || true)
    grep -q '/en_GB$' <<<"$dicts" && grep -q '/en_US$' <<<"$dicts"
}

# --- system packages: one apt-get run, in the background --------------------
# As root or with password-less sudo, where apt-get is: what is missing, as
# Debian package names (set-up's own, valgrind, and what the chapter scripts
# ask for), installed while mdbook compiles. Names this archive lacks (Ubuntu
# has no chromium package) are left out; each tool is checked again below.
apt_pid=""
if can_apt; then
    wanted=""
    command -v chromium >/dev/null || wanted="$wanted chromium"
    command -v valgrind >/dev/null || wanted="$wanted valgrind"
    spell_ok || wanted="$wanted hunspell hunspell-en-gb hunspell-en-us"
    wanted="$wanted $(bash "$ROOT/ci/chapters/debug-tools.sh" --packages) $(bash "$ROOT/ci/chapters/freethreaded-python.sh" --packages)"
    wanted=$(echo "$wanted" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
    if [ -n "$wanted" ]; then
        step "Installing $wanted (apt-get, in the background; log: target/setup/apt.log)"
        # shellcheck disable=SC2086 # one word a package
        (
            start=$(date +%s)
            as_root apt-get update -qq || exit 1
            available=$(apt_available $wanted)
            if [ -n "$available" ]; then
                as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $available || exit 1
            fi
            echo "apt-get: $(( $(date +%s) - start ))s"
        ) >"$setup_log/apt.log" 2>&1 &
        apt_pid=$!
        # Never leave apt-get running: interrupted, dpkg needs repair.
        trap 'if [ -n "$apt_pid" ]; then wait "$apt_pid" 2>/dev/null || true; fi' EXIT
    fi
fi
apt_wait() {
    [ -n "$apt_pid" ] || return 0
    local status=0
    wait "$apt_pid" || status=$?
    apt_pid=""
    if [ "$status" = 0 ]; then
        parts="$parts, $(tail -1 "$setup_log/apt.log") (in the background)"
    else
        echo "note: apt-get failed (status $status; target/setup/apt.log): $(grep -E '^(E|W):' "$setup_log/apt.log" | head -1)" >&2
    fi
}

# --- mdbook and mdbook-cmdrun, compiled once per machine --------------------
# Both from one dependency graph (ci/book-tools: a crate with no code whose
# lock pins them and everything under them), so that the mdbook library
# that mdbook-cmdrun is built on compiles once.
book_tools() {
    local key stamp cache entry tmp manifest=$ROOT/ci/book-tools/Cargo.toml
    if ! grep -qx "mdbook = \"=$MDBOOK_VERSION\"" "$manifest" ||
       ! grep -qx "mdbook-cmdrun = \"=$CMDRUN_VERSION\"" "$manifest"; then
        echo "error: ci/book-tools/Cargo.toml must pin mdbook =$MDBOOK_VERSION and mdbook-cmdrun =$CMDRUN_VERSION" \
             "(ci/common.sh); after changing it: cargo generate-lockfile --manifest-path ci/book-tools/Cargo.toml" >&2
        exit 1
    fi
    key=$(book_tools_key)
    stamp="$TOOLS/bin/.book-tools"
    if [ "$(cat "$stamp" 2>/dev/null)" = "$key" ] && [ -x "$TOOLS/bin/mdbook" ] && [ -x "$TOOLS/bin/mdbook-cmdrun" ]; then
        return 0
    fi
    cache=$(tool_cache)
    entry="$cache/$key"
    if [ ! -x "$entry/bin/mdbook" ] || [ ! -x "$entry/bin/mdbook-cmdrun" ]; then
        tmp=$(mktemp -d "$cache/build.XXXXXX")
        mkdir -p "$tmp/root/bin"
        step "Compiling mdbook $MDBOOK_VERSION and mdbook-cmdrun $CMDRUN_VERSION (once per machine, about 3 minutes on 2 cores; kept in $cache)"
        # The target folder is outside the repository: nothing is written
        # into ci/book-tools (--locked: its lock is used as it is).
        if ! CARGO_TARGET_DIR="$tmp/target" cargo build --release --locked --quiet \
                 --manifest-path "$manifest" -p mdbook -p mdbook-cmdrun; then
            rm -rf "$tmp"
            echo "error: compiling mdbook $MDBOOK_VERSION and mdbook-cmdrun $CMDRUN_VERSION failed" \
                 "(cargo build --manifest-path ci/book-tools/Cargo.toml)" >&2
            exit 1
        fi
        cp "$tmp/target/release/mdbook" "$tmp/target/release/mdbook-cmdrun" "$tmp/root/bin/"
        # Another set-up may have finished first: then its copy is kept
        # (an incomplete one is replaced).
        if [ ! -x "$entry/bin/mdbook" ] || [ ! -x "$entry/bin/mdbook-cmdrun" ]; then
            rm -rf "$entry"
            mv "$tmp/root" "$entry"
        fi
        rm -rf "$tmp"
    fi
    mkdir -p "$TOOLS/bin"
    rm -f "$TOOLS/bin/mdbook" "$TOOLS/bin/mdbook-cmdrun"
    cp "$entry/bin/mdbook" "$entry/bin/mdbook-cmdrun" "$TOOLS/bin/"
    echo "$key" > "$stamp"
}
part_done "uv and .venv"
book_tools
part_done "mdbook and mdbook-cmdrun"
apt_wait
part_done "waiting for apt-get"

# --- Chromium, for the browser test (ci/browser/) -------------------------
# Debian's package: Playwright's own browser download cannot work offline.
if ! command -v chromium >/dev/null; then
    if [ "$(uname -s)" = Darwin ]; then how="install Chromium and put a chromium command on PATH"
    elif command -v apt-get >/dev/null; then how="as root: apt-get install chromium (Ubuntu: snap install chromium)"
    else how="install Chromium with your system's package manager"; fi
    optional_missing chromium "the browser test of the built book (ci/browser)" "$how"
fi
# --- gdb and a debug CPython, for chapter 2 --------------------------------
bash "$ROOT/ci/chapters/debug-tools.sh"
part_done "gdb and the debug CPython"
# --- a free-threaded CPython, for chapter 8 ---------------------------------
bash "$ROOT/ci/chapters/freethreaded-python.sh"
part_done "the free-threaded CPython"
# --- valgrind and memray (chapter 3) ----------------------------------------
bash "$ROOT/ci/valgrind/suite.sh" --install
part_done "valgrind and memray"
# --- hunspell, for ci/checks/spellcheck.py --------------------------------------
if ! spell_ok; then
    if command -v apt-get >/dev/null; then how="as root: apt-get install hunspell hunspell-en-gb hunspell-en-us"
    elif [ "$(uname -s)" = Darwin ]; then how="brew install hunspell, and the en_GB and en_US dictionaries"
    else how="install hunspell with its en_GB and en_US dictionaries"; fi
    optional_missing "hunspell (en_GB, en_US)" "the spell check (ci/checks/spellcheck.py)" "$how"
fi
total=$(( $(date +%s) - setup_start ))
if [ "$total" -ge 5 ]; then
    echo "set-up took ${total}s: ${parts#, }"
fi
