"""Chapter 7's benchmark: what abi3 costs. The same function, `total`, built
version-specific (listing 7-1, `shipkit`) and against the stable ABI
(listing 7-2, `shipkit_abi3`), timed side by side in one process.

    python listings/ch07-shipping/listing-07-02/bench.py [--fresh]

Round after round, each build is timed in turn (the order rotates, so a noisy
neighbour hurts both alike); a round times enough calls to last about 30 ms.
The table gives the minimum and the median over the rounds; the ratio uses
the minima. The measurement is cached under target/cache/ by a hash of this
script, both listings' sources, rustc, Python and NumPy; --fresh ignores the
cache. The timing and the cache are listings/benchkit.py's, shared by every
bench.py.
"""

import os
import re
import sys
from pathlib import Path

import numpy as np

import shipkit
import shipkit_abi3

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # listings/, for benchkit
import benchkit as bk

HERE = Path(__file__).resolve().parent
LISTINGS = (HERE.parent / "listing-07-01", HERE)
ROUNDS = 21
ROUND_SECONDS = 0.03
KERNEL_N = 1_000_000


def block():
    """The elements `total` sums between two checks for Ctrl-C, read from its
    source (src/lib.rs: `axis_chunks_iter(Axis(0), 1 << 20)`)."""
    m = re.search(r"axis_chunks_iter\(Axis\(0\), 1 << (\d+)\)", (HERE / "src" / "lib.rs").read_text())
    assert m, "src/lib.rs: the block size of `total` not found"
    return int(m[1])


def measure():
    load = os.getloadavg()[0]
    # The abi3 build must really be one, and the other not.
    assert shipkit_abi3.shipkit_abi3.__file__.endswith(".abi3.so"), shipkit_abi3.shipkit_abi3.__file__
    assert ".abi3." not in shipkit.shipkit.__file__, shipkit.shipkit.__file__
    one = np.ones(1)
    big = np.random.default_rng(0).random(KERNEL_N)
    cases = [
        ("call: `total` of a 1-element array", one),
        (f"kernel: `total` of {KERNEL_N:,} float64", big),
    ]
    rows = []
    for name, a in cases:
        assert shipkit.total(a) == shipkit_abi3.total(a)
        r = bk.run_case({"specific": lambda a=a: shipkit.total(a), "abi3": lambda a=a: shipkit_abi3.total(a)},
                        ROUNDS, ROUND_SECONDS, same_number=True)
        rows.append({"case": name, **{k: list(v) for k, v in r.items()}})
    return {"rows": rows, "python": sys.version.split()[0], "numpy": np.__version__, "load": load}


def fmt(t):
    return f"{t * 1e9:.0f} ns" if t < 1e-6 else f"{t * 1e6:.1f} µs"


def report(data):
    TAG = "cp" + "".join(data["python"].split(".")[:2])
    out = [f"Python {data['python']}, NumPy {data['numpy']}, one thread; "
           f"minimum (median) of {ROUNDS} rounds.", "",
           f"| case | version-specific ({TAG}) | abi3 (cp311-abi3) | abi3 / specific |",
           "|---|---:|---:|---:|"]
    for r in data["rows"]:
        s, a = r["specific"], r["abi3"]
        out.append(f"| {r['case']} | {fmt(s[0])} ({fmt(s[1])}) | {fmt(a[0])} ({fmt(a[1])}) | {a[0] / s[0]:.2f} |")
    call, kernel = data["rows"]
    extra = call["abi3"][0] - call["specific"][0]
    bits = block()
    checks = -(-KERNEL_N // (1 << bits))
    out += ["", f"In this run abi3 cost {extra * 1e9:+.0f} ns a call "
            f"({call['abi3'][0] / call['specific'][0]:.2f}× the version-specific call), and "
            f"{kernel['abi3'][0] / kernel['specific'][0]:.2f}× the time on the kernel, whose loop "
            f"calls into Python only to check for Ctrl-C, once per 2<sup>{bits}</sup> elements "
            f"({'once' if checks == 1 else f'{checks} times'} for {KERNEL_N:,} elements).", ""]
    # The run's numbers, for the claims of chapter 7's prose (ch07_02.*).
    out += [bk.numbers("ch07_02", {name.split(":")[0]: {"specific": r["specific"][0], "abi3": r["abi3"][0]}
                                   for name, r in zip(("call:", "kernel:"), data["rows"])}, data["load"]), ""]
    return "\n".join(out)


def main():
    data = bk.cached("ch07", bk.key(__file__, LISTINGS, [np]), measure)
    print(report(data), end="")


if __name__ == "__main__":
    main()
