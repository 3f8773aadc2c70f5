#!/usr/bin/env python3
"""Run a Python script under memray with native stacks; print what it leaked.

  python memray_leaks.py SCRIPT [--top N]

For example, in listing 3-1's folder: `python ../memray_leaks.py memray_demo.py`.

memray (`pip install memray`; Linux and macOS) hooks malloc and friends, so
it sees Rust's allocations too. It is used from the running interpreter, or
else from .tools/memray/ of the book's repository, where the book's set-up
installs it apart from .venv. Without it, this prints a note (status 0),
unless BOOK_REQUIRE_TOOLS=1 (the book's own CI). This runs
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

# Where the book's set-up (ci/valgrind/suite.sh --install) puts memray.
BOOK_PKGS = Path(__file__).resolve().parents[2] / ".tools" / "memray"
ALLOC = re.compile(r"alloc|malloc|calloc|Mmap|new_arena|pool|raw_vec|spec_from_elem|from_elem", re.I)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("script")
    ap.add_argument("--top", type=int, default=3)
    a = ap.parse_args()
    env = dict(os.environ)
    if subprocess.run([sys.executable, "-c", "import memray"], capture_output=True).returncode != 0:
        if not (BOOK_PKGS / "memray").is_dir():
            if os.environ.get("BOOK_REQUIRE_TOOLS") == "1":
                sys.exit("memray_leaks: memray is not installed (pip install memray; "
                         "for the book: bash ci/valgrind/suite.sh --install)")
            print("(memray is not installed on the machine that built this page: pip install memray)")
            return
        env["PYTHONPATH"] = str(BOOK_PKGS)
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
