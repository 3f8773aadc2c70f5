#!/usr/bin/env bash
# Builds the book into book/ (the site is book/html/, open book/html/index.html),
# or, with --serve, serves it on http://localhost:3000 and rebuilds on change.
#
# Every output in the book comes from running code at build time
# (mdbook-cmdrun + ci/chapters/bookrun); this script fails if any of those runs failed.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

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

if [ "$serve" = yes ]; then
    step "Serving the book on http://localhost:3000 (Ctrl-C to stop)"
    exec mdbook serve --hostname 127.0.0.1 --port 3000
fi

step "Building the book (mdbook $MDBOOK_VERSION, mdbook-cmdrun $CMDRUN_VERSION)"
start=$(date +%s)
# mdbook logs a broken {{#include}} as an ERROR and still exits 0: keep its
# log and let check_book.py fail the build on any ERROR line.
mdbook build 2>&1 | tee "$ROOT/target/mdbook.log"
python "$ROOT/ci/checks/check_book.py" "$ROOT/target/mdbook.log"
echo "book: built in $(( $(date +%s) - start ))s: open book/html/index.html"
