"""Chapter 10's benchmark: convert once, call many times.

    python listings/ch10-python-api/listing-10-02/bench.py [--fresh]

Times `predict` on x of 1 row (the cost of a call) and of 10,000 rows, 8
features: the frozen `LinearFit` (coefficients in a Rust `Array1`), the
mutable `LeastSquares` (a NumPy array, borrowed on each call), the function
`predict(x, coef)` given an array, or given a list that is converted on each
call, and NumPy's `x @ coef`. Interleaved rounds, as chapter 5's bench.py;
the measurement is cached under target/cache/ by a hash of this script, the
listing's sources and the tool versions. --fresh ignores it. The timing and
the cache are listings/benchkit.py's, shared by every bench.py. The last line
carries the numbers, by name (ch10.one.min.frozen, ...), to the claims of the
chapter's prose (benchkit's `numbers`, ci/checks/claims.py).
"""

import os
import sys
from pathlib import Path

import numpy as np

import lstsq_model as lm

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # listings/, for benchkit
import benchkit as bk
from benchkit import fmt

HERE = Path(__file__).resolve().parent
# The short names of the calls in the page's numbers: ch10.one.min.frozen, ch10.big.med.numpy, ...
KEYS = {"LinearFit.predict (Array1 field)": "frozen", "LeastSquares.predict (Py<PyArray1> field)": "mutable",
        "predict(x, coef), coef an array": "arg", "predict(x, np.asarray(coef_list)), converted per call": "converted",
        "NumPy x @ coef": "numpy"}
ROUNDS = 15
ROUND_SECONDS = 0.02


def measure():
    rng = np.random.default_rng(0)
    load = bk.load()
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
        label = f"{rows} row{'s' if rows > 1 else ''} × 8"
        # The calls a round are counted from ten timed calls: one call of a few hundred ns is too short to time.
        results.append((label, bk.run_case(impls, ROUNDS, ROUND_SECONDS, calibrate=10)))
    return {
        "results": results,
        "date": bk.today(),
        "load": [load],
        "versions": bk.python_numpy(),
        "cores": os.cpu_count(),
    }


def big_rows(data):
    res = data["results"][1][1]
    rust = [tmin for name, (tmin, _) in res.items() if not name.startswith("NumPy")]
    numpy = res["NumPy x @ coef"][0]
    spread = max(rust) / min(rust) - 1
    calls = (f"the work dominates: the four Rust calls are within {spread:.0%} of each other" if spread < 0.1 else
             f"the four Rust calls still differ by up to {spread:.0%}")
    return (f"On x of {data['results'][1][0]} {calls}, and NumPy's `x @ coef`, a BLAS "
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
    lines += ["", f"On one row, the call is all there is: the mutable model's `predict` took {fmt(mutable)} "
              f"and the frozen model's {fmt(frozen)} ({mutable / frozen:.2f}×); the function took {fmt(arr)} "
              f"with the coefficients passed as an array, and {fmt(lst)} when it converted them from a list on "
              f"each call, {lst / frozen:.1f}× the frozen model's whole call.", "",
              big_rows(data), "",
              f"Measured by `bench.py` on {data['date']}, {data['cores']} cores shared with other jobs "
              f"(load average {data['load'][0]:.2f}); {data['versions']}; minimum and median of "
              f"{ROUNDS} interleaved rounds of about {ROUND_SECONDS * 1e3:.0f} ms.", "",
              bk.numbers("ch10", {
                  which: {stat: {KEYS[name]: v[i] for name, v in res.items()} for i, stat in enumerate(("min", "med"))}
                  for which, (_, res) in zip(("one", "big"), data["results"])}, data["load"][0])]
    return "\n".join(lines) + "\n"


def main():
    data = bk.cached("ch10", bk.key(__file__, [HERE], [np]), measure)
    print(report(data), end="")


if __name__ == "__main__":
    main()
