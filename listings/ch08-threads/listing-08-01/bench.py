"""Chapter 8's benchmark: what checking for Ctrl-C costs, and rayon's pools,
side by side in one process.

    python listings/ch08-threads/listing-08-01/bench.py [--fresh] [pools]

Each case times every implementation in turn, round after round
(interleaved, so a noisy neighbour slows all of them alike); a round lasts
about 20 ms. The unchecked sum is timed twice, as two entries: how far its
two minima differ is the noise of this run, and the sentence under the table
(written by this script from the same numbers) compares the cost of the
checks with it. The output (Markdown) is cached under target/cache/ by a hash
of this script, the listing's sources and the tool versions; --fresh ignores
the cache.

The second part (printed with `pools`, from the same cached run) times
NumPy's BLAS and rayon at the same time: `x @ x` in a Python thread while
the main thread runs `total_par`, with each pool on every core
(oversubscribed) or limited (threadpoolctl for BLAS, `threads=` for rayon),
each alone for reference, also interleaved round after round.
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
import threading
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import interruptible as m

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CACHE = ROOT / "target" / "cache"
ROUNDS = 15
ROUND_SECONDS = 0.02
N = 2**23  # 64 MB of float64
PAIR_ROUNDS = 9
MATRIX = 1000  # x @ x, float64: about 50 ms on one or two cores
SPAN = 2**26  # total_par over a broadcast view: about 50 ms, no memory traffic

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
    pools = measure_pools()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.split()[1]
    return {
        "results": {name: (min(t), statistics.median(t)) for name, t in times.items()},
        "pools": pools,
        "blas": [{k: d[k] for k in ("user_api", "internal_api", "num_threads")} for d in threadpool_info()],
        "date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}",
        "machine": f"{os.cpu_count()} cores",
        "load": [load, os.getloadavg()[0]],
        "threads": os.environ.get("RAYON_NUM_THREADS", "unset"),
        "versions": f"Python {platform.python_version()}, NumPy {np.__version__}, rustc {rustc} (release)",
    }


# ANCHOR: pools
def both(x, b, threads=None):
    """`x @ x` in a Python thread while this thread sums `b` with rayon."""
    worker = threading.Thread(target=lambda: x @ x)
    worker.start()
    m.total_par(b, threads=threads)  # detached: the other thread runs meanwhile
    worker.join()


def both_one_core_each(x, b):
    """The same, with each pool limited to one thread."""
    with threadpool_limits(1, user_api="blas"):  # NumPy's BLAS, restored on exit
        both(x, b, threads=1)
# ANCHOR_END: pools


def blas_one_thread(x):
    with threadpool_limits(1, user_api="blas"):
        x @ x


def pool_cases(x, b):
    return {
        "`x @ x` alone, BLAS default": lambda: x @ x,
        "`x @ x` alone, BLAS 1 thread": lambda: blas_one_thread(x),
        "`total_par` alone, global pool": lambda: m.total_par(b),
        "`total_par(threads=1)` alone": lambda: m.total_par(b, threads=1),
        "both at once, BLAS default + global pool (oversubscribed)": lambda: both(x, b),
        "both at once, BLAS 1 thread + `threads=1`": lambda: both_one_core_each(x, b),
        "one after the other, each on all cores": lambda: (x @ x, m.total_par(b)),
    }


def measure_pools():
    x = np.random.default_rng(1).random((MATRIX, MATRIX))
    b = np.broadcast_to(1.0, SPAN)
    cases = pool_cases(x, b)
    times = {name: [] for name in cases}
    names = list(cases)
    load = os.getloadavg()[0]
    for r in range(PAIR_ROUNDS + 1):  # round 0 warms up and is dropped
        for name in names[r % len(names):] + names[: r % len(names)]:
            t = time.perf_counter()
            cases[name]()
            if r:
                times[name].append(time.perf_counter() - t)
    return {"results": {name: (min(t), statistics.median(t)) for name, t in times.items()},
            "load": [load, os.getloadavg()[0]]}


def report_pools(data):
    res = data["pools"]["results"]
    names = list(res)
    pairs = [n for n in names if "alone" not in n]
    best = min(res[n][0] for n in pairs)
    blas = ", ".join(f"{d['internal_api']} {d['num_threads']} threads" for d in data["blas"]) or "none found"
    lines = ["| what runs | min | median | time / best way to run both (min) |", "|---|---:|---:|---:|"]
    for name, (tmin, tmed) in res.items():
        ratio = f"{tmin / best:.2f}" if name in pairs else "—"
        lines.append(f"| {name} | {tmin * 1e3:.1f} ms | {tmed * 1e3:.1f} ms | {ratio} |")
    lines.append("")
    over, split, seq = (res[n][0] for n in pairs)
    cost = over / split - 1
    if cost > 0.05:
        verdict = (f"the two pools on every core at once took {over / split:.2f}× the time of "
                   f"one thread each: oversubscription cost {cost:.0%} on this run")
    elif cost < -0.05:
        verdict = (f"the two pools on every core at once took {over / split:.2f}× the time of one "
                   f"thread each: oversubscription did not hurt on this run, it was faster by {-cost:.0%}")
    else:
        verdict = (f"the two pools on every core at once took {over / split:.2f}× the time of one "
                   f"thread each: on this run oversubscription made no difference beyond the noise "
                   f"(5% counts as noise here)")
    lines.append(f"- On {data['machine']} (one-minute load average {data['pools']['load'][0]:.2f} at the "
                 f"start, {data['pools']['load'][1]:.2f} at the end; BLAS: {blas}), {verdict}.")
    cores = int(data["machine"].split()[0])
    if data["load"][0] > cores / 2:  # before the benchmark's own threads
        lines.append(f"- Other work was already running when the benchmark started (load average "
                     f"{data['load'][0]:.2f} on {cores} cores), so every row also competed with it for "
                     f"the cores.")
    lines.append(f"- Running them one after the other, each on every core, took {seq / best:.2f}× the "
                 f"best of the three ways to run both.")
    lines.append("")
    lines.append(f"Measured by `bench.py pools` on {data['date']}, in the same run as the table above; "
                 f"{data['versions']}; `x @ x` on a {MATRIX}×{MATRIX} float64 matrix, `total_par` over "
                 f"2**{SPAN.bit_length() - 1} elements of a broadcast view; "
                 f"{PAIR_ROUNDS} interleaved rounds, one call each "
                 f"(the threadpoolctl limit, set and restored, included).")
    return "\n".join(lines) + "\n"


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
    print(report_pools(data) if "pools" in sys.argv[1:] else report(data), end="")


if __name__ == "__main__":
    main()
