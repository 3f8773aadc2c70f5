#!/usr/bin/env bash
# Builds the book into book/ (the site is book/html/, open book/html/index.html),
# or, with --serve, serves it on http://localhost:3000 and rebuilds on change.
#
# Every output in the book comes from running code at build time
# (mdbook-cmdrun + ci/chapters/bookrun); this script fails if any of those runs failed.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT" || exit 1

serve=no
case "${1:-}" in
    --serve) serve=yes ;;
    "") ;;
    *) echo "usage: ci/book.sh [--serve]" >&2; exit 2 ;;
esac

bash "$ROOT/ci/setup.sh"

step "Building the listings into .venv (skipped when unchanged)"
python "$ROOT/ci/listing-tools/book_listings.py" build

# Where the book is published, link to the repository (header icon, "suggest
# an edit", and each listing's filename caption).
if [ -n "${BOOK_REPOSITORY_URL:-}" ]; then
    export MDBOOK_OUTPUT__HTML__GIT_REPOSITORY_URL="$BOOK_REPOSITORY_URL"
    export MDBOOK_OUTPUT__HTML__EDIT_URL_TEMPLATE="${BOOK_REPOSITORY_URL%/}/edit/main/{path}"
fi

# bookrun keeps each output, keyed by its arguments and by this hash of
# ci/ and listings/: computed once here rather than by each of its runs.
# (mdbook serve watches src/ only: restart it after changing a listing.)
BOOKRUN_INPUTS=$("$ROOT/ci/chapters/bookrun" digest)
export BOOKRUN_INPUTS
export BOOKRUN_LOG="$ROOT/target/bookrun.log"
mkdir -p "$ROOT/target"
: > "$BOOKRUN_LOG"

# Every listing, as one archive that mdBook copies beside the pages (the
# Introduction and chapter 11 link to it), for readers who have the book but
# not the repository. Generated, so git-ignored.
python "$ROOT/ci/listing-tools/pack_listings.py" --out "$ROOT/src/numpy-extensions-in-rust-listings.tar.gz"

if [ "$serve" = yes ]; then
    step "Serving the book on http://localhost:3000 (Ctrl-C to stop)"
    exec mdbook serve --hostname 127.0.0.1 --port 3000
fi

step "Building the book (mdbook $MDBOOK_VERSION, mdbook-cmdrun $CMDRUN_VERSION)"
start=$(date +%s)
# mdbook logs a broken {{#include}} as an ERROR and still exits 0: keep its
# log and let check_book.py fail the build on any ERROR line.
# A command of the book that hangs must not hang the build: it gets
# BOOK_TIMEOUT seconds in all (default 30 minutes; a build from nothing
# takes a few minutes), then fails, with mdbook and what it runs killed.
limit=${BOOK_TIMEOUT:-1800}
status=0
timeout --kill-after=30 "$limit" mdbook build 2>&1 | tee "$ROOT/target/mdbook.log" || status=$?
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    echo "error: the book build took more than ${limit}s (BOOK_TIMEOUT) and was stopped; the last commands it ran are in target/bookrun.log" >&2
    exit 1
elif [ "$status" != 0 ]; then
    echo "error: mdbook build failed (status $status)" >&2
    exit 1
fi
python "$ROOT/ci/checks/check_book.py" "$ROOT/target/mdbook.log"
echo "book: built in $(( $(date +%s) - start ))s: open book/html/index.html"
