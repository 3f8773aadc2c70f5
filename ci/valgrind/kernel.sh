#!/usr/bin/env bash
# Compiles listing 3-1's pure-Rust kernel (src/kernel.rs) alone with rustc
# and runs its unit test, for chapter 3:
#   kernel.sh dev    with debug assertions, as a dev build: Rust's own
#                    precondition check stops the out-of-bounds read
#   kernel.sh asan   with AddressSanitizer (nightly Rust only)
# Each takes a few seconds: no pyo3, no numpy.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cd "$ROOT/listings/ch03-valgrind/listing-03-01" || exit 1
kernel=src/kernel.rs
out="$ROOT/target/ch03"
mkdir -p "$out"
case "${1:-}" in
    dev)
        rustc --edition 2024 --test -C debug-assertions=on -o "$out/kernel-dev" "$kernel"
        exec "$out/kernel-dev" --test-threads=1
        ;;
    asan)
        if ! rustc +nightly --version >/dev/null 2>&1; then
            echo "AddressSanitizer needs a nightly Rust (rustup toolchain install nightly),"
            echo "and none is installed on the machine that built this book."
            exit 0
        fi
        rustc +nightly --edition 2024 --test -Zsanitizer=address -C debug-assertions=off -g \
            -o "$out/kernel-asan" "$kernel"
        # ASan starts each line of its report with the process id.
        "$out/kernel-asan" --test-threads=1 2>&1 | sed -E 's/^==[0-9]+==/==…==/'
        exit "${PIPESTATUS[0]}"
        ;;
    *) echo "usage: kernel.sh dev|asan" >&2; exit 2 ;;
esac
