"""Chapter 9's benchmark: the Rust ufunc (listing 9-1), its C twin (listing
9-2), NumPy's own expression and the safe broadcasting function (listing
9-4), side by side in one process.

    python listings/ch09-ufuncs/listing-09-01/bench.py [--fresh]

Each case times every implementation in turn, round after round
(interleaved, so a noisy neighbour slows all of them alike); a round lasts
about 20 ms. The table gives the minimum and the median of the rounds; the
ratios use the minima. The sentences under the table are written by this
script from the same numbers.

The output (Markdown) is cached under target/cache/ by a hash of this
script, the three listings' sources and the tool versions; --fresh ignores
the cache.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import datetime
import fcntl
import hashlib
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import clogit
import logit_safe
import rlogit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SOURCES = [HERE, HERE.parent / "listing-09-02", HERE.parent / "listing-09-04"]
CACHE = ROOT / "target" / "cache"
ROUNDS = 15
ROUND_SECONDS = 0.02


def key():
    h = hashlib.sha256(Path(__file__).read_bytes())
    for d in SOURCES:
        for p in sorted((d / "src").rglob("*.[rc]*")) + sorted(d.glob("*.toml")) + sorted(d.glob("setup.py")):
            if p.is_file():
                h.update(p.read_bytes())
    h.update(subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.encode())
    h.update((sys.version + np.__version__ + f"{os.cpu_count()}").encode())
    return h.hexdigest()[:16]


def per_call(f, number):
    t = time.perf_counter()
    for _ in range(number):
        f()
    return (time.perf_counter() - t) / number


def run_case(impls):
    numbers = {}
    for name, f in impls.items():
        f()
        numbers[name] = max(1, int(ROUND_SECONDS / max(per_call(f, 1), 1e-9)))
    times = {name: [] for name in impls}
    names = list(impls)
    for r in range(ROUNDS):
        for name in names[r % len(names):] + names[: r % len(names)]:
            times[name].append(per_call(impls[name], numbers[name]))
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


IMPLS = ("C ufunc (listing 9-2)", "Rust ufunc (listing 9-1)", "NumPy: np.log(p / (1 - p))",
         "safe #[pyfunction] (listing 9-4)")


def measure():
    rng = np.random.default_rng(0)
    results = []
    load = os.getloadavg()[0]
    with np.errstate(all="ignore"):
        for n, label in ((1, "1 element"), (10**6, "1e6 elements"), (10**7, "1e7 elements")):
            p = rng.random(n)
            impls = dict(zip(IMPLS, (
                lambda p=p: clogit.logit(p),
                lambda p=p: rlogit.logit(p),
                lambda p=p: np.log(p / (1 - p)),
                lambda p=p: logit_safe.logit_array(p),
            )))
            results.append((label, run_case(impls)))
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.split()[1]
    return {
        "results": results,
        "date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}",
        "machine": f"{cpu()}, {os.cpu_count()} cores",
        "load": [load, os.getloadavg()[0]],
        "versions": f"Python {platform.python_version()}, NumPy {np.__version__}, rustc {rustc} (release)",
    }


def cpu():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def fmt(t):
    if t < 1e-6:
        return f"{t * 1e9:.0f} ns"
    if t < 1e-3:
        return f"{t * 1e6:.1f} µs"
    return f"{t * 1e3:.2f} ms"


def report(data):
    C, R, N, S = IMPLS
    lines = ["| size | implementation | min | median | time / C ufunc (min) | time / Rust ufunc (min) |",
             "|---|---|---:|---:|---:|---:|"]
    for label, res in data["results"]:
        for name, (tmin, tmed) in res.items():
            lines.append(f"| {label} | {name} | {fmt(tmin)} | {fmt(tmed)} | "
                         f"{tmin / res[C][0]:.2f} | {tmin / res[R][0]:.2f} |")
    lines.append("")
    R_ = dict(data["results"])
    big = R_["1e7 elements"]
    one = R_["1 element"]
    rc = big[R][0] / big[C][0]
    rc_med = big[R][1] / big[C][1]
    verdict = "within" if rc <= 1.05 else "outside"
    lines.append(
        f"- At 1e7 elements the Rust ufunc takes {rc:.2f}× the time of its C twin on the minima "
        f"({rc_med:.2f}× on the medians): {verdict} the chapter's target of 1.05×.")
    np_ratio = big[N][0] / big[R][0]
    lines.append(
        f"- NumPy's expression takes {np_ratio:.2f}× the Rust ufunc's time at 1e7 elements: "
        + ("it makes two temporaries and three passes over memory (`1 - p`, the division, the log), "
           "where the ufunc makes one." if np_ratio > 1 else
           "its SIMD `log` outruns the C library's scalar `log` that both the C and the Rust loop call, "
           "despite its temporaries."))
    safe_big = big[S][0] / big[R][0]
    lines.append(
        f"- The safe `#[pyfunction]` takes {safe_big:.2f}× the ufunc's time at 1e7 elements, where the "
        f"log dominates, and {one[S][0] / one[R][0]:.2f}× at one element ({fmt(one[S][0])} against "
        f"{fmt(one[R][0])}), where calling `numpy.asarray`, `numpy.require` and `numpy.empty` from Rust "
        "and borrowing the arrays dominate.")
    lines.append(
        f"- One element through the ufunc machinery costs {fmt(one[R][0])} (Rust) and {fmt(one[C][0])} (C): "
        f"a ratio of {one[R][0] / one[C][0]:.2f}: both pay for NumPy's type resolution, iterator and output "
        "allocation, and the loop itself runs once.")
    lines.append("")
    lines.append(f"Measured by `bench.py` on {data['date']}, {data['machine']} (shared with other jobs: load "
                 f"average {data['load'][0]:.2f} at the start, {data['load'][1]:.2f} at the end); "
                 f"{data['versions']}; {ROUNDS} interleaved rounds of about {ROUND_SECONDS * 1e3:.0f} ms each.")
    return "\n".join(lines) + "\n"


def main():
    fresh = "--fresh" in sys.argv
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"bench-ch09-{key()}.json"
    with open(CACHE / "bench-ch09.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if fresh or not cached.exists():
            data = measure()
            cached.write_text(json.dumps(data))
        else:
            data = json.loads(cached.read_text())
    print(report(data), end="")


if __name__ == "__main__":
    main()
