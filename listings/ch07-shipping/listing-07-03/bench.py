"""Listing 7-3's benchmark: when NumPy wins. NumPy's float32 great-circle
expression against each Rust version of it, side by side in one process.

    python listings/ch07-shipping/listing-07-03/bench.py [--section ufuncs|distances] [--fresh]

--section ufuncs: what one element of each NumPy function in the expression
costs, in float32 and float64 (where NumPy's SIMD loops show).
--section distances: the expression on 1,000 x 1,000 points, NumPy against
the four Rust versions; one thread first, threads last.

Round after round, each contender is timed in turn (the order rotates, so a
noisy neighbour hurts all alike); a round times enough calls to last about
30 ms. Tables give the minimum and the median over the rounds; ratios use
the minima. The measurements are cached under target/cache/ by a hash of
this script, the listing's sources, rustc, Python and NumPy; --fresh ignores
the cache. The sentences are printed from the same numbers, and each
section ends with them, by name (ch07_03.speed.simd, ...), for the claims of
chapter 7's prose (benchkit's `numbers`, ci/checks/claims.py). The timing and
the cache are listings/benchkit.py's, shared by every bench.py.
"""

import os
import sys
from pathlib import Path

import numpy as np

import greatcircle

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # listings/, for benchkit
import benchkit as bk

HERE = Path(__file__).resolve().parent
ROUNDS = 15
ROUND_SECONDS = 0.03
N = M = 1000
R = 6371.0


# ANCHOR: numpy
def numpy_distance(lat1, lon1, lat2, lon2):
    """Distances in km from each point 1 to each point 2, given in degrees."""
    p1, l1 = np.radians(lat1)[:, None], np.radians(lon1)[:, None]
    p2, l2 = np.radians(lat2), np.radians(lon2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * np.asarray(R, lat1.dtype) * np.arcsin(np.sqrt(h))
# ANCHOR_END: numpy


VERSIONS = [
    ("NumPy", numpy_distance, "NumPy's float32 expression"),
    ("port", greatcircle.distance_port, "`distance_port`: the straight port"),
    ("hoisted", greatcircle.distance_hoisted, "`distance_hoisted`: sines and cosines once per point"),
    ("simd", greatcircle.distance_simd, "`distance_simd`: and an `asin` that vectorises"),
    ("par", greatcircle.distance_par, "`distance_par`: and threads"),
]


def measure():
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    rng = np.random.default_rng(0)
    load = bk.load()
    ufuncs = {}
    for dtype in ("float32", "float64"):
        x = rng.uniform(0, 1, 1_000_000).astype(dtype)
        y = np.empty_like(x)
        fs = {name: (lambda f=getattr(np, name): f(x, out=y)) for name in ("sin", "cos", "arcsin", "sqrt")}
        times = bk.run_case(fs, ROUNDS, ROUND_SECONDS, same_number=True)
        ufuncs[dtype] = {k: [t / x.size for t in v] for k, v in times.items()}
    lat1, lat2 = (rng.uniform(-90, 90, k).astype(np.float32) for k in (N, M))
    lon1, lon2 = (rng.uniform(-180, 180, k).astype(np.float32) for k in (N, M))
    args = (lat1, lon1, lat2, lon2)
    expected = numpy_distance(*args)
    for _, f, _ in VERSIONS:  # each within the tests' float32 bound of NumPy's answer
        assert np.abs(f(*args) - expected).max() < 2 * 2 * R * 2.0**-11
    distances = bk.run_case({name: (lambda f=f: f(*args)) for name, f, _ in VERSIONS}, ROUNDS, ROUND_SECONDS,
                            same_number=True)
    return {"ufuncs": ufuncs, "distances": distances, "load": os.getloadavg()[0], "load_start": load, "python": sys.version.split()[0],
            "numpy": np.__version__, "cpus": len(os.sched_getaffinity(0)),
            "simd": [f for f in __cpu_dispatch__ if __cpu_features__[f]]}


def fmt(t):
    return f"{t * 1e9:.1f} ns" if t < 1e-6 else f"{t * 1e3:.2f} ms"


def speed(ratio):
    return f"{ratio:.2f}×"


def report_ufuncs(data):
    u = data["ufuncs"]
    out = [f"NumPy {data['numpy']}, one thread, 1,000,000 elements; time an element, "
           f"minimum (median) of {ROUNDS} rounds.", "",
           "| function | float32 | float64 | float64 / float32 |", "|---|---:|---:|---:|"]
    for name in ("sin", "cos", "arcsin", "sqrt"):
        a, b = u["float32"][name], u["float64"][name]
        out.append(f"| `np.{name}` | {fmt(a[0])} ({fmt(a[1])}) | {fmt(b[0])} ({fmt(b[1])}) | {b[0] / a[0]:.1f} |")
    r = {n: u["float64"][n][0] / u["float32"][n][0] for n in ("sin", "cos", "arcsin")}
    more = [f"`np.{n}`" for n in r if r[n] > 2]
    text = (f"In this run `np.sin`, `np.cos` and `np.arcsin` took {r['sin']:.1f}, {r['cos']:.1f} and "
            f"{r['arcsin']:.1f} times as long an element in float64 as in float32. Half the bytes per "
            f"element can explain up to 2×; ")
    text += (f"{' and '.join(more)} gained more than that." if more else "no function gained more than that.")
    out += ["", text, "", numbers(data), ""]
    return "\n".join(out)


def report_distances(data):
    d = data["distances"]
    base = d["NumPy"][0]
    out = [f"Python {data['python']}, NumPy {data['numpy']}; {N:,} × {M:,} pairs of points; "
           f"minimum (median) of {ROUNDS} rounds. Speed is NumPy's time divided by the version's.", "",
           "| version | time | speed (NumPy = 1) |", "|---|---:|---:|"]
    for name, _, label in VERSIONS:
        threads = f" ({data['cpus']} cores)" if name == "par" else " (one thread)"
        out.append(f"| {label}{threads} | {fmt(d[name][0])} ({fmt(d[name][1])}) | {speed(base / d[name][0])} |")
    port, hoisted, simd, par = (base / d[k][0] for k in ("port", "hoisted", "simd", "par"))
    if port < 1:
        s = f"In this run NumPy won: the straight port ran at {speed(port)} NumPy's speed. "
    else:
        s = f"In this run NumPy did not win: the straight port ran at {speed(port)} NumPy's speed. "
    s += (f"Computing the sines and cosines once per point took it to {speed(hoisted)}"
          f"{' (still behind NumPy)' if hoisted < 1 else ''}, an `asin` that vectorises to "
          f"{speed(simd)}; `distance_par`, on the {data['cpus']} cores this process could use, "
          f"ran at {speed(par)}, {par / simd:.2f} times the speed of the one-thread `distance_simd` "
          f"(the machine's one-minute load average was {data['load']:.1f} at the end of the run).")
    out += ["", s, "", numbers(data), ""]
    return "\n".join(out)


def numbers(data):
    """The run's numbers, for the claims of chapter 7's prose (ch07_03.*): each
    section prints the same ones."""
    u, d = data["ufuncs"], data["distances"]
    return bk.numbers("ch07_03", {
        "ufunc": {dtype: {name: v[0] for name, v in u[dtype].items()} for dtype in u},
        "ratio": {name: u["float64"][name][0] / u["float32"][name][0] for name in u["float32"]},
        "min": {k: v[0] for k, v in d.items()},
        "med": {k: v[1] for k, v in d.items()},
        "speed": {k: d["NumPy"][0] / v[0] for k, v in d.items()},
        "cpus": data["cpus"],
        # NumPy's dispatch targets that this CPU has: X86_V3 (AVX2 and FMA) is
        # where NumPy 2.4's float32 sin and cos get their SIMD loop.
        "cpu": {t: t in data["simd"] for t in ("X86_V3", "X86_V4")},
    }, data["load_start"])


def main():
    section = sys.argv[sys.argv.index("--section") + 1] if "--section" in sys.argv else None
    data = bk.cached("ch07-03", bk.key(__file__, [HERE], [np]), measure)
    parts = {"ufuncs": report_ufuncs, "distances": report_distances}
    print("\n".join(f(data) for name, f in parts.items() if section in (None, name)), end="")


if __name__ == "__main__":
    main()
