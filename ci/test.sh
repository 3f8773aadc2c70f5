#!/usr/bin/env bash
# Runs every check of the book and stops at the first failure:
#   1. structural checks (ci/listing-tools/book_listings.py check): names, includes, anchors,
#      one set of versions, cmdrun through bookrun, skeptic markers, SAFETY;
#      ShellCheck, actionlint, and nothing GNU-only or bash-4-only in a script
#   2. cargo fmt --check and cargo clippy -D warnings on every Rust listing
#   3. every listing built into .venv; 3a. its tests run from the archive of
#      listings/ (ci/tests/test_archive.py), with ci/tests
#   3c. beside them, the book's outputs that measure no time, into its cache
#   3b. the robustness gate: every function every listing exports, against a
#      matrix of bad input and against its NumPy/SciPy reference (ci/gate)
#   4. the book built, failing if any command it runs fails (ci/book.sh);
#      4a. the warm loop (ci/loop/): a second build, a prose edit and a changed
#      listing rerun only what they must; 4c. tested in headless Chromium
#   5. skeptic: every ```rust block of the rendered book compiled and run
#   6. valgrind: every listing's tests under memcheck, zero errors allowed
#      (when CI=true or VALGRIND_SUITE=1; ci/valgrind/suite.sh)
#   (1b. spell check of the prose, 4b. offline link check of book/html)
# Every step but 1 and 4 runs beside others where a core would idle (see
# started/finished below); its output is printed whole when it ends. The
# book (4), whose benchmarks need a quiet machine, runs alone.
# Nothing may write into src/, ci/ or listings/ (ci/checks/tree_guard.py).
#
# QUICK=1 ci/test.sh skips the browser test (4c) and skeptic (5), for a faster
# round while you write; CI never sets it (with CI=true it is refused).
# Every pytest test has a time limit (ci/pytest.ini, pytest-timeout), and
# every command of the book one (ci/chapters/bookrun.py), so a hang fails with a name.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT" || exit 1
t0=$(date +%s)
last=$t0
# CPU seconds (user + system) of the processes this shell has waited for,
# from bash's `times` (its second line: the children's), into file $1.
# `times` runs in this shell: in a pipe or $(...) it would count a new
# process's children, none.
children_cpu() {
    times >"$1.times"
    awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, t, "m"); n += t[1] * 60 + t[2] } printf "%d\n", n + 0.5 }' \
        "$1.times" >"$1"
}
cpu_last=0
bg_last=0
# The CPU seconds of the background steps that have ended (each writes its
# own, from its subshell's `times`, as it ends).
background_cpu() {
    local f n=0
    for f in "${LOGS:-/nonexistent}"/*.cpu; do
        [ -f "$f" ] && n=$(( n + $(cat "$f") ))
    done
    echo "$n"
}
# One line per step: its own time, the CPU it used (a background step that
# ended meanwhile counts on its own line, not here: bash adds a child's time
# to its own when the child ends) and the time since the start.
timing() {
    local now cpu bg; now=$(date +%s)
    mkdir -p "$ROOT/target"
    children_cpu "$ROOT/target/test-cpu"
    cpu=$(cat "$ROOT/target/test-cpu")
    bg=$(background_cpu)
    echo "  (timing: $1 took $(( now - last ))s, $(( cpu - cpu_last - (bg - bg_last) )) CPU-s; $(( now - t0 ))s since start)"
    last=$now
    cpu_last=$cpu
    bg_last=$bg
}
quick=${QUICK:-0}
if [ "$quick" = 1 ] && [ "${CI:-}" = true ]; then
    echo "error: QUICK=1 is for contributors: CI runs every check (unset QUICK or CI)" >&2
    exit 2
fi
[ "$quick" = 1 ] && echo "QUICK=1: the browser test (4c) and skeptic (5) will be skipped"

bash "$ROOT/ci/setup.sh"
timing setup
# No check may write into src/, ci/ or listings/ (ci/checks/tree_guard.py):
# checked once more at the end.
mkdir -p "$ROOT/target"
python "$ROOT/ci/checks/tree_guard.py" snapshot "$ROOT/target/test-guard.json"

step "1. Structural checks"
python "$ROOT/ci/listing-tools/book_listings.py" check
# Every shell script through shellcheck; the workflows through actionlint.
bash "$ROOT/ci/checks/lint-workflows.sh"
python "$ROOT/ci/checks/portable_shell.py"  # nothing GNU-only or bash-4-only (macOS)

step "1b. Spell check of the chapters (hunspell + ci/checks/dictionary.txt)"
python "$ROOT/ci/checks/spellcheck.py"
timing "structure and spelling"

# Independent steps run side by side where one alone leaves a core idle:
# clippy beside the listings' build, the valgrind suite (one thread, as
# memcheck runs) beside pytest, the browser and the link check beside
# skeptic. The book itself, whose benchmarks need a quiet machine, runs
# alone. A step started in the background writes to target/test-logs/NAME.log,
# printed whole when it ends, so two steps' lines never mix.
LOGS="$ROOT/target/test-logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
started() { # NAME CMD...: run CMD in the background
    local name=$1
    shift
    (
        s=$(date +%s)
        status=0
        "$@" >"$LOGS/$name.log" 2>&1 || status=$?
        echo "$(( $(date +%s) - s ))" >"$LOGS/$name.time"
        children_cpu "$LOGS/$name.cpu"
        exit "$status"
    ) &
    eval "pid_$name=\$!"
    running="${running:-} $!"
}
finished() { # NAME TITLE: wait for it, print its output, stop if it failed
    local name=$1 title=$2 pid cpu status=0
    eval "pid=\$pid_$name"
    wait "$pid" || status=$?
    step "$title"
    cat "$LOGS/$name.log"
    cpu=$(cat "$LOGS/$name.cpu" 2>/dev/null || echo '?')
    echo "  (timing: $title took $(cat "$LOGS/$name.time" 2>/dev/null || echo '?')s, $cpu CPU-s, beside other steps)"
    if [ "$status" != 0 ]; then
        echo "error: $title failed (status $status); its output is above and in target/test-logs/$name.log" >&2
        exit "$status"
    fi
}
# PID and every process under it (pgrep is on Linux and macOS alike).
tree_pids() {
    local c
    echo "$1"
    for c in $(pgrep -P "$1" 2>/dev/null); do tree_pids "$c"; done
}
cancel() { # NAME TITLE: like finished, but stop it first if it is still running
    local name=$1 pid pids
    eval "pid=\$pid_$name"
    if kill -0 "$pid" 2>/dev/null; then
        # Frozen first, so that no process starts another meanwhile (cargo
        # starts rustc), then listed again, stopped and let go.
        pids=$(tree_pids "$pid")
        # shellcheck disable=SC2086 # one PID per word
        kill -STOP $pids 2>/dev/null || true
        pids=$(tree_pids "$pid")
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        # shellcheck disable=SC2086
        kill -CONT $pids 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        step "$2"
        cat "$LOGS/$name.log"
        echo "  (stopped: not finished when the book's benchmarks needed a quiet machine; cargo keeps what it finished)"
        return 0
    fi
    finished "$@"
}
# A failure stops the run: what is still running in the background stops too.
stop_background() {
    local pid
    for pid in ${running:-}; do
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
}
trap stop_background EXIT

started lint python "$ROOT/ci/listing-tools/book_listings.py" lint
# Beside the listings' build, at the lowest priority (nice), so that it
# takes only what the other steps leave idle until the book: skeptic's
# dependencies (5), which do not depend on the book. Nothing more: from here
# to the book the two cores are busy, and every step added beside the others
# made the same work take more CPU time (runs r18-r20: chapter 3's valgrind
# baseline here, or the archive test, lengthened the run by a minute or two).
if [ "$quick" != 1 ]; then
    started skeptic_deps nice -n 19 bash "$ROOT/ci/skeptic/run.sh" --deps
fi
step "3. Building every listing (beside it: 2. cargo fmt and clippy on every Rust listing; 5. skeptic's dependencies)"
python "$ROOT/ci/listing-tools/book_listings.py" build
finished lint "2. cargo fmt and clippy on every Rust listing"
timing "build and lint"

# Under memcheck a test runs many times slower: one hour each instead of
# ci/pytest.ini's ten minutes (pytest-timeout reads PYTEST_TIMEOUT).
started valgrind env PYTEST_TIMEOUT="${PYTEST_TIMEOUT:-3600}" bash "$ROOT/ci/valgrind/suite.sh"
# The book's outputs that measure no time (valgrind's reports, the gdb
# session, maturin's builds...) run now, into bookrun's cache; the book
# step, alone on the machine, is left with the measurements.
started warm python "$ROOT/ci/chapters/bookrun.py" warm
# The gate reads only the listings built into .venv above.
started gate python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" -q --durations=3 "$ROOT/ci/gate"
step "3a. Every test (beside it: 3b. the gate, 6. valgrind, every listing's tests under memcheck)"
# The listings' own tests run once, as a reader runs them: from the
# archive of listings/, unpacked outside the repository, each listing built
# there as its README says (ci/tests/test_archive.py, first); then the
# other tests of ci/tests. (Side by side, they took more CPU time, and
# the free-threaded CPython 3.13, started under that load, took up to two
# minutes for an import that takes half a second on a quiet machine: run
# r19 failed on a 120 s time limit.)
python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" --durations=5 "$ROOT/ci/tests"
python "$ROOT/ci/listing-tools/book_listings.py" cargo-test
timing pytest

finished gate "3b. The robustness gate: every exported function against bad input (ci/gate)"
finished valgrind "6. valgrind: every listing's tests under memcheck (ci/valgrind/suite.sh)"
timing "valgrind (the rest of it)"

finished warm "3c. The book's outputs that measure no time, run ahead of the book (ci/chapters/bookrun.py warm)"
if [ "$quick" != 1 ]; then
    # The book's benchmarks below must have the machine to themselves: if
    # skeptic's dependencies are not compiled yet, stop compiling them (cargo
    # keeps what it finished; step 5 compiles the rest).
    cancel skeptic_deps "5. skeptic's dependencies, compiled when a core was idle"
fi
step "4. Building the book"
bash "$ROOT/ci/book.sh"
timing book

# The warm loop rebuilds book/ several times: the checks of the built book
# read a copy of it (CHECK_BOOK_DIR), so that the four run side by side.
checked="$ROOT/target/book-checked"
rm -rf "$checked"
cp -R "$ROOT/book" "$checked"
export CHECK_BOOK_DIR="$checked"
started loop python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" -q "$ROOT/ci/loop"
started links python "$ROOT/ci/checks/check_links.py" "$checked/html"
if [ "$quick" != 1 ]; then
    started browser python -m pytest -c "$ROOT/ci/pytest.ini" --rootdir "$ROOT" "$ROOT/ci/browser"
fi
step "5. skeptic: the book's Rust blocks, as rendered (beside it: 4a. the warm loop, 4b. links, 4c. the browser test)"
if [ "$quick" = 1 ]; then
    echo "skipped (QUICK=1)"
else
    bash "$ROOT/ci/skeptic/run.sh"
fi
finished links "4b. Links of the built book: internal, #fragments, https, versions (offline)"
if [ "$quick" = 1 ]; then
    step "4c. The built book in a browser (headless Chromium)"
    echo "skipped (QUICK=1)"
else
    finished browser "4c. The built book in a browser (headless Chromium)"
fi
finished loop "4a. The warm loop: a second build runs nothing again, a prose edit neither, a changed listing only its own outputs"
timing "warm loop, skeptic, links and browser"

python "$ROOT/ci/checks/tree_guard.py" check "$ROOT/target/test-guard.json"
trap - EXIT
children_cpu "$ROOT/target/test-cpu"
spent="$(( $(date +%s) - t0 ))s, $(cat "$ROOT/target/test-cpu") CPU-s"
if [ "$quick" = 1 ]; then
    step "All checks passed in $spent (QUICK=1: browser and skeptic skipped)"
else
    step "All checks passed in $spent"
fi
