#!/usr/bin/env bash
# Packs every listing, with the files a reader needs to build it alone, into
# target/dist/numpy-extensions-in-rust-listings.tar.gz. Unpack it anywhere,
# then in any listing folder: `maturin develop --release && python -m pytest tests`.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cd "$ROOT" || exit 1
out="$ROOT/target/dist/numpy-extensions-in-rust-listings.tar.gz"
mkdir -p "$(dirname "$out")"
# Only files git knows about: no build output, no virtualenvs.
git ls-files -z --cached --others --exclude-standard listings ci/requirements.txt |
    tar --null -T - --transform 's,^,numpy-extensions-in-rust/,' -czf "$out"
echo "$out"
