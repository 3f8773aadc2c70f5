"""Chapter 10's benchmark: convert once, call many times.

    python listings/ch10-python-api/listing-10-02/bench.py [--fresh]

Times `predict` on x of 1 row (the cost of a call) and of 10,000 rows, 8
features: the frozen `LinearFit` (coefficients in a Rust `Array1`), the
mutable `LeastSquares` (a NumPy array, borrowed on each call), the function
`predict(x, coef)` given an array, or given a list that is converted on each
call, and NumPy's `x @ coef`. Interleaved rounds, as chapter 5's bench.py;
the output (Markdown) is cached under target/cache/ by a hash of this
script, the listing's sources and the tool versions. --fresh ignores it.
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

import lstsq_model as lm

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CACHE = ROOT / "target" / "cache"
ROUNDS = 15
ROUND_SECONDS = 0.02


def key():
    h = hashlib.sha256(Path(__file__).read_bytes())
    for p in sorted((HERE / "src").rglob("*.rs")) + sorted(HERE.glob("*.toml")) + [HERE / "Cargo.lock"]:
        h.update(p.read_bytes())
    h.update(subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.encode())
    h.update((sys.version + np.__version__ + str(os.cpu_count())).encode())
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
        numbers[name] = max(1, int(ROUND_SECONDS / max(per_call(f, 10), 1e-9)))
    times = {name: [] for name in impls}
    names = list(impls)
    for r in range(ROUNDS):
        for name in names[r % len(names):] + names[: r % len(names)]:
            times[name].append(per_call(impls[name], numbers[name]))
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def measure():
    rng = np.random.default_rng(0)
    results = []
    for rows in (1, 10_000):
        x = rng.standard_normal((rows, 8))
        y = rng.standard_normal(rows) if rows > 8 else None
        model = lm.LeastSquares().fit(*(x, y) if y is not None else (rng.standard_normal((20, 8)), rng.standard_normal(20)))
        frozen = model.freeze()
        coef = model.coef
        coef_list = coef.tolist()
        impls = {
            "LinearFit.predict (Array1 field)": lambda: frozen.predict(x),
            "LeastSquares.predict (Py<PyArray1> field)": lambda: model.predict(x),
            "predict(x, coef), coef an array": lambda: lm.predict(x, coef),
            "predict(x, np.asarray(coef_list)), converted per call": lambda: lm.predict(x, np.asarray(coef_list)),
            "NumPy x @ coef": lambda: x @ coef,
        }
        results.append((f"{rows} row{'s' if rows > 1 else ''} × 8", run_case(impls)))
    return {
        "results": results,
        "date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}",
        "load": [os.getloadavg()[0]],
        "versions": f"Python {platform.python_version()}, NumPy {np.__version__}",
        "cores": os.cpu_count(),
    }


def fmt(t):
    return f"{t * 1e9:.0f} ns" if t < 1e-6 else f"{t * 1e6:.1f} µs" if t < 1e-3 else f"{t * 1e3:.2f} ms"


def big_rows(data):
    res = data["results"][1][1]
    rust = [tmin for name, (tmin, _) in res.items() if not name.startswith("NumPy")]
    numpy = res["NumPy x @ coef"][0]
    return (f"On x of {data['results'][1][0]} the work dominates: the four Rust calls are within "
            f"{(max(rust) / min(rust) - 1) * 100:.0f}% of each other, and NumPy's `x @ coef`, a BLAS "
            f"matrix-vector product, takes {numpy / min(rust):.2f}× the fastest of them.")


def report(data):
    lines = ["| x | call | min | median | vs `LinearFit` (min) |", "|---|---|---:|---:|---:|"]
    for case, res in data["results"]:
        base = res["LinearFit.predict (Array1 field)"][0]
        for name, (tmin, tmed) in res.items():
            lines.append(f"| {case} | `{name}` | {fmt(tmin)} | {fmt(tmed)} | {tmin / base:.2f}× |")
    one = data["results"][0][1]
    t = lambda name: one[name][0]
    frozen, mutable = t("LinearFit.predict (Array1 field)"), t("LeastSquares.predict (Py<PyArray1> field)")
    arr, lst = t("predict(x, coef), coef an array"), t("predict(x, np.asarray(coef_list)), converted per call")
    lines += ["", f"On one row, the call is all there is: borrowing the model's NumPy array costs "
              f"{fmt(mutable - frozen)} per call over the owned `Array1` "
              f"({fmt(mutable)} against {fmt(frozen)}); passing the coefficients as an argument "
              f"costs {fmt(arr - frozen)}, and converting them from a list on each call "
              f"{fmt(lst - frozen)}, {lst / frozen:.1f}× the frozen model's whole call.", "",
              big_rows(data), "",
              f"Measured by `bench.py` on {data['date']}, {data['cores']} cores shared with other jobs "
              f"(load average {data['load'][0]:.2f}); {data['versions']}; minimum and median of "
              f"{ROUNDS} interleaved rounds of about {ROUND_SECONDS * 1e3:.0f} ms."]
    return "\n".join(lines) + "\n"


def main():
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"bench-ch10-{key()}.json"
    with open(CACHE / "bench-ch10.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if "--fresh" in sys.argv or not cached.exists():
            data = measure()
            cached.write_text(json.dumps(data))
        else:
            data = json.loads(cached.read_text())
    print(report(data), end="")


if __name__ == "__main__":
    main()
