#!/usr/bin/env bash
# Valgrind for the book (chapter 3).
#
#   ci/valgrind/suite.sh --install   make sure valgrind is installed (apt-get when
#                              missing), and memray (pip, into .tools/memray);
#                              called by ci/setup.sh
#   ci/valgrind/suite.sh             run every listing's tests under valgrind
#                              memcheck, except the listings broken on purpose,
#                              and fail on any error the baseline does not
#                              suppress (listings/ch03-valgrind/valgrind_report.py)
#
# The suite runs when VALGRIND_SUITE=1, or when CI=true unless
# VALGRIND_SUITE=0. Its report is cached by a hash of its inputs (every
# listing's build stamp and files, the suppressions, the tool versions), so
# it reruns only when something changed.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cd "$ROOT" || exit 1

MEMRAY_VERSION=1.19.1
install_memray() {
    # memray, for one comparison in chapter 3: installed apart from .venv
    # (pip --target), so that its dependencies stay out of the listings'.
    # Its compiled parts fit one interpreter, which .python records: a folder
    # made for another one (or by an older set-up, without .python) is made
    # again.
    local dir="$TOOLS/memray" want; want=$(py_identity python)
    if [ "$(cat "$dir/.version" 2>/dev/null)" = "$MEMRAY_VERSION" ]; then
        local had; had=$(cat "$dir/.python" 2>/dev/null || true)
        [ "$had" = "$want" ] && return 0
        echo "note: .tools/memray was installed for $([ -n "$had" ] && echo "Python $(py_label "$had")" || echo "an unknown interpreter");" \
             "installing it again for Python $(py_label "$want")"
    fi
    step "Installing memray $MEMRAY_VERSION into .tools/memray"
    rm -rf "$dir"
    if python -m pip install -q --disable-pip-version-check --target "$dir" "memray==$MEMRAY_VERSION"; then
        echo "$MEMRAY_VERSION" > "$dir/.version"
        echo "$want" > "$dir/.python"
    elif [ "${CI:-}" = true ]; then
        echo "error: could not install memray $MEMRAY_VERSION" >&2
        exit 1
    else
        rm -rf "$dir"
        echo "warning: could not install memray: chapter 3 will say so instead of showing its output" >&2
    fi
}

if [ "${1:-}" = "--install" ]; then
    install_memray
    command -v valgrind >/dev/null && exit 0
    step "Installing valgrind (apt-get)"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; } || true
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
        { sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; } || true
    fi
    if ! command -v valgrind >/dev/null; then
        if [ "${CI:-}" = true ]; then
            echo "error: valgrind is not installed and could not be installed (apt-get install valgrind)" >&2
            exit 1
        fi
        echo "warning: valgrind is not installed and could not be installed here (no root or no apt-get):" >&2
        echo "         the valgrind checks of chapter 3 will be skipped, and its pages will say so." >&2
    fi
    exit 0
fi

suite="${VALGRIND_SUITE:-}"
if [ -z "$suite" ]; then
    [ "${CI:-}" = true ] && suite=1 || suite=0
fi
if [ "$suite" != 1 ]; then
    echo "valgrind suite: skipped (set VALGRIND_SUITE=1 to run every listing's tests under valgrind; CI does)"
    exit 0
fi
if ! command -v valgrind >/dev/null; then
    if [ "${CI:-}" = true ]; then echo "error: valgrind is not installed" >&2; exit 1; fi
    echo "valgrind suite: skipped: valgrind is not installed (bash ci/valgrind/suite.sh --install)"
    exit 0
fi

# Every listing that is not broken on purpose, and its tests. (The list is
# captured first, so that a failure to make it fails the suite instead of
# leaving it with no listing to run.)
# Left out too: the listings whose code the book does not compile, where
# memcheck would check other projects' libraries, not the book's code:
# chapter 13's NumPy expressions (13-1: SciPy's signal module, whose HiGHS
# and pybind11 modules keep what they allocate at import) and Numba's JIT
# (13-2: LLVM and Numba's dispatcher keep theirs). The baseline, made from
# NumPy, pytest and PyO3 alone, does not cover those libraries. Chapter 13's
# Cython, Rust and C versions (13-3 to 13-5) stay in.
NOT_UNDER_MEMCHECK="listings/ch13-which-tool/listing-13-01 listings/ch13-which-tool/listing-13-02"
found=$(NOT_UNDER_MEMCHECK="$NOT_UNDER_MEMCHECK" python - <<'EOF'
import json, os, subprocess, sys
skip = set(os.environ["NOT_UNDER_MEMCHECK"].split())
for l in json.loads(subprocess.run([sys.executable, "ci/listing-tools/book_listings.py", "json"], capture_output=True,
                                   text=True, check=True).stdout):
    if not l["broken"] and l["path"] not in skip:
        print(l["path"])
EOF
) || { echo "error: valgrind suite: could not list the listings (ci/listing-tools/book_listings.py json)" >&2; exit 1; }
listings=()
while IFS= read -r l; do
    if [ -n "$l" ]; then listings+=("$l"); fi
done <<<"$found"
if [ "${#listings[@]}" = 0 ]; then
    echo "error: valgrind suite: no listing to run (ci/listing-tools/book_listings.py json listed none)" >&2
    exit 1
fi
echo "valgrind suite: ${#listings[@]} listings (broken-on-purpose ones and chapter 13's NumPy and Numba versions left out) and the gate's matrix," \
     "in two processes side by side (memcheck runs one thread at a time); a few minutes the first time, then cached"
start=$(date +%s)
# Two shards, the listings dealt out in turn, and the gate's bad-input
# matrix (run in the process, GATE_IN_PROCESS=1, so that memcheck sees every
# case) split between them, every other case each (GATE_SHARD): memcheck
# keeps a process on one core, and two keep both busy once the rest of
# ci/test.sh is done. (With the whole matrix in one shard, that shard ran
# 25 minutes and the other 14, one core idle for the difference.)
shard_a=()
shard_b=()
i=0
for l in ${listings[@]+"${listings[@]}"}; do
    if [ $(( i % 2 )) = 0 ]; then shard_a+=("$l"); else shard_b+=("$l"); fi
    i=$(( i + 1 ))
done
logs=$(mktemp -d "${TMPDIR:-/tmp}/valgrind-suite.XXXXXX")
# BOOK_UNDER_VALGRIND=1 lets a test skip what valgrind does not emulate
# (IEEE exception flags of SSE arithmetic: "no exceptions", valgrind's manual,
# "Limitations"), with that reason. Every property test runs with a fifth
# of its examples (ci/valgrind/fewer_examples.py). valgrind keeps the
# symbols of a library unloaded before exit (--keep-debuginfo=yes), so that a
# leak reported there names the library, and openmp.supp can match it.
shard() { # NAME [--gate I/N] LISTING...: check one shard; its output in $logs/NAME
    local name=$1 gate='' part=''
    shift
    if [ "${1:-}" = --gate ]; then gate=ci/gate/test_gate.py; part=$2; shift 2; fi
    local tests=() l
    for l in "$@"; do tests+=("$l/tests"); done
    if [ -n "$gate" ]; then tests+=("$gate"); fi
    local run=(--baseline --supp ci/valgrind/openmp.supp --inputs "$@" ci/pytest.ini ci/gate ci/valgrind/fewer_examples.py ci/valgrind/suite.sh
               -- python -m pytest -c ci/pytest.ini --rootdir . -q --durations=10 -p fewer_examples
               ${tests[@]+"${tests[@]}"})
    local status=0
    VALGRIND_OPTS="--keep-debuginfo=yes${VALGRIND_OPTS:+ $VALGRIND_OPTS}" \
        PYTHONPATH="$ROOT/ci/valgrind${PYTHONPATH:+:$PYTHONPATH}" BOOK_UNDER_VALGRIND=1 GATE_IN_PROCESS=1 GATE_SHARD=$part GATE_EXCLUDE="$NOT_UNDER_MEMCHECK" \
        python "$ROOT/listings/ch03-valgrind/valgrind_report.py" check "${run[@]}" >"$logs/$name" 2>&1 || status=$?
    # The slowest tests under memcheck, from pytest's own report of the run
    # (kept with valgrind's report in the cache).
    if [ "$status" = 0 ]; then
        local folder
        folder=$(python "$ROOT/listings/ch03-valgrind/valgrind_report.py" json "${run[@]}" |
                 python -c 'import json, sys; print(json.load(sys.stdin)["folder"])') &&
            sed -n '/slowest 10 durations/,/passed/p' "$folder/program.txt" >>"$logs/$name"
    fi
    return "$status"
}
# If this script is stopped (ci/test.sh stops it when another step fails),
# its shards stop too.
stop_shards() {
    local p
    for p in ${pid_a:-} ${pid_b:-}; do
        pkill -TERM -P "$p" 2>/dev/null || true
        kill -TERM "$p" 2>/dev/null || true
    done
}
trap stop_shards EXIT
trap 'stop_shards; exit 143' TERM INT
shard a --gate 1/2 ${shard_a[@]+"${shard_a[@]}"} &
pid_a=$!
shard b --gate 2/2 ${shard_b[@]+"${shard_b[@]}"} &
pid_b=$!
status_a=0
status_b=0
wait "$pid_a" || status_a=$?
wait "$pid_b" || status_b=$?
for name in a b; do
    echo "--- valgrind suite, shard $name:"
    cat "$logs/$name"
done
rm -rf "$logs"
if [ "$status_a" != 0 ] || [ "$status_b" != 0 ]; then
    echo "error: valgrind suite: shard a status $status_a, shard b status $status_b (output above)" >&2
    exit 1
fi
echo "valgrind suite: passed in $(( $(date +%s) - start ))s"
