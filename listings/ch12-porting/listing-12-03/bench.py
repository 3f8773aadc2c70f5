"""Chapter 12's benchmark: the C original (listing 12-1), every step of the
straight port (listing 12-2) and the finished port (listing 12-3), side by
side in one process.

    python listings/ch12-porting/listing-12-03/bench.py [--fresh] [--section steps|port]

`--section steps` (the default) prints the first table: `_hist1d` without
weights on four inputs of ten million values (contiguous float64, every
other element of a larger array, a 3-D view that skips every other column,
float32), each step of the straight port and the finished port as a ratio to
the C's time. `--section port` prints the second: the finished port beside
the C on the rest of what the C accepts (weights, broadcasting, Fortran
order, integers, another byte order, misaligned data, several coordinates,
a small input). Both end with the run's numbers, by name
(ch12.min.strided.straight, ...), for the claims of the chapter's prose.

Each case times every implementation in turn, round after round
(interleaved, so that a noisy neighbour slows all of them alike); the ratios
use the minima over the rounds, the least disturbed. The measurement is
cached under target/cache/ by a hash of this script, the three listings'
sources and the tool versions; --fresh measures again. The timing and the
cache are listings/benchkit.py's, shared by every bench.py.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import gc
import sys
from pathlib import Path

import numpy as np

import cgridhist._core as c_core
import gridhist._core as rust_core
import gridhist_steps

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # listings/, for benchkit
import benchkit as bk
from benchkit import fmt

HERE = Path(__file__).resolve().parent
SOURCES = [HERE, HERE.parent / "listing-12-01", HERE.parent / "listing-12-02"]
ROUNDS = 9
ROUND_SECONDS = 0.05
BINS, LO, HI = 30, 0.0, 1.0
TARGET = 1.05

# The first table: (key, what the reader sees).
STEP_CASES = [("contiguous", "contiguous float64"), ("strided", "every other float64"),
              ("view3d", "3-D view, every other column"), ("float32", "float32")]
STEPS = [("straight", "straight port"), ("lanes", "1. outer axes walked, last one as slices"),
         ("own_fn", "2. the loop in a function of its own"), ("signed", "3. `as i64`, not `as usize`"),
         ("resliced", "4. no bounds check"), ("unchecked", "5. `to_int_unchecked`, no NaN or overflow checks")]
# The second table.
PORT_CASES = [("weighted", "weighted, 1e7"), ("wbroadcast", "weights broadcast along rows, 1000 x 10000"),
              ("fortran", "Fortran order, 2000 x 5000"), ("int64", "int64, 1e7"),
              ("bigendian", "big-endian float64, 1e7"), ("misaligned", "misaligned float64, 1e7"),
              ("dd2", "`_histdd`, 2 coordinates of 5e6"), ("dd3w", "`_histdd`, 3 weighted coordinates of 3e6"),
              ("small", "1,000 values (the cost of a call)")]


def step_inputs(key, rng):
    n = 10**7
    if key == "contiguous":
        return rng.random(n)
    if key == "strided":
        return rng.random(2 * n)[::2]
    if key == "view3d":
        return rng.random((100, 100, 2000))[:, :, ::2]
    return rng.random(n).astype(np.float32)


def port_inputs(key, rng):
    """(function, args before bins, lo, hi)."""
    n = 10**7
    if key == "weighted":
        return "_hist1d", (rng.random(n), rng.random(n))
    if key == "wbroadcast":
        return "_hist1d", (rng.random((1000, 10_000)), rng.random(10_000))
    if key == "fortran":
        return "_hist1d", (np.asfortranarray(rng.random((2000, 5000))), None)
    if key == "int64":
        return "_hist1d", (rng.integers(-5, 40, n), None)
    if key == "bigendian":
        return "_hist1d", (rng.random(n).astype(">f8"), None)
    if key == "misaligned":
        x = np.frombuffer(bytearray(8 * n + 1), np.float64, count=n, offset=1)
        x[...] = rng.random(n)
        return "_hist1d", (x, None)
    if key == "dd2":
        return "_histdd", ([rng.random(5 * 10**6), rng.random(5 * 10**6)], None)
    if key == "dd3w":
        return "_histdd", ([rng.random(3 * 10**6) for _ in range(3)], rng.random(3 * 10**6))
    return "_hist1d", (rng.random(1000), None)


def measure():
    rng = np.random.default_rng(12)
    load = bk.load()
    steps, port = {}, {}
    for key, _ in STEP_CASES:
        x = step_inputs(key, rng)
        expected = c_core._hist1d(x, None, BINS, LO, HI)
        impls = {"c": lambda x=x: c_core._hist1d(x, None, BINS, LO, HI)}
        for step, _ in STEPS:
            impls[step] = lambda x=x, f=getattr(gridhist_steps, step): f(x, BINS, LO, HI)
        impls["port"] = lambda x=x: rust_core._hist1d(x, None, BINS, LO, HI)
        for name, f in impls.items():  # every row computes the same counts
            assert np.array_equal(f(), expected), (key, name)
        steps[key] = bk.run_case(impls, ROUNDS, ROUND_SECONDS)
        del x, impls
        gc.collect()
    for key, _ in PORT_CASES:
        name, args = port_inputs(key, rng)
        c, r = getattr(c_core, name), getattr(rust_core, name)
        np.testing.assert_allclose(r(*args, BINS, LO, HI), c(*args, BINS, LO, HI), rtol=1e-12)
        port[key] = bk.run_case({"c": lambda: c(*args, BINS, LO, HI), "port": lambda: r(*args, BINS, LO, HI)},
                                ROUNDS, ROUND_SECONDS, calibrate=10 if key == "small" else 1)
        del args
        gc.collect()
    return {
        "steps": steps,
        "port": port,
        "date": bk.today(),
        "machine": f"{bk.cpu_model()}, {os.cpu_count()} cores",
        "load": [load, bk.load()],
        "versions": f"{bk.python_numpy()}, rustc {bk.rustc_version()} (release), {bk.c_compiler()} (-O3)",
    }


def ratios(data):
    """{(table, case): port / C on the minima} over both tables."""
    out = {}
    for table in ("steps", "port"):
        for key, res in data[table].items():
            out[(table, key)] = res["port"][0] / res["c"][0]
    return out


def verdict(data):
    r = ratios(data)
    labels = dict(STEP_CASES + PORT_CASES)
    missed = [(labels[key], v) for (_, key), v in r.items() if v > TARGET]
    said = (f"Over the {len(r)} rows of both tables the port takes between {min(r.values()):.2f}× and "
            f"{max(r.values()):.2f}× the C's time (minima of the rounds)")
    if not missed:
        return said + f": within the chapter's target of {TARGET}× on every row."
    return (said + f". Outside the target of {TARGET}×: " + "; ".join(f"{k}, {v:.2f}×" for k, v in missed)
            + f". The load average was {data['load'][0]:.1f} at the start of the run, on {os.cpu_count()} "
            "cores: compare the medians before reading much into a row.")


def numbers(data):
    return bk.numbers("ch12", {
        "min": {**{k: {i: v[0] for i, v in res.items()} for k, res in data["steps"].items()},
                **{k: {i: v[0] for i, v in res.items()} for k, res in data["port"].items()}},
        "med": {**{k: {i: v[1] for i, v in res.items()} for k, res in data["steps"].items()},
                **{k: {i: v[1] for i, v in res.items()} for k, res in data["port"].items()}},
        "worst": max(ratios(data).values()),
        "target": TARGET,
    }, data["load"][0])


def report_steps(data):
    heads = [label for _, label in STEP_CASES]
    lines = ["| | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(heads)]
    res = data["steps"]
    lines.append("| C (listing 12-1), time | " + " | ".join(fmt(res[k]["c"][0]) for k, _ in STEP_CASES) + " |")
    for step, label in STEPS + [("port", "**the port (listing 12-3)**")]:
        cells = [f"{res[k][step][0] / res[k]['c'][0]:.2f}" for k, _ in STEP_CASES]
        if step == "port":
            cells = [f"**{c}**" for c in cells]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Each row but the first is the time over the C's, from the least disturbed of "
              f"{ROUNDS} interleaved rounds: below 1 is faster than the C. Every row returns the same counts, "
              "bit for bit (the script checks before it times).", ""]
    worst = max(res[k]["straight"][0] / res[k]["c"][0] for k, _ in STEP_CASES)
    lines.append(f"- The straight port's worst column is {worst:.1f}× the C's time; "
                 f"the finished port's, {max(res[k]['port'][0] / res[k]['c'][0] for k, _ in STEP_CASES):.2f}×.")
    lines += ["", bk.measured_by(data, ROUNDS, ROUND_SECONDS), "", numbers(data)]
    return "\n".join(lines) + "\n"


def report_port(data):
    lines = ["| input | C | port | port / C (min) | port / C (median) |", "|---|---:|---:|---:|---:|"]
    res = data["port"]
    for key, label in PORT_CASES:
        c, p = res[key]["c"], res[key]["port"]
        lines.append(f"| {label} | {fmt(c[0])} | {fmt(p[0])} | {p[0] / c[0]:.2f} | {p[1] / c[1]:.2f} |")
    small = res["small"]["port"][0] / res["small"]["c"][0]
    lines += ["", "- " + verdict(data)]
    lines.append(
        f"- One call on 1,000 values takes {fmt(res['small']['port'][0])} in the port and "
        f"{fmt(res['small']['c'][0])} in the C ({small:.2f}×). "
        + ("What a call costs besides the loop, PyO3's argument handling, rust-numpy's borrow check of each "
           "input and the views the reader builds, is a fixed price: it counts on a few thousand values, "
           "and not at all on millions." if small > TARGET else
           "At this size the loop and the call's fixed costs are about even, and the two are alike."))
    lines += ["", bk.measured_by(data, ROUNDS, ROUND_SECONDS), "", numbers(data)]
    return "\n".join(lines) + "\n"


def main():
    data = bk.cached("ch12", bk.key(__file__, SOURCES, [np]), measure)
    section = next((a for a in sys.argv[1:] if a in ("steps", "port")), "steps")
    if "--section" in sys.argv:
        section = sys.argv[sys.argv.index("--section") + 1]
    print({"steps": report_steps, "port": report_port}[section](data), end="")


if __name__ == "__main__":
    main()
