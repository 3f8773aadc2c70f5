#!/usr/bin/env bash
# Runs a Python program under valgrind's memcheck, set up for extension
# modules: the successor of the Cookbook's valgrind_py.sh.
#
#   valgrind_py.sh [VALGRIND OPTION...] -- python SCRIPT.py [ARG...]
#
# Add --suppressions=FILE for the false alarms of your Python and NumPy
# (chapter 3 shows how to make that file from a run you trust).
set -euo pipefail
opts=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: valgrind_py.sh [valgrind options] -- python script.py" >&2; exit 2; }

# pymalloc carves small objects out of big arenas, which valgrind sees as
# one block: plain malloc lets it check each object.
export PYTHONMALLOC=malloc

# Report only leaks nothing points to any more ("definite"): a Python
# process ends with thousands of blocks still reachable or "possibly" lost
# (interior pointers), none of them a leak in valgrind's sense (a leaked
# reference hides among them: check reference counts separately). Only
# definite leaks count as errors, and any error makes the exit status 99.
# Optimised code may load two neighbours at once, one of them past the end:
# --partial-loads-ok=no reports that load instead of letting it through.
exec valgrind --tool=memcheck \
    --partial-loads-ok=no \
    --leak-check=full \
    --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite \
    --num-callers=40 \
    --error-exitcode=99 \
    ${opts[@]+"${opts[@]}"} "$@"
