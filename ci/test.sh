#!/usr/bin/env bash
# Runs every check of the book, in order, and stops at the first failure:
#   1. structural checks (ci/listing-tools/book_listings.py check): names, includes, anchors,
#      one set of versions, cmdrun through bookrun, skeptic markers, SAFETY
#   2. cargo fmt --check and cargo clippy -D warnings on every Rust listing
#   3. every listing built into .venv, every pytest file run
#   3b. the robustness gate: every function every listing exports, against a
#      matrix of bad input and against its NumPy/SciPy reference (ci/gate)
#   4. the book built, failing if any command it runs fails (ci/book.sh)
#      and tested in headless Chromium (ci/browser/)
#   5. skeptic: every ```rust block of the rendered book compiled and run
#   6. valgrind: every listing's tests under memcheck, zero errors allowed
#      (when CI=true or VALGRIND_SUITE=1; ci/valgrind/suite.sh)
#   (1b. spell check of the prose, 4b. offline link check of book/html)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
t0=$(date +%s)
timing() { echo "  ($1: $(( $(date +%s) - t0 ))s since start)"; }

bash "$ROOT/ci/setup.sh"
timing setup

step "1. Structural checks"
python "$ROOT/ci/listing-tools/book_listings.py" check
bash "$ROOT/ci/checks/lint-workflows.sh"

step "1b. Spell check of the chapters (hunspell + ci/checks/dictionary.txt)"
python "$ROOT/ci/checks/spellcheck.py"

step "2. cargo fmt and clippy on every Rust listing"
python "$ROOT/ci/listing-tools/book_listings.py" lint
timing lint

step "3. Building every listing, running every test"
python "$ROOT/ci/listing-tools/book_listings.py" build
python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT"
python "$ROOT/ci/listing-tools/book_listings.py" cargo-test
timing pytest

step "3b. The robustness gate: every exported function against bad input (ci/gate)"
python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" -q "$ROOT/ci/gate"
timing gate

step "4. Building the book"
bash "$ROOT/ci/book.sh"
timing book

step "4b. Links of the built book: internal, #fragments, https, versions (offline)"
python "$ROOT/ci/checks/check_links.py"

step "4c. The built book in a browser (headless Chromium)"
python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" "$ROOT/ci/browser"
timing browser

step "5. skeptic: the book's Rust blocks, as rendered"
bash "$ROOT/ci/skeptic/run.sh"
timing skeptic

step "6. valgrind: every listing's tests under memcheck (ci/valgrind/suite.sh)"
bash "$ROOT/ci/valgrind/suite.sh"
timing valgrind

step "All checks passed in $(( $(date +%s) - t0 ))s"
