#!/usr/bin/env bash
# Compiles and runs every ```rust block of the rendered book (book/markdown/,
# written by `mdbook build`) with skeptic. Run ci/book.sh first.
#   ci/skeptic/run.sh          the book in book/ (or in $CHECK_BOOK_DIR, a copy
#                              of it: ci/test.sh checks a copy while its warm-loop
#                              test rebuilds book/)
#   ci/skeptic/run.sh --deps   compile only what the tests depend on (pyo3,
#                              rust-numpy, rayon, skeptic), before the book
#                              exists: ci/test.sh runs it beside the listings'
#                              build, where a core would idle
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cd "$ROOT" || exit 1
deps=no
[ "${1:-}" = --deps ] && deps=yes
book="${CHECK_BOOK_DIR:-$ROOT/book}"
if [ "$deps" = no ] && [ ! -d "$book/markdown" ]; then
    echo "error: $book/markdown missing: run ci/book.sh first" >&2
    exit 1
fi

# skeptic calls rustc itself, without the -L that pyo3's build script gives
# cargo: point the linker and the loader at the interpreter's libpython, and
# the embedded interpreter at the virtualenv's packages.
LIBDIR=$(python -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
SITE=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export LIBRARY_PATH="$LIBDIR${LIBRARY_PATH:+:$LIBRARY_PATH}"
export LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONPATH="$SITE"
export BOOK_MARKDOWN="$book/markdown"
# Its own target dir: pyo3's build script reruns whenever its environment
# differs, so sharing one with the maturin builds would rebuild pyo3 each time.
export CARGO_TARGET_DIR="$ROOT/target/skeptic"
if [ "$deps" = yes ]; then
    # A book of one page without Rust: build.rs runs again on the real one
    # (BOOK_MARKDOWN changed), and only book-skeptic's tests compile then.
    BOOK_MARKDOWN="$ROOT/target/skeptic-deps"
    mkdir -p "$BOOK_MARKDOWN"
    echo "No Rust here: ci/skeptic/run.sh --deps compiles the dependencies." >"$BOOK_MARKDOWN/placeholder.md"
    cargo test --locked --quiet --no-run --manifest-path "$ROOT/ci/skeptic/Cargo.toml" --test skeptic
    exit
fi
cargo test --locked --manifest-path "$ROOT/ci/skeptic/Cargo.toml" --test skeptic
