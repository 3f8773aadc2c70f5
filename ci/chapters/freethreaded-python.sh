#!/usr/bin/env bash
# Gives chapter 8 a free-threaded CPython, at one path whatever its origin:
#   .tools/venv-ft/   a virtualenv of a free-threaded CPython, holding NumPy,
#                     pytest and setuptools at the lock's versions and hashes,
#                     and the C listings 1-1 (_extmodule) and 9-2 (clogit)
#                     built for it
# The interpreter it is made from, in this order:
#   FT_PYTHON=PATH    your own free-threaded CPython, 3.13 or newer: from
#                     `uv python install 3.14t` (then FT_PYTHON=python3.14t, or
#                     the path `uv python find 3.14t` prints), or
#                     actions/setup-python with 3.14t. Remembered: later runs
#                     keep using it while it runs.
#   FT_PYTHON=none    none: chapter 8's free-threaded outputs and tests are
#                     skipped (refused with CI=true)
#   otherwise         CPython 3.13 built with --disable-gil from Debian 13's
#                     python3.13 source package (apt checks it against
#                     Debian's signed index; the upstream tarball inside it is
#                     built as it is), once per machine: it is kept in the tool
#                     cache (ci/common.sh, tool_cache), so other clones reuse it.
# .tools/venv-ft is made again when its interpreter or the lock changes, and
# the two listings are built again when their sources change.
#
# The Debian build needs apt-get (no root: the source is fetched with a
# private package list), Debian's archive keyring, a C compiler, make and
# the headers of libffi and zlib (Debian: build-essential libffi-dev
# zlib1g-dev, which set-up installs as root). What is missing is one note,
# and set-up goes on; with CI=true it fails.
#
#   ci/chapters/freethreaded-python.sh             as above
#   ci/chapters/freethreaded-python.sh --packages  print the Debian packages the
#                                                  build would need installed
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

SUITE=trixie
PACKAGE=python3.13
UPSTREAM=3.13.5            # Debian 13's python3.13 (3.13.5-2+deb13uN)
# The upstream tarball's SHA-256, as Debian's index gives it.
ORIG_SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
CONFIGURE=(--disable-gil --without-ensurepip --disable-test-modules)
# Compiler flags of the interpreter (configure's OPT). The book runs a few
# imports and one 8-thread test with it: -O1 takes about half the CPU time
# of the default -O3 -g to build (measured: 178 against 330 CPU seconds),
# and NumPy's own code comes from its wheel.
FT_OPT="-DNDEBUG -O1"
# What the build depends on; change BUILD_REVISION to force a rebuild.
BUILD_REVISION=2
BUILD_DEBS="build-essential libffi-dev zlib1g-dev"
FTVENV="$TOOLS/venv-ft"
LISTINGS=("$ROOT/listings/ch01-skeleton/listing-01-01" "$ROOT/listings/ch09-ufuncs/listing-09-02")
SKIPPED="chapter 8's free-threaded outputs and ci/tests/test_freethreaded.py"
OWN="or set FT_PYTHON to a free-threaded CPython of your own (uv python install 3.14t)"

# --- the Debian build: is it possible here, and what is missing ----------
# Prints what the build lacks, one item a line (nothing when it can run).
build_lacks() {
    command -v apt-get >/dev/null || echo "apt-get (Debian's source package is fetched with it)"
    [ -f "$KEYRING" ] || echo "$KEYRING (Debian's keyring: apt-get install debian-archive-keyring)"
    local cc=${CC:-cc}
    cc=${cc%% *}
    command -v "$cc" >/dev/null || echo "a C compiler ($cc)"
    command -v make >/dev/null || echo "make"
    if command -v "$cc" >/dev/null; then
        printf '#include <ffi.h>\n' | "$cc" -E -x c - >/dev/null 2>&1 || echo "ffi.h (libffi-dev)"
        printf '#include <zlib.h>\n' | "$cc" -E -x c - >/dev/null 2>&1 || echo "zlib.h (zlib1g-dev)"
    fi
}

cache_entry() {
    local key
    key=$(echo "$UPSTREAM $ORIG_SHA256 ${CONFIGURE[*]} $FT_OPT $BUILD_REVISION $(uname -sm)" | sha256 | cut -c1-16)
    echo "$(tool_cache)/cpython-${UPSTREAM}t-$key"
}

# The interpreter .tools/venv-ft was made from, when it was the reader's own
# (FT_PYTHON) and still runs.
remembered() {
    local base
    base=$(sed -n 's/^FT_PYTHON=//p' "$FTVENV/.origin" 2>/dev/null) || return 1
    [ -n "$base" ] && "$base" -c '' 2>/dev/null && echo "$base"
}

# The Debian packages that would give the build what it lacks (none when
# apt-get itself is missing: not a Debian-like system).
needed_debs() {
    local lacks
    lacks=$(build_lacks)
    command -v apt-get >/dev/null && command -v dpkg >/dev/null || return 0
    if grep -q keyring <<<"$lacks"; then printf '%s ' debian-archive-keyring; fi
    # shellcheck disable=SC2086 # one word a package
    if grep -q -e "C compiler" -e "^make$" -e ffi.h -e zlib.h <<<"$lacks"; then printf '%s ' $BUILD_DEBS; fi
    return 0
}

if [ "${1:-}" = --packages ]; then
    # Only for a build that will happen: no FT_PYTHON, nothing remembered or cached.
    if [ -z "${FT_PYTHON:-}" ] && ! remembered >/dev/null && [ ! -x "$(cache_entry)/bin/python${UPSTREAM%.*}t" ]; then
        needed_debs
    fi
    exit 0
fi

build_debian_cpython() { # prefix
    local prefix=$1 work srcdir orig apt_opts lacks debs
    debs=$(needed_debs)
    if [ -n "$debs" ] && can_apt; then
        step "Installing $debs(apt-get), to build CPython"
        # shellcheck disable=SC2086
        { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $debs >/dev/null; } || true
    fi
    lacks=$(build_lacks)
    if [ -n "$lacks" ]; then
        optional_missing "a free-threaded CPython" "$SKIPPED" \
            "building CPython $UPSTREAM from Debian's source needs $(echo "$lacks" | paste -sd, - | sed 's/,/, /g'); $OWN"
        return 1
    fi
    step "Building free-threaded CPython $UPSTREAM (once per machine, about 2 minutes on 2 cores; kept in $(dirname "$prefix"))"
    # Built and installed in a scratch folder beside the cache entry, then
    # moved into place: another set-up never sees half an interpreter.
    work=$(mktemp -d "$(dirname "$prefix")/build.XXXXXX")
    mkdir -p "$work/lists/partial" "$work/src"
    # A private apt list for Debian 13's sources: the machine's own apt
    # configuration is left as it is, and no root is needed.
    echo "deb-src [signed-by=$KEYRING] http://deb.debian.org/debian $SUITE main" > "$work/sources.list"
    apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$work/lists" -o APT::Sandbox::User=root)
    if ! { apt-get "${apt_opts[@]}" -qq update &&
           (cd "$work/src" && apt-get "${apt_opts[@]}" -qq source --download-only "$PACKAGE"); } >"$work/apt.log" 2>&1; then
        optional_missing "a free-threaded CPython" "$SKIPPED" \
            "apt-get could not fetch Debian's $PACKAGE source: $(grep -E '^(E|W):' "$work/apt.log" | head -1); $OWN"
        rm -rf "$work"
        return 1
    fi
    orig="$work/src/${PACKAGE}_${UPSTREAM}.orig.tar.xz"
    if [ "$(sha256 "$orig" 2>/dev/null)" != "$ORIG_SHA256" ]; then
        rm -rf "$work"
        echo "error: Debian's $PACKAGE is no longer CPython $UPSTREAM: update UPSTREAM and ORIG_SHA256 in ci/chapters/freethreaded-python.sh" >&2
        exit 1
    fi
    tar -C "$work/src" -xf "$orig"
    srcdir=$(find "$work/src" -maxdepth 1 -type d -name 'Python-*' | head -1)
    # The compiler's warnings go to a log, shown if the build fails.
    if ! (cd "$srcdir" &&
          ./configure --prefix="$prefix" "${CONFIGURE[@]}" OPT="$FT_OPT" &&
          make -j"$(cpu_count)" && make install DESTDIR="$work/dest") > "$work/build.log" 2>&1; then
        tail -40 "$work/build.log" >&2
        echo "error: building CPython $UPSTREAM failed (log above; the build folder $work is kept)" >&2
        exit 1
    fi
    # Another set-up may have finished first: then its copy is kept (an
    # incomplete one is replaced).
    if [ ! -x "$prefix/bin/python${UPSTREAM%.*}t" ]; then
        rm -rf "$prefix"
        mv "$work/dest$prefix" "$prefix"
    fi
    rm -rf "$work"
}

# --- which interpreter -------------------------------------------------------
origin=""
if [ "${FT_PYTHON:-}" = none ]; then
    optional_missing "a free-threaded CPython" "$SKIPPED" "FT_PYTHON=none chose none; unset it to build or find one"
    exit 0
elif [ -n "${FT_PYTHON:-}" ]; then
    base=$(command -v "$FT_PYTHON" || true)
    if [ -z "$base" ] || ! "$base" -c '' 2>/dev/null; then
        echo "error: FT_PYTHON=$FT_PYTHON does not run: give the path of a free-threaded CPython (uv python find 3.14t prints one)" >&2
        exit 1
    fi
    origin="FT_PYTHON=$base"
elif base=$(remembered); then
    origin="FT_PYTHON=$base"
else
    prefix=$(cache_entry)
    base="$prefix/bin/python${UPSTREAM%.*}t"
    if [ ! -x "$base" ]; then
        build_debian_cpython "$prefix" || exit 0
    fi
    origin="built=$prefix"
fi
# Free-threaded, and new enough for what chapter 8 shows.
if ! "$base" -c 'import sys, sysconfig
sys.exit(not (sysconfig.get_config_var("Py_GIL_DISABLED") and sys.version_info >= (3, 13)))' 2>/dev/null; then
    echo "error: $base is not a free-threaded CPython 3.13 or newer (its sysconfig has no Py_GIL_DISABLED=1)" \
         "$([ -n "${FT_PYTHON:-}" ] && echo "(from FT_PYTHON)")" >&2
    exit 1
fi

# --- .tools/venv-ft ------------------------------------------------------------
base_id=$(py_identity "$base")
venv_key=$(printf '%s\n%s\n' "$base_id" "$(sha256 "$LOCK")" | sha256 | cut -c1-16)
if [ "$(cat "$FTVENV/.stamp" 2>/dev/null)" != "$venv_key" ] || ! "$FTVENV/bin/python" -c '' 2>/dev/null; then
    step "Making .tools/venv-ft for the free-threaded Python $(py_label "$base_id") (NumPy, pytest, setuptools from the lock)"
    rm -rf "$FTVENV" "$TOOLS/venv-3.13t" "$TOOLS/python3.13t"  # the folders of older set-ups
    "$UV" venv -q --python "$base" "$FTVENV"
    # The lock's entries for these packages and what they need, with hashes.
    req="$FTVENV/requirements.txt"
    "$UV" pip compile -q --python "$FTVENV/bin/python" --generate-hashes --no-header \
        --constraint "$LOCK" - -o "$req" <<<$'numpy\npytest\nsetuptools'
    VIRTUAL_ENV="$FTVENV" "$UV" pip sync -q --python "$FTVENV/bin/python" --require-hashes "$req"
    echo "$origin" > "$FTVENV/.origin"
    echo "$venv_key" > "$FTVENV/.stamp"
fi

# --- the C listings, built for this interpreter --------------------------------
# From a copy in target/: setuptools writes build/ and *.egg-info beside
# the sources, and nothing a build writes may land in listings/.
listings_key=$({ cat "$FTVENV/.stamp"; find "${LISTINGS[@]}" -type f \( -path '*/src/*.[ch]' -o -name setup.py -o -name pyproject.toml \) |
               sort | xargs cat; } | sha256 | cut -c1-16)
if [ "$(cat "$FTVENV/.listings" 2>/dev/null)" != "$listings_key" ]; then
    step "Building listings 1-1 and 9-2 for the free-threaded CPython"
    copies="$ROOT/target/freethreaded/listings"
    rm -rf "$copies"
    mkdir -p "$copies"
    for l in "${LISTINGS[@]}"; do
        cp -R "$l" "$copies/"
        rm -rf "$copies/$(basename "$l")/build" "$copies/$(basename "$l")"/*.egg-info
    done
    "$UV" pip install -q --python "$FTVENV/bin/python" --no-build-isolation --no-deps --reinstall "$copies"/*/
    rm -rf "$copies"
    echo "$listings_key" > "$FTVENV/.listings"
fi
