#!/usr/bin/env python3
"""A build or a test leaves src/, ci/ and listings/ exactly as it found them.

These folders are what the book is made from: bookrun's cache and the
listings' build stamps hash them (ci/chapters/bookrun.py,
ci/listing-tools/book_listings.py). A tool that writes a cache there (mypy,
pytest, Hypothesis, setuptools' build/) changes the hash, and the next build
runs everything again. So every tool writes under target/ (ci/common.sh
points their caches there), and ci/book.sh and ci/test.sh check it:

  tree_guard.py snapshot FILE   record every file in those folders that git
                                does not track as committed (new, ignored or
                                changed), with a hash of its contents
  tree_guard.py check FILE      fail, naming each path, if one was added or
                                changed since the snapshot

A file that was there before and is unchanged is fine (a contributor's
new, uncommitted listing, say).
"""

import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDERS = ("src", "ci", "listings")


def state():
    p = subprocess.run(["git", "status", "--porcelain=v1", "-z", "--ignored=matching", "--untracked-files=all",
                        "--", *FOLDERS], cwd=ROOT, capture_output=True)
    if p.returncode:
        sys.exit(f"tree_guard: `git status` failed in {ROOT}: {p.stderr.decode(errors='replace').strip()}")
    out = {}
    entries = p.stdout.decode(errors="replace").split("\0")
    i = 0
    while i < len(entries):
        e = entries[i]
        i += 1
        if not e:
            continue
        status, path = e[:2], e[3:]
        if status[0] in "RC":
            i += 1  # a rename's second path
        full = os.path.join(ROOT, path)
        if os.path.isdir(full):
            # An ignored folder: every file in it.
            for d, _, files in os.walk(full):
                for f in files:
                    q = os.path.join(d, f)
                    out[os.path.relpath(q, ROOT)] = digest(q)
        else:
            out[path] = digest(full)
    return out


def digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return "unreadable"


def main(argv):
    if len(argv) != 2 or argv[0] not in ("snapshot", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, file = argv
    if mode == "snapshot":
        with open(file, "w") as f:
            json.dump(state(), f)
        return 0
    with open(file) as f:
        before = json.load(f)
    now = state()
    changed = sorted(p for p, d in now.items() if before.get(p) != d)
    if not changed:
        return 0
    shown = "\n  ".join(changed[:20]) + (f"\n  ... and {len(changed) - 20} more" if len(changed) > 20 else "")
    print(f"error: this run wrote into src/, ci/ or listings/, which the book is built from (and hashes):\n"
          f"  {shown}\n"
          "A tool's cache or output must go under target/: see ci/common.sh for the environment that sends "
          "mypy's, pytest's, Hypothesis's and Python's caches there, and CONTRIBUTING.md, \"Nothing is written "
          "into the sources\".", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
