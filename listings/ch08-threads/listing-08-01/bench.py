"""Chapter 8's benchmark: what checking for Ctrl-C costs, and rayon's pools,
side by side in one process.

    python listings/ch08-threads/listing-08-01/bench.py [--fresh]

Each case times every implementation in turn, round after round
(interleaved, so a noisy neighbour slows all of them alike); a round lasts
about 20 ms. The unchecked sum is timed twice, as two entries: how far its
two minima differ is the noise of this run, and the sentence under the table
(written by this script from the same numbers) compares the cost of the
checks with it. The output (Markdown) is cached under target/cache/ by a hash
of this script, the listing's sources and the tool versions; --fresh ignores
the cache.
"""

import datetime
import fcntl
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import interruptible as m

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CACHE = ROOT / "target" / "cache"
ROUNDS = 15
ROUND_SECONDS = 0.02
N = 2**23  # 64 MB of float64

IMPLS = {
    "total_unchecked (no checks)": lambda a: m.total_unchecked(a),
    "total_unchecked again (the noise)": lambda a: m.total_unchecked(a),
    "total (a check every 2**20 elements)": lambda a: m.total(a),
    "total_detached (detached, checks between)": lambda a: m.total_detached(a),
    "total_par (global pool)": lambda a: m.total_par(a),
    "total_par(threads=1) (a pool of its own)": lambda a: m.total_par(a, threads=1),
}


def key():
    h = hashlib.sha256(Path(__file__).read_bytes())
    for p in sorted((HERE / "src").rglob("*.rs")) + sorted(HERE.glob("*.toml")):
        h.update(p.read_bytes())
    h.update(subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.encode())
    h.update((sys.version + np.__version__ + f"{os.cpu_count()}").encode())
    return h.hexdigest()[:16]


def per_call(f, number):
    t = time.perf_counter()
    for _ in range(number):
        f()
    return (time.perf_counter() - t) / number


def measure():
    a = np.random.default_rng(0).random(N)
    impls = {name: (lambda f=f: f(a)) for name, f in IMPLS.items()}
    numbers = {}
    for name, f in impls.items():
        f()
        numbers[name] = max(1, int(ROUND_SECONDS / max(per_call(f, 1), 1e-9)))
    times = {name: [] for name in impls}
    names = list(impls)
    load = os.getloadavg()[0]
    for r in range(ROUNDS):
        for name in names[r % len(names):] + names[: r % len(names)]:
            times[name].append(per_call(impls[name], numbers[name]))
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.split()[1]
    return {
        "results": {name: (min(t), statistics.median(t)) for name, t in times.items()},
        "date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}",
        "machine": f"{os.cpu_count()} cores",
        "load": [load, os.getloadavg()[0]],
        "threads": os.environ.get("RAYON_NUM_THREADS", "unset"),
        "versions": f"Python {platform.python_version()}, NumPy {np.__version__}, rustc {rustc} (release)",
    }


def report(data):
    res = data["results"]
    names = list(res)
    base = res[names[0]][0]
    lines = ["| implementation | min | median | time / unchecked (min) |", "|---|---:|---:|---:|"]
    for name, (tmin, tmed) in res.items():
        lines.append(f"| `{name.split(' (')[0]}` ({name.split(' (', 1)[1]} | {tmin * 1e3:.2f} ms "
                     f"| {tmed * 1e3:.2f} ms | {tmin / base:.3f} |")
    lines.append("")
    noise = abs(res[names[1]][0] / base - 1)
    cost = res[names[2]][0] / base - 1
    bound = max(noise, 0.02)
    verdict = (f"within the noise of this run (the two unchecked runs differ by {noise:.1%}; "
               f"anything under {bound:.0%} counts as noise here)" if abs(cost) <= bound else
               f"{cost:+.1%}, more than this run's noise ({noise:.1%})")
    lines.append(f"- Checking for Ctrl-C every 2**20 elements changes the time of a {N * 8 >> 20} MB sum "
                 f"by {cost:+.1%}: {verdict}.")
    par = res[names[4]][0]
    lines.append(f"- On {data['machine']} the global pool ({'RAYON_NUM_THREADS=' + data['threads']}) "
                 f"takes {par / base:.2f}× the serial time; a pool of one thread made for the call "
                 f"takes {res[names[5]][0] / base:.2f}×, its start included.")
    lines.append("")
    lines.append(f"Measured by `bench.py` on {data['date']}, {data['machine']} (shared with other jobs: load "
                 f"average {data['load'][0]:.2f} at the start, {data['load'][1]:.2f} at the end); "
                 f"{data['versions']}; {ROUNDS} interleaved rounds of about {ROUND_SECONDS * 1e3:.0f} ms each.")
    return "\n".join(lines) + "\n"


def main():
    fresh = "--fresh" in sys.argv
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"bench-ch08-{key()}.json"
    with open(CACHE / "bench-ch08.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if fresh or not cached.exists():
            data = measure()
            cached.write_text(json.dumps(data))
        else:
            data = json.loads(cached.read_text())
    print(report(data), end="")


if __name__ == "__main__":
    main()
