"""Chapter 9's benchmark: the Rust ufunc (listing 9-1), its C twin (listing
9-2), NumPy's own expression and the safe broadcasting function (listing
9-4), side by side in one process.

    python listings/ch09-ufuncs/listing-09-01/bench.py [--fresh]

Each case times every implementation in turn, round after round
(interleaved, so a noisy neighbour slows all of them alike); a round lasts
about 20 ms. The table gives the minimum and the median of the rounds; the
ratios use the minima. The sentences under the table are written by this
script from the same numbers, and its last line carries them, by name
(ch09.min.1e7.rust, ...), to the claims of the chapter's prose
(listings/benchkit.py's `numbers`, ci/checks/claims.py).

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
KEYS = dict(zip(IMPLS, ("c", "rust", "numpy", "safe")))  # their names in the page's numbers
SIZES = {"1 element": "1", "1e6 elements": "1e6", "1e7 elements": "1e7"}


def simd_log64():
    """Whether NumPy's float64 `log` runs as a SIMD loop on this CPU. In NumPy
    2.4 it has one for AVX-512 only (`X86_V4`: loops_exponent_log.dispatch.c.src,
    AVX512F_log_DOUBLE or SVML); on other CPUs it calls the C library's `log`."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return "X86_V4" in __cpu_dispatch__ and bool(__cpu_features__.get("X86_V4"))


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
        "simd_log64": simd_log64(),
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
    lines.append("- " + numpy_sentence(big[N][0] / big[R][0], big[N][1] / big[R][1], data["simd_log64"]))
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
    lines.append("")
    lines.append(bk.numbers("ch09", {
        "min": {SIZES[label]: {KEYS[k]: v[0] for k, v in res.items()} for label, res in data["results"]},
        "med": {SIZES[label]: {KEYS[k]: v[1] for k, v in res.items()} for label, res in data["results"]},
        "simd_log64": data["simd_log64"],
    }, data["load"][0]))
    return "\n".join(lines) + "\n"


def numpy_sentence(ratio, ratio_med, simd):
    """Why NumPy's expression was faster or slower than the Rust ufunc at 1e7
    elements, from the ratio of their times and what NumPy's `log` is on this CPU."""
    said = f"NumPy's expression takes {ratio:.2f}× the Rust ufunc's time at 1e7 elements ({ratio_med:.2f}× on the medians)"
    passes = "its two temporaries and three passes over memory (`1 - p`, the division, the log)"
    if simd:
        why = ("on this CPU (AVX-512, NumPy's `X86_V4`) NumPy's float64 `log` is a SIMD loop, where both compiled "
               "loops call the C library's scalar `log` once per element")
        if ratio < 0.95:
            return f"{said}: {why}, and that outweighs {passes}."
        if ratio > 1.05:
            return f"{said}: {why}, but {passes} cost more than that saves."
        return f"{said}, about the same: {why}, and {passes} take back about what that saves."
    why = "on this CPU (no AVX-512) NumPy's float64 `log` is the C library's scalar `log` too, as in both compiled loops"
    if ratio > 1.05:
        return f"{said}: {why}, so it pays for {passes}, where the ufunc makes one."
    if ratio < 0.95:
        return (f"{said}, faster although {why}: the difference is not the `log`; compare the medians and the "
                "load average under the table before you read much into it.")
    return f"{said}, about the same: {why}, and {passes} cost little beside the `log` itself."


def main():
    data = bk.cached("ch09", bk.key(__file__, SOURCES, [np]), measure)
    print(report(data), end="")


if __name__ == "__main__":
    main()
