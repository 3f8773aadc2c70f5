"""Chapter 9's benchmark: the Rust ufunc (listing 9-1), its C twin (listing
9-2), NumPy's own expression and the safe broadcasting function (listing
9-4), side by side in one process.

    python listings/ch09-ufuncs/listing-09-01/bench.py [--fresh]

Each case times every implementation in turn, round after round
(interleaved, so a noisy neighbour slows all of them alike); a round lasts
about 20 ms. The table gives the minimum and the median of the rounds; the
ratios use the minima. The sentences under the table are written by this
script from the same numbers.

The output is cached under target/cache/ by a hash of this script, the three
listings' sources and the tool versions; --fresh ignores the cache. The
timing and the cache are listings/benchkit.py's, shared by every bench.py.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
from pathlib import Path

import numpy as np

import clogit
import logit_safe
import rlogit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # listings/, for benchkit
import benchkit as bk
from benchkit import fmt

HERE = Path(__file__).resolve().parent
SOURCES = [HERE, HERE.parent / "listing-09-02", HERE.parent / "listing-09-04"]
ROUNDS = 15
ROUND_SECONDS = 0.02
IMPLS = ("C ufunc (listing 9-2)", "Rust ufunc (listing 9-1)", "NumPy: np.log(p / (1 - p))",
         "safe #[pyfunction] (listing 9-4)")


def measure():
    rng = np.random.default_rng(0)
    results = []
    load = bk.load()
    with np.errstate(all="ignore"):
        for n, label in ((1, "1 element"), (10**6, "1e6 elements"), (10**7, "1e7 elements")):
            p = rng.random(n)
            impls = dict(zip(IMPLS, (
                lambda p=p: clogit.logit(p),
                lambda p=p: rlogit.logit(p),
                lambda p=p: np.log(p / (1 - p)),
                lambda p=p: logit_safe.logit_array(p),
            )))
            results.append((label, bk.run_case(impls, ROUNDS, ROUND_SECONDS)))
    return {
        "results": results,
        "date": bk.today(),
        "machine": f"{bk.cpu_model()}, {os.cpu_count()} cores",
        "load": [load, bk.load()],
        "versions": f"{bk.python_numpy()}, rustc {bk.rustc_version()} (release)",
    }


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
    lines.append(bk.measured_by(data, ROUNDS, ROUND_SECONDS))
    return "\n".join(lines) + "\n"


def main():
    data = bk.cached("ch09", bk.key(__file__, SOURCES, [np]), measure)
    print(report(data), end="")


if __name__ == "__main__":
    main()
