#!/usr/bin/env bash
# Builds the book into book/ (the site is book/html/, open book/html/index.html),
# or, with --serve, serves it on http://localhost:3000 and rebuilds on change.
# --chapter N (a number, or a page's name such as quick-start) makes a
# preview: every page, but only that chapter's listings are built and only
# its outputs run; the others show a note (not for CI: with CI=true it is
# refused).
#
# Every output in the book comes from running code at build time
# (mdbook-cmdrun + ci/chapters/bookrun); this script fails if any of those runs failed.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT" || exit 1

serve=no
only=
while [ $# -gt 0 ]; do
    case "$1" in
        --serve) serve=yes ;;
        --chapter) [ $# -ge 2 ] || { echo "usage: ci/book.sh [--serve] [--chapter N]" >&2; exit 2; }
                   only=$2; shift ;;
        *) echo "usage: ci/book.sh [--serve] [--chapter N]" >&2; exit 2 ;;
    esac
    shift
done
if [ -n "$only" ]; then
    if [ "${CI:-}" = true ]; then
        echo "error: --chapter makes a preview with notes in place of outputs: CI builds the whole book" >&2
        exit 2
    fi
    BOOKRUN_ONLY=$(python3 "$ROOT/ci/chapters/bookrun.py" chapter "$only") || exit 2
    export BOOKRUN_ONLY
fi

bash "$ROOT/ci/setup.sh"

# Nothing this build runs may write into src/, ci/ or listings/ (what the
# book is made from, and what bookrun and the build stamps hash): checked
# at the end (ci/checks/tree_guard.py).
guard="$ROOT/target/book-guard.json"
mkdir -p "$ROOT/target"
python "$ROOT/ci/checks/tree_guard.py" snapshot "$guard"

if [ -n "$only" ]; then
    # A preview builds the listings its chapter's outputs need, no more.
    preview_listings=$(python "$ROOT/ci/chapters/bookrun.py" chapter "$only" --listings)
    step "Building the listings of $BOOKRUN_ONLY into .venv (skipped when unchanged)"
    if [ -n "$preview_listings" ]; then
        # shellcheck disable=SC2086 # one folder per word; no folder has a space
        python "$ROOT/ci/listing-tools/book_listings.py" build $preview_listings
    else
        echo "  (none: its outputs use no listing)"
    fi
else
    step "Building the listings into .venv (skipped when unchanged)"
    python "$ROOT/ci/listing-tools/book_listings.py" build
fi

# Where the book is published, link to the repository (header icon, "suggest
# an edit", and each listing's filename caption).
if [ -n "${BOOK_REPOSITORY_URL:-}" ]; then
    export MDBOOK_OUTPUT__HTML__GIT_REPOSITORY_URL="$BOOK_REPOSITORY_URL"
    export MDBOOK_OUTPUT__HTML__EDIT_URL_TEMPLATE="${BOOK_REPOSITORY_URL%/}/edit/main/{path}"
fi

# Every listing, as one archive beside the pages (the Introduction and
# chapter 11 link to it), for readers who have the book but not the
# repository. Generated, so git-ignored.
archive=$(python "$ROOT/ci/listing-tools/pack_listings.py")

# bookrun keeps each output with what it depends on; this pass checks them
# all at once and leaves the up-to-date ones where the shell wrapper finds
# them without starting Python (ci/chapters/bookrun.py, "prepare").
export BOOKRUN_LOG="$ROOT/target/bookrun.log"
BOOKRUN_READY="$ROOT/target/cache/bookrun/ready.sh"
prepare() {
    : > "$BOOKRUN_LOG"
    BOOKRUN_GLOBAL=$(python "$ROOT/ci/chapters/bookrun.py" prepare)
    export BOOKRUN_GLOBAL BOOKRUN_READY
}
prepare

if [ "$serve" = yes ]; then
    # mdbook serve empties book/ at each rebuild: the archive goes where it
    # copies static files from (src/, git-ignored there).
    cp "$archive" "$ROOT/src/"
    step "Serving the book on http://localhost:3000 (Ctrl-C to stop)"
    echo "(mdbook serve watches src/ only: after changing a listing, stop it and run ci/book.sh --serve again)"
    exec mdbook serve --hostname 127.0.0.1 --port 3000
fi

# mdbook logs a broken {{#include}} as an ERROR and still exits 0: keep its
# log and let check_book.py fail the build on any ERROR line. A command of
# the book that hangs is stopped by bookrun (BOOKRUN_TIMEOUT, per command).
build() {
    status=0
    mdbook build 2>&1 | tee "$ROOT/target/mdbook.log" || status=$?
    if [ "$status" != 0 ]; then
        echo "error: mdbook build failed (status $status)" >&2
        exit 1
    fi
    cp "$archive" "$ROOT/book/html/"
    python "$ROOT/ci/checks/check_book.py" "$ROOT/target/mdbook.log"
}

step "Building the book (mdbook $MDBOOK_VERSION, mdbook-cmdrun $CMDRUN_VERSION)"
start=$(date +%s)
build
# Sentences that read a number hold for this build's numbers. A benchmark
# that ran while other work crowded the machine (the tests, on a CI machine
# of two cores) can make a true sentence false: the runs behind the false
# claims are measured again, once, the pages rebuilt with their new numbers
# and every claim checked again. A sentence that is false twice fails.
remeasure="$ROOT/target/claims-remeasure.txt"
if ! python "$ROOT/ci/checks/claims.py" --remeasure "$remeasure" "$ROOT/book/html"; then
    runs=$(tr '\n' ' ' < "$remeasure")
    runs=${runs% }
    [ -n "${runs// /}" ] || exit 1
    step "Measuring again the benchmark runs behind the false claims ($runs), once"
    # shellcheck disable=SC2086 # one NAME per word
    python "$ROOT/ci/chapters/bookrun.py" forget $runs
    sleep 1  # every run stored so far is older than the mark, to the second
    BENCHKIT_MEASURE_AFTER=$(date +%s)
    BENCHKIT_MEASURE_RUNS=$runs
    export BENCHKIT_MEASURE_AFTER BENCHKIT_MEASURE_RUNS
    prepare
    build
    python "$ROOT/ci/checks/claims.py" "$ROOT/book/html"
fi
python "$ROOT/ci/checks/tree_guard.py" check "$guard"
echo "book: built in $(( $(date +%s) - start ))s: open book/html/index.html"
