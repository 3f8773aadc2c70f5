#!/usr/bin/env bash
# Runs every check of the book, in order, and stops at the first failure:
#   1. structural checks (ci/listing-tools/book_listings.py check): names, includes, anchors,
#      one set of versions, cmdrun through bookrun, skeptic markers, SAFETY
#   2. cargo fmt --check and cargo clippy -D warnings on every Rust listing
#   3. every listing built into .venv, every pytest file run
#   3b. the robustness gate: every function every listing exports, against a
#      matrix of bad input and against its NumPy/SciPy reference (ci/gate)
#   4. the book built, failing if any command it runs fails (ci/book.sh)
#      and tested in headless Chromium (ci/browser/); the warm loop (ci/loop/):
#      a second build, a prose edit and a changed listing rerun only what they must
#   5. skeptic: every ```rust block of the rendered book compiled and run
#   6. valgrind: every listing's tests under memcheck, zero errors allowed
#      (when CI=true or VALGRIND_SUITE=1; ci/valgrind/suite.sh)
#   (1b. spell check of the prose, 4b. offline link check of book/html)
#
# QUICK=1 ci/test.sh skips the browser test (4c) and skeptic (5), for a faster
# round while you write; CI never sets it (with CI=true it is refused).
# Every pytest test has a time limit (ci/pytest.ini, pytest-timeout), and
# the book build one overall (ci/book.sh), so a hang fails with a name.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT" || exit 1
t0=$(date +%s)
last=$t0
# One line per step: its own time and the time since the start.
timing() {
    local now; now=$(date +%s)
    echo "  (timing: $1 took $(( now - last ))s; $(( now - t0 ))s since start)"
    last=$now
}
quick=${QUICK:-0}
if [ "$quick" = 1 ] && [ "${CI:-}" = true ]; then
    echo "error: QUICK=1 is for contributors: CI runs every check (unset QUICK or CI)" >&2
    exit 2
fi
[ "$quick" = 1 ] && echo "QUICK=1: the browser test (4c) and skeptic (5) will be skipped"

bash "$ROOT/ci/setup.sh"
timing setup
# No check may write into src/, ci/ or listings/ (ci/checks/tree_guard.py):
# checked once more at the end.
mkdir -p "$ROOT/target"
python "$ROOT/ci/checks/tree_guard.py" snapshot "$ROOT/target/test-guard.json"

step "1. Structural checks"
python "$ROOT/ci/listing-tools/book_listings.py" check
# Every shell script through shellcheck; the workflows through actionlint.
bash "$ROOT/ci/checks/lint-workflows.sh"
python "$ROOT/ci/checks/portable_shell.py"  # nothing GNU-only or bash-4-only (macOS)

step "1b. Spell check of the chapters (hunspell + ci/checks/dictionary.txt)"
python "$ROOT/ci/checks/spellcheck.py"
timing "structure and spelling"

step "2. cargo fmt and clippy on every Rust listing"
python "$ROOT/ci/listing-tools/book_listings.py" lint
timing lint

step "3. Building every listing, running every test"
python "$ROOT/ci/listing-tools/book_listings.py" build
python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" --durations=5
python "$ROOT/ci/listing-tools/book_listings.py" cargo-test
timing pytest

step "3b. The robustness gate: every exported function against bad input (ci/gate)"
python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" -q --durations=3 "$ROOT/ci/gate"
timing gate

step "4. Building the book"
bash "$ROOT/ci/book.sh"
timing book

step "4a. The warm loop: a second build runs nothing again, a prose edit neither, a changed listing only its own outputs"
python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" -q "$ROOT/ci/loop"
timing "warm loop"

step "4b. Links of the built book: internal, #fragments, https, versions (offline)"
python "$ROOT/ci/checks/check_links.py"

step "4c. The built book in a browser (headless Chromium)"
if [ "$quick" = 1 ]; then
    echo "skipped (QUICK=1)"
else
    python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" "$ROOT/ci/browser"
fi
timing browser

step "5. skeptic: the book's Rust blocks, as rendered"
if [ "$quick" = 1 ]; then
    echo "skipped (QUICK=1)"
else
    bash "$ROOT/ci/skeptic/run.sh"
fi
timing skeptic

step "6. valgrind: every listing's tests under memcheck (ci/valgrind/suite.sh)"
# Under memcheck a test runs many times slower: one hour each instead of
# ci/pytest.ini's ten minutes (pytest-timeout reads PYTEST_TIMEOUT).
PYTEST_TIMEOUT=${PYTEST_TIMEOUT:-3600} bash "$ROOT/ci/valgrind/suite.sh"
timing valgrind

python "$ROOT/ci/checks/tree_guard.py" check "$ROOT/target/test-guard.json"
if [ "$quick" = 1 ]; then
    step "All checks passed in $(( $(date +%s) - t0 ))s (QUICK=1: browser and skeptic skipped)"
else
    step "All checks passed in $(( $(date +%s) - t0 ))s"
fi
