#!/usr/bin/env bash
# Installs what chapter 8 runs under a free-threaded CPython, when missing:
#   .tools/python3.13t/   CPython 3.13 built with --disable-gil
#   .tools/venv-3.13t/    a virtualenv for it: NumPy, pytest and setuptools at
#                         the lock's versions and hashes, and the C listings
#                         1-1 (_extmodule) and 9-2 (clogit) built for it
# Called by ci/setup.sh.
#
# Why 3.13t: PyO3 0.30 builds only for free-threaded 3.14 and newer, and no
# 3.14 source or binary can be fetched from the registries this book's
# machines reach. CPython 3.13's source comes from Debian 13's python3.13
# source package (apt checks it against Debian's signed index); the
# upstream tarball inside it is built as it is, without Debian's patches.
# Chapter 8 uses it for what does not need PyO3: the GIL warning and
# sys._is_gil_enabled() for C modules, and PyO3's refusal of 3.13t.
#
# Cached: each part is kept while its inputs are unchanged (a stamp holds
# their hash); the interpreter takes about 4 minutes on 2 cores to build.
# Needs a C compiler, make and the headers CPython's build uses
# (build-essential, libffi-dev, zlib1g-dev); as root it installs them.
# Without them and without root it says so and goes on (chapter 8's
# free-threaded checks then fail to find the interpreter), except with
# CI=true, where it fails.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

SUITE=trixie
PACKAGE=python3.13
UPSTREAM=3.13.5            # Debian 13's python3.13 (3.13.5-2+deb13uN)
# The upstream tarball's SHA-256, as Debian's index gives it.
ORIG_SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
PREFIX="$TOOLS/python3.13t"
FTVENV="$TOOLS/venv-3.13t"
CONFIGURE=(--disable-gil --without-ensurepip --disable-test-modules)
# What the build depends on; change BUILD_REVISION to force a rebuild.
BUILD_REVISION=1
key=$(echo "$UPSTREAM $ORIG_SHA256 ${CONFIGURE[*]} $BUILD_REVISION" | sha256sum | cut -c1-16)
LISTINGS=("$ROOT/listings/ch01-skeleton/listing-01-01" "$ROOT/listings/ch09-ufuncs/listing-09-02")

if [ "$(cat "$PREFIX/.stamp" 2>/dev/null)" != "$key" ]; then
    step "Building free-threaded CPython $UPSTREAM into .tools/python3.13t (about 4 minutes)"
    missing=()
    for p in build-essential libffi-dev zlib1g-dev; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" != 0 ]; then
            [ "${CI:-}" = true ] && { echo "error: ${missing[*]} missing (Debian packages), needed to build CPython" >&2; exit 1; }
            echo "note: ${missing[*]} missing (Debian packages): no free-threaded CPython, chapter 8's checks of it will fail" >&2
            exit 0
        fi
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
    work="$ROOT/target/freethreaded"
    rm -rf "$work" "$PREFIX" "$FTVENV"
    mkdir -p "$work/lists/partial" "$work/src"
    # A private apt list for Debian 13's sources: the machine's own apt
    # configuration is left as it is.
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $SUITE main" \
        > "$work/sources.list"
    apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$work/lists" -o APT::Sandbox::User=root)
    apt-get "${apt_opts[@]}" -qq update
    (cd "$work/src" && apt-get "${apt_opts[@]}" -qq source --download-only "$PACKAGE")
    orig="$work/src/${PACKAGE}_${UPSTREAM}.orig.tar.xz"
    echo "$ORIG_SHA256  $orig" | sha256sum -c --quiet - ||
        { echo "error: Debian's $PACKAGE is no longer CPython $UPSTREAM: update UPSTREAM and ORIG_SHA256" >&2; exit 1; }
    tar -C "$work/src" -xf "$orig"
    srcdir=$(find "$work/src" -maxdepth 1 -type d -name 'Python-*' | head -1)
    (
        cd "$srcdir"
        # The compiler's warnings go to a log, shown if the build fails.
        { ./configure --prefix="$PREFIX" "${CONFIGURE[@]}" &&
          make -j"$(nproc)" && make install; } > "$work/build.log" 2>&1 ||
            { tail -40 "$work/build.log" >&2; echo "error: building CPython $UPSTREAM failed" >&2; exit 1; }
    )
    "$PREFIX/bin/python3.13t" -c 'import sys; assert not sys._is_gil_enabled()'
    rm -rf "$work"
    echo "$key" > "$PREFIX/.stamp"
fi

venv_key=$(cat "$PREFIX/.stamp" "$LOCK" | sha256sum | cut -c1-16)
if [ "$(cat "$FTVENV/.stamp" 2>/dev/null)" != "$venv_key" ]; then
    step "Making .tools/venv-3.13t (NumPy, pytest, setuptools from the lock)"
    rm -rf "$FTVENV"
    "$UV" venv -q --python "$PREFIX/bin/python3.13t" "$FTVENV"
    # The lock's entries for these packages and what they need, with hashes.
    req="$TOOLS/freethreaded-requirements.txt"
    "$UV" pip compile -q --python "$FTVENV/bin/python" --generate-hashes --no-header \
        --constraint "$LOCK" - -o "$req" <<<$'numpy\npytest\nsetuptools'
    VIRTUAL_ENV="$FTVENV" "$UV" pip sync -q --python "$FTVENV/bin/python" --require-hashes "$req"
    rm -f "$FTVENV/.listings"
    echo "$venv_key" > "$FTVENV/.stamp"
fi

# The C listings, built for this interpreter (setuptools from the venv).
listings_key=$(find "${LISTINGS[@]}" -type f \( -path '*/src/*.[ch]' -o -name setup.py -o -name pyproject.toml \) |
               sort | xargs cat | sha256sum | cut -c1-16)
if [ "$(cat "$FTVENV/.listings" 2>/dev/null)" != "$listings_key" ]; then
    step "Building listings 1-1 and 9-2 for the free-threaded CPython"
    "$UV" pip install -q --python "$FTVENV/bin/python" --no-build-isolation --no-deps --reinstall "${LISTINGS[@]}"
    echo "$listings_key" > "$FTVENV/.listings"
fi
