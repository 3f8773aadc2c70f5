"""Chapter 8's benchmark: what checking for Ctrl-C costs, and rayon's pools,
side by side in one process.

    python listings/ch08-threads/listing-08-01/bench.py [--fresh] [pools]

Each case times every implementation in turn, round after round
(interleaved, so a noisy neighbour slows all of them alike); a round lasts
about 20 ms. The unchecked sum is timed twice, as two entries: how far its
two minima differ is the noise of this run, and the sentence under the table
(written by this script from the same numbers) compares the cost of the
checks with it. The measurement is cached under target/cache/ by a hash of
this script, the listing's sources and the tool versions; --fresh ignores
the cache. The timing and the cache are listings/benchkit.py's, shared by
every bench.py. Both parts end with the run's numbers, by name (ch08.check_cost,
ch08.pools.min.split, ...), for the claims of the chapter's prose
(benchkit's `numbers`, ci/checks/claims.py).

The second part (printed with `pools`, from the same cached run) times
NumPy's BLAS and rayon at the same time: `x @ x` in a Python thread while
the main thread runs `total_par`, with each pool on every core
(oversubscribed) or limited (threadpoolctl for BLAS, `threads=` for rayon),
each alone for reference, also interleaved round after round.
"""

import os
import sys
import threading
from pathlib import Path

import numpy as np
import threadpoolctl
from threadpoolctl import threadpool_info, threadpool_limits

import interruptible as m

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # listings/, for benchkit
import benchkit as bk

HERE = Path(__file__).resolve().parent
ROUNDS = 15
ROUND_SECONDS = 0.02
N = 2**23  # 64 MB of float64
PAIR_ROUNDS = 9
MATRIX = 1000  # x @ x, float64: about 50 ms on one or two cores
SPAN = 2**26  # total_par over a broadcast view: about 50 ms, no memory traffic

# The short names of the rows in the page's numbers (ch08.min.KEY, ch08.pools.min.KEY).
KEYS = ["unchecked", "unchecked_again", "total", "detached", "par", "par_1"]
POOL_KEYS = ["x_default", "x_1", "par_alone", "par_1_alone", "over", "split", "seq"]

IMPLS = {
    "total_unchecked (no checks)": lambda a: m.total_unchecked(a),
    "total_unchecked again (the noise)": lambda a: m.total_unchecked(a),
    "total (a check every 2**20 elements)": lambda a: m.total(a),
    "total_detached (detached, checks between)": lambda a: m.total_detached(a),
    "total_par (global pool)": lambda a: m.total_par(a),
    "total_par(threads=1) (a pool of its own)": lambda a: m.total_par(a, threads=1),
}


def measure():
    a = np.random.default_rng(0).random(N)
    impls = {name: (lambda f=f: f(a)) for name, f in IMPLS.items()}
    load = bk.load()
    results = bk.run_case(impls, ROUNDS, ROUND_SECONDS)
    # `total` over a broadcast view, as the chapter's demo interrupts it: the
    # time of an element with no memory traffic.
    b = np.broadcast_to(1.0, SPAN)
    broadcast = bk.run_case({"total": lambda: m.total(b)}, 5, ROUND_SECONDS)["total"]
    pools = measure_pools()
    return {
        "results": results,
        "broadcast": broadcast,
        "pools": pools,
        "blas": [{k: d[k] for k in ("user_api", "internal_api", "num_threads")} for d in threadpool_info()],
        "date": bk.today(),
        "machine": f"{os.cpu_count()} cores",
        "load": [load, bk.load()],
        "threads": os.environ.get("RAYON_NUM_THREADS", "unset"),
        "versions": f"{bk.python_numpy()}, rustc {bk.rustc_version()} (release)",
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
    load = bk.load()
    # One call each a round; a first round warms up and is dropped.
    times = bk.interleave(cases, dict.fromkeys(cases, 1), PAIR_ROUNDS, warmup_rounds=1)
    return {"results": bk.summary(times), "load": [load, bk.load()]}


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
    if split > over * 1.05:
        x1, p1 = res[names[1]][0], res[names[3]][0]
        lines.append(f"- With one core each, the pair takes about as long as the longer of the two jobs alone "
                     f"(`x @ x` on one thread {x1 * 1e3:.1f} ms, `total_par(threads=1)` {p1 * 1e3:.1f} ms), "
                     f"and the core of the shorter one idles for the rest.")
    lines.append(f"- Running them one after the other, each on every core, took {seq / best:.2f}× the "
                 f"best of the three ways to run both.")
    lines.append("")
    lines.append(f"Measured by `bench.py pools` on {data['date']}, in the same run as the table above; "
                 f"{data['versions']}; `x @ x` on a {MATRIX}×{MATRIX} float64 matrix, `total_par` over "
                 f"2**{SPAN.bit_length() - 1} elements of a broadcast view; "
                 f"{PAIR_ROUNDS} interleaved rounds, one call each "
                 f"(the threadpoolctl limit, set and restored, included).")
    lines += ["", numbers(data)]
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
    lines.append(bk.measured_by(data, ROUNDS, ROUND_SECONDS))
    lines += ["", numbers(data)]
    return "\n".join(lines) + "\n"


def numbers(data):
    """The run's numbers, for the claims of the chapter's prose (ch08.*); both
    tables of the page carry the same ones."""
    res, pools = data["results"], data["pools"]["results"]
    base = res[next(iter(res))][0]
    return bk.numbers("ch08", {
        "min": {k: v[0] for k, v in zip(KEYS, res.values())},
        "med": {k: v[1] for k, v in zip(KEYS, res.values())},
        "n": N,
        "check_cost": res[list(res)[2]][0] / base - 1,
        "noise": abs(res[list(res)[1]][0] / base - 1),
        "block_seconds": res[list(res)[2]][0] * 2**20 / N,
        "broadcast": {"min": data["broadcast"][0], "med": data["broadcast"][1], "n": SPAN},
        "pools": {"min": {k: v[0] for k, v in zip(POOL_KEYS, pools.values())},
                  "med": {k: v[1] for k, v in zip(POOL_KEYS, pools.values())}},
        "blas_threads": sum(d["num_threads"] for d in data["blas"]),
        "cores": int(data["machine"].split()[0]),
    }, data["load"][0])


def main():
    data = bk.cached("ch08", bk.key(__file__, [HERE], [np, threadpoolctl]), measure)
    print(report_pools(data) if "pools" in sys.argv[1:] else report(data), end="")


if __name__ == "__main__":
    main()
