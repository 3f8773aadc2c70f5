#!/usr/bin/env bash
# Installs what chapter 2 (debugging) runs, when it is missing:
#   gdb                     the system package (apt-get, as root or with
#                           password-less sudo)
#   a debug CPython 3.11    Debian's python3.11-dbg, *unpacked* into
#                           target/debug-python/root (not installed: installing
#                           it would upgrade the system's python3.11 packages;
#                           apt-get download needs no root)
# Called by ci/setup.sh; idempotent, and instant when both are present.
# What cannot be had here (no apt, no root, an archive without
# python3.11-dbg, not Linux) is one note each, and set-up goes on: the
# checks that need it are skipped. With CI=true it fails instead.
#
#   ci/chapters/debug-tools.sh             install what is missing
#   ci/chapters/debug-tools.sh --packages  print the system packages it would
#                                          install (for set-up's one apt-get)
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

DBG="$ROOT/target/debug-python"
DBG_PY="$DBG/root/usr/bin/python3.11d"
# The Debian packages that make a self-contained debug interpreter: the
# interpreter, its libpython, and the standard library it finds beside it.
DBG_DEBS="python3.11-dbg libpython3.11-dbg libpython3.11-minimal libpython3.11-stdlib"
SKIPPED="chapter 2's gdb session and its test"
SKIPPED_DBG="chapter 2's debug-interpreter outputs and their tests"

if [ "$(uname -s)" != Linux ]; then
    # gdb on Debian's debug CPython is the chapter's subject: Linux only.
    [ "${1:-}" = --packages ] && exit 0
    optional_missing "gdb with Debian's debug CPython" "$SKIPPED and $SKIPPED_DBG" "they need Linux (Debian or Ubuntu)"
    exit 0
fi

if [ "${1:-}" = --packages ]; then
    command -v gdb >/dev/null || echo gdb
    exit 0
fi

if ! command -v gdb >/dev/null; then
    if can_apt; then
        step "Installing gdb (apt-get)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdb >/dev/null 2>&1 ||
            { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdb >/dev/null; } ||
            true
    fi
    if ! command -v gdb >/dev/null; then
        if command -v apt-get >/dev/null; then how="as root: apt-get install gdb"
        else how="install gdb with your system's package manager"; fi
        optional_missing gdb "$SKIPPED" "$how"
    fi
fi

if [ ! -x "$DBG_PY" ]; then
    if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
        optional_missing "Debian's debug CPython (python3.11-dbg)" "$SKIPPED_DBG" \
            "it is unpacked from Debian's packages with apt-get download and dpkg-deb, which this system lacks"
        exit 0
    fi
    step "Unpacking Debian's python3.11-dbg into target/debug-python (first time only)"
    rm -rf "$DBG/debs" "$DBG/root"
    mkdir -p "$DBG/debs"
    # apt-get download needs no root; a stale package list does (apt-get update).
    # shellcheck disable=SC2086
    if ! (cd "$DBG/debs" && { apt-get download -q $DBG_DEBS 2>/dev/null ||
            { can_apt && as_root apt-get update -qq && apt-get download -q $DBG_DEBS; }; }) >"$DBG/download.log" 2>&1; then
        rm -rf "$DBG/debs"
        optional_missing "Debian's debug CPython (python3.11-dbg)" "$SKIPPED_DBG" \
            "apt-get download $DBG_DEBS failed (Ubuntu and newer Debian have no python3.11-dbg; log: target/debug-python/download.log)"
        exit 0
    fi
    for deb in "$DBG"/debs/*.deb; do dpkg-deb -x "$deb" "$DBG/root"; done
    rm -rf "$DBG/debs" "$DBG/download.log"
    if ! "$DBG_PY" -c 'import sys; assert hasattr(sys, "gettotalrefcount")' 2>/dev/null; then
        rm -rf "$DBG/root"
        optional_missing "Debian's debug CPython (python3.11-dbg)" "$SKIPPED_DBG" \
            "the unpacked interpreter does not run on this system (it needs Debian 12's libraries)"
    fi
fi
