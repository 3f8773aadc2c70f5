#!/usr/bin/env python3
"""Run a Python script under memray with native stacks; print what it leaked.

  memray_leaks.py SCRIPT [--top N]

memray (installed by ci/valgrind/suite.sh --install into .tools/memray/) hooks
malloc and friends, so it sees Rust's allocations too. This runs
`memray run --native` with PYTHONMALLOC=malloc (as memray advises for leak
reports: otherwise pymalloc's arenas, memory set aside for later objects,
show up as leaks), then `memray transform csv --leaks` (allocations never
freed before exit), and prints the N largest leak sites: bytes,
number of allocations, the allocator, and the first frame in a listing's
own source (or else the first frame that is not an allocator).
"""

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKGS = ROOT / ".tools" / "memray"
ALLOC = re.compile(r"alloc|malloc|calloc|Mmap|new_arena|pool|raw_vec|spec_from_elem|from_elem", re.I)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("script")
    ap.add_argument("--top", type=int, default=3)
    a = ap.parse_args()
    if not (PKGS / "memray").is_dir():
        if os.environ.get("CI") == "true":
            sys.exit("memray_leaks: memray is not installed (bash ci/valgrind/suite.sh --install)")
        print("(memray is not installed on the machine that built this page: bash ci/valgrind/suite.sh --install)")
        return
    env = dict(os.environ, PYTHONPATH=str(PKGS))
    # Every Python object its own malloc block, as under valgrind: without
    # this, memray reports pymalloc's 1 MiB arenas as leaked.
    run_env = dict(env, PYTHONMALLOC="malloc")
    with tempfile.TemporaryDirectory() as tmp:
        out, table = Path(tmp) / "run.bin", Path(tmp) / "leaks.csv"
        subprocess.run([sys.executable, "-m", "memray", "run", "--native", "-q", "-o", out, a.script],
                       env=run_env, check=True)
        subprocess.run([sys.executable, "-m", "memray", "transform", "csv", "--leaks", "-o", table, out],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        rows = list(csv.DictReader(open(table)))
    sites = {}
    for r in rows:
        frames = [f.split(";") for f in r["stack_trace"].split("|") if f]
        own = next((f for f in frames if len(f) == 3 and re.search(r"(^|/)src/(lib|kernel)\.rs$", f[1])), None)
        if own:
            where = f"{Path(own[1]).name}:{own[2]}"
        else:
            other = next((f for f in frames if not ALLOC.search(f[0])), frames[0] if frames else ["?"])
            where = other[0]
        key = (r["allocator"], where)
        size, n = sites.get(key, (0, 0))
        sites[key] = (size + int(r["size"]), n + int(r["num_allocations"]))
    print(f"{'bytes':>12} {'allocations':>11}  {'allocator':<9} where")
    for (allocator, where), (size, n) in sorted(sites.items(), key=lambda kv: -kv[1][0])[:a.top]:
        print(f"{size:>12,} {n:>11,}  {allocator:<9} {where}")


if __name__ == "__main__":
    main()
