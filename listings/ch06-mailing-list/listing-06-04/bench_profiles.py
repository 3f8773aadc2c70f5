"""How much slower is a debug build? Times listing 6-4 built both ways.

The release build is the one installed in the virtualenv (`maturin develop
--release`). The debug build is made here with `maturin build --profile dev`
and unpacked into a temporary folder that is put first on sys.path of a
separate interpreter. The two are timed alternately, in five rounds, each
round the best of several calls on the same 1e6-element array; the table
gives the median over rounds and the ratio.

The result is cached under target/cache/ by a hash of everything it depends
on (this script, the listing's sources, rustc, Python), so a book rebuild
reuses it until one of those changes. Its last line carries the numbers, by
name (ch06.ratio.sum_iter, ...), to the claims of the chapters' prose
(listings/benchkit.py's `numbers`, ci/checks/claims.py).
"""

import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CACHE = ROOT / "target" / "cache"
sys.path.insert(0, str(HERE.parent.parent))  # listings/, for benchkit
import benchkit as bk  # noqa: E402

KERNELS = ["sum_indexed", "sum_iter"]
ROUNDS = 5

TIMER = r"""
import json, sys, timeit
import numpy as np
import profiles
a = np.random.default_rng(0).random(1_000_000)
out = {"__file__": profiles.__file__}
for name in sys.argv[1:]:
    f = getattr(profiles, name)
    f(a)
    out[name] = min(timeit.repeat(lambda: f(a), number=1, repeat=7))
print(json.dumps(out))
"""


def key():
    h = hashlib.sha256(Path(__file__).read_bytes())
    for p in sorted((HERE / "src").rglob("*.rs")) + [HERE / "Cargo.toml", HERE / "Cargo.lock"]:
        h.update(p.read_bytes())
    h.update(subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.encode())
    h.update(sys.version.encode())
    return h.hexdigest()[:16]


def time_in(pythonpath):
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    p = subprocess.run([sys.executable, "-c", TIMER, *KERNELS], env=env, capture_output=True, text=True, check=True)
    out = json.loads(p.stdout)
    where = out.pop("__file__")
    # Make sure each interpreter loaded the build it was meant to time.
    assert (pythonpath is not None) == where.startswith(pythonpath or "\0"), (pythonpath, where)
    return out


def measure():
    with tempfile.TemporaryDirectory() as tmp:
        b = subprocess.run(["maturin", "build", "--profile", "dev", "--locked", "--out", tmp],
                           cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if b.returncode:
            sys.exit("maturin build --profile dev failed:\n" + b.stdout)
        (wheel,) = Path(tmp).glob("*.whl")
        debug_dir = Path(tmp) / "debug"
        zipfile.ZipFile(wheel).extractall(debug_dir)
        rel, dbg = {k: [] for k in KERNELS}, {k: [] for k in KERNELS}
        for _ in range(ROUNDS):
            for k, v in time_in(None).items():
                rel[k].append(v)
            for k, v in time_in(str(debug_dir)).items():
                dbg[k].append(v)
    rows = []
    for k in KERNELS:
        r, d = statistics.median(rel[k]), statistics.median(dbg[k])
        rows.append((k, r, d, d / r))
    return rows


def main():
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"bench_profiles-{key()}.md"
    if cached.exists():
        print(cached.read_text(), end="")
        return
    load = bk.load()
    rows = measure()
    lines = ["| kernel (1e6 float64) | release | debug (`dev` profile) | debug / release |",
             "|---|---:|---:|---:|"]
    for k, r, d, ratio in rows:
        lines.append(f"| `{k}` | {r * 1e3:.2f} ms | {d * 1e3:.2f} ms | {ratio:.0f}× |")
    lines.append("")
    # The prose beside the table interprets it: say it from this run's numbers.
    ratio = {k: q for k, _, _, q in rows}
    idx, it = ratio["sum_indexed"], ratio["sum_iter"]
    lines.append(f"In this run the debug build is {idx:.0f}× slower for the index loop and {it:.0f}× "
                 f"for the iterator: the index loop suffers {'more' if idx > it else 'less'}.")
    lines.append("")
    lines.append(f"Measured by `bench_profiles.py` with Python {platform.python_version()} on "
                 f"{platform.machine()}, {os.cpu_count()} cores; median of {ROUNDS} rounds.")
    lines.append("")
    lines.append(bk.numbers("ch06", {"release": {k: r for k, r, _, _ in rows}, "debug": {k: d for k, _, d, _ in rows},
                                     "ratio": ratio}, load))
    text = "\n".join(lines) + "\n"
    cached.write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
