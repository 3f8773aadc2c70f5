#!/usr/bin/env python3
"""Pack every listing, with the files a reader needs to build it alone, into
one archive: target/dist/numpy-extensions-in-rust-listings.tar.gz.

  pack_listings.py [--out FILE]      write the archive (default above), print its path

Unpack it anywhere; then, in any listing folder, with the packages of
ci/requirements.txt installed: `maturin develop --release && python -m pytest tests`
(the README of a C listing says how to build it instead).

What goes in: every file of listings/ and ci/requirements.txt that git
tracks or would track (untracked files that .gitignore does not exclude), so
no build output and no virtualenv; each under numpy-extensions-in-rust/.
The chapters' tools live in listings/ too (listings/ch03-valgrind/ holds
valgrind_report.py, for example), so the archive has everything a page tells
the reader to run; ci/tests/test_archive.py builds and tests every listing
from it.

The archive is reproducible: the same files give the same bytes (sorted
names, one fixed modification time, owner and group 0, no names, gzip header
without a time or a file name). Pure Python (tarfile, gzip), so it runs
where GNU tar does not (macOS's tar has no --transform).
"""

import argparse
import gzip
import io
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "dist" / "numpy-extensions-in-rust-listings.tar.gz"
PREFIX = "numpy-extensions-in-rust"
PATHS = ["listings", "ci/requirements.txt"]
# Every member's modification time: 2000-01-01T00:00:00Z. A constant, so that
# the archive depends on the files alone (SOURCE_DATE_EPOCH overrides it).
MTIME = int(os.environ.get("SOURCE_DATE_EPOCH", "946684800"))


def git_files(root=ROOT, paths=PATHS):
    """The files git tracks or would track under PATHS, sorted. git's own error
    message, and a non-zero exit, when git cannot answer (not a checkout, or a
    checkout owned by another user: "detected dubious ownership")."""
    cmd = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *paths]
    try:
        p = subprocess.run(cmd, cwd=root, capture_output=True)
    except FileNotFoundError:
        sys.exit("pack_listings: git is not installed: the archive's file list comes from `git ls-files`")
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip()
        sys.exit(f"pack_listings: `{' '.join(cmd)}` failed in {root} (status {p.returncode}):\n{err}")
    names = sorted({n for n in p.stdout.decode().split("\0") if n})
    # --cached also lists a file deleted from the working tree but not from
    # the index: the archive holds the working tree, so it is left out.
    names = [n for n in names if os.path.lexists(root / n)]
    if not any(n.startswith("listings/") for n in names):
        sys.exit(f"pack_listings: git lists no file under listings/ in {root}")
    return names


def member(root, name):
    """A tarfile entry for ROOT/NAME, with nothing of this machine in it."""
    path = root / name
    st = os.lstat(path)
    info = tarfile.TarInfo(f"{PREFIX}/{name}")
    info.mtime = MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if stat.S_ISLNK(st.st_mode):
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(path)
        info.mode = 0o777
        return info, None
    if not stat.S_ISREG(st.st_mode):
        sys.exit(f"pack_listings: {name} is neither a file nor a symbolic link")
    info.mode = 0o755 if st.st_mode & stat.S_IXUSR else 0o644
    data = path.read_bytes()
    info.size = len(data)
    return info, data


def pack(root=ROOT, names=None):
    """The archive's bytes."""
    names = git_files(root) if names is None else names
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in names:
            info, data = member(root, name)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT, help=f"where to write it (default: {OUT.relative_to(ROOT)})")
    a = ap.parse_args()
    data = pack()
    out = a.out.resolve()
    # Unchanged files give unchanged bytes: leave the file (and its time)
    # alone then, so that `mdbook serve` does not see a change.
    if not (out.exists() and out.read_bytes() == data):
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, out)
    print(out)


if __name__ == "__main__":
    main()
