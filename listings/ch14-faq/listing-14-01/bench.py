"""The cost of calling Python from Rust, a call an element (page "Questions
readers ask").

    python listings/ch14-faq/listing-14-01/bench.py [--fresh]

Sums f(x) = 2x + 1 over 100,000 float64 values four ways: in Rust with no
call (`affine_sum`), in Rust calling the Python function once an element
(`Mapper(f).sum`), in a Python loop calling it (`sum(map(f, a.tolist()))`),
and in NumPy, calling f once on the whole array (`np.sum(f(a))`).
Interleaved rounds (listings/benchkit.py); the measurement is cached under
target/cache/ by a hash of this script, the listing's sources and the tool
versions, and --fresh ignores it. The last line carries the numbers, per
element, by name (faq.min.rust, faq.min.callback, ...), to the claims of
the page's prose (ci/checks/claims.py).
"""

import os
import sys
from pathlib import Path

import numpy as np

import faqkit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # listings/, for benchkit
import benchkit as bk
from benchkit import fmt

HERE = Path(__file__).resolve().parent
N = 100_000
ROUNDS = 9
ROUND_SECONDS = 0.1
# The rows of the table, and their short names in the page's numbers.
ROWS = {
    "Rust, no call: `affine_sum(a)`": "rust",
    "Rust calling `f` an element: `Mapper(f).sum(a)`": "callback",
    "Python calling `f` an element: `sum(map(f, a.tolist()))`": "python",
    "NumPy, `f` called once on the array: `np.sum(f(a))`": "numpy",
}


def measure():
    load = bk.load()
    a = np.random.default_rng(0).standard_normal(N)

    def f(x):
        return 2.0 * x + 1.0

    mapper = faqkit.Mapper(f)
    impls = dict(zip(ROWS, [
        lambda: faqkit.affine_sum(a),
        lambda: mapper.sum(a),
        lambda: sum(map(f, a.tolist())),
        lambda: np.sum(f(a)),
    ]))
    results = bk.run_case(impls, ROUNDS, ROUND_SECONDS)
    return {"results": results, "n": N, "date": bk.today(), "load": load,
            "versions": bk.python_numpy(), "cores": os.cpu_count()}


def report(data):
    n = data["n"]
    res = {ROWS[name]: (tmin / n, tmed / n) for name, (tmin, tmed) in data["results"].items()}
    lines = [f"| sum of f(x) = 2x + 1 over {n:,} values | min a value | median a value | vs Rust, no call (min) |",
             "|---|---:|---:|---:|"]
    for name, short in ROWS.items():
        tmin, tmed = res[short]
        lines.append(f"| {name} | {fmt(tmin)} | {fmt(tmed)} | {tmin / res['rust'][0]:.0f}× |")
    call = res["callback"][0] - res["rust"][0]
    lines += ["", f"Each call of `f` from Rust cost about {fmt(call)} more than the arithmetic it does "
              f"({res['callback'][0] / res['rust'][0]:.0f}× the loop without it); the Python loop took "
              f"{res['python'][0] / res['callback'][0]:.2f}× the Rust loop that calls `f`.", "",
              f"Measured by `bench.py` on {data['date']}, {data['cores']} cores shared with other jobs "
              f"(load average {data['load']:.2f}); {data['versions']}; minimum and median of {ROUNDS} "
              f"interleaved rounds of about {ROUND_SECONDS * 1e3:.0f} ms, divided by the {n:,} values.", "",
              bk.numbers("faq", {stat: {short: v[i] for short, v in res.items()}
                                 for i, stat in enumerate(("min", "med"))}, data["load"])]
    return "\n".join(lines) + "\n"


def main():
    data = bk.cached("faq", bk.key(__file__, [HERE], [np]), measure)
    print(report(data), end="")


if __name__ == "__main__":
    main()
