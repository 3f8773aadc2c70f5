#!/usr/bin/env bash
# Installs what chapter 2 (debugging) runs, when it is missing:
#   gdb                     the system package (apt-get, as root)
#   a debug CPython 3.11    Debian's python3.11-dbg, *unpacked* into
#                           target/debug-python/root (not installed: installing
#                           it would upgrade the system's python3.11 packages)
# Called by ci/setup.sh; idempotent, and instant when both are present.
# Without root or apt it says what is missing and goes on (the checks that
# need them are skipped), except with CI=true, where it fails instead.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

DBG="$ROOT/target/debug-python"
DBG_PY="$DBG/root/usr/bin/python3.11d"
# The Debian packages that make a self-contained debug interpreter: the
# interpreter, its libpython, and the standard library it finds beside it.
DBG_DEBS="python3.11-dbg libpython3.11-dbg libpython3.11-minimal libpython3.11-stdlib"

missing() { # what, why
    if [ "${CI:-}" = true ]; then
        echo "error: $1 is missing and cannot be installed: $2" >&2
        exit 1
    fi
    echo "note: $1 is missing ($2): the checks that need it are skipped" >&2
}

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

if [ "$(uname -s)" != Linux ]; then
    exit 0  # gdb and Debian's debug Python are Linux-only; nothing to do
fi

if ! command -v gdb >/dev/null; then
    if can_apt; then
        step "Installing gdb (apt-get)"
        apt-get install -y -qq gdb >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq gdb; }
    else
        missing gdb "run ci/setup.sh as root, or apt-get install gdb"
    fi
fi

if [ ! -x "$DBG_PY" ]; then
    if command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
        step "Unpacking Debian's python3.11-dbg into target/debug-python (first time only)"
        rm -rf "$DBG/debs" "$DBG/root"
        mkdir -p "$DBG/debs"
        # shellcheck disable=SC2086
        (cd "$DBG/debs" && { apt-get download -q $DBG_DEBS 2>/dev/null ||
            { can_apt && apt-get update -qq && apt-get download -q $DBG_DEBS; }; }) ||
            { missing "python3.11-dbg" "apt-get download failed"; exit 0; }
        for deb in "$DBG"/debs/*.deb; do dpkg-deb -x "$deb" "$DBG/root"; done
        rm -rf "$DBG/debs"
        "$DBG_PY" -c 'import sys; assert hasattr(sys, "gettotalrefcount")' ||
            { echo "error: the unpacked $DBG_PY does not run" >&2; exit 1; }
    else
        missing "python3.11-dbg" "needs Debian's apt-get and dpkg-deb"
    fi
fi
