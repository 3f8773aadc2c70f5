#!/usr/bin/env bash
# Compiles and runs every ```rust block of the rendered book (book/markdown/,
# written by `mdbook build`) with skeptic. Run ci/book.sh first.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cd "$ROOT" || exit 1
[ -d book/markdown ] || { echo "error: book/markdown missing: run ci/book.sh first" >&2; exit 1; }

# skeptic calls rustc itself, without the -L that pyo3's build script gives
# cargo: point the linker and the loader at the interpreter's libpython, and
# the embedded interpreter at the virtualenv's packages.
LIBDIR=$(python -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR"))')
SITE=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export LIBRARY_PATH="$LIBDIR${LIBRARY_PATH:+:$LIBRARY_PATH}"
export LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONPATH="$SITE"
export BOOK_MARKDOWN="$ROOT/book/markdown"
# Its own target dir: pyo3's build script reruns whenever its environment
# differs, so sharing one with the maturin builds would rebuild pyo3 each time.
export CARGO_TARGET_DIR="$ROOT/target/skeptic"
cargo test --locked --manifest-path "$ROOT/ci/skeptic/Cargo.toml" --test skeptic
