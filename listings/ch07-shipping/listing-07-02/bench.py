"""Chapter 7's benchmark: what abi3 costs. The same function, `total`, built
version-specific (listing 7-1, `shipkit`) and against the stable ABI
(listing 7-2, `shipkit_abi3`), timed side by side in one process.

    python listings/ch07-shipping/listing-07-02/bench.py [--fresh]

Round after round, each build is timed in turn (the order rotates, so a noisy
neighbour hurts both alike); a round times enough calls to last about 30 ms.
The table gives the minimum and the median over the rounds; the ratio uses
the minima. The output (Markdown) is cached under target/cache/ by a hash of
this script, both listings' sources, rustc, Python and NumPy. --fresh
ignores the cache.
"""

import fcntl
import hashlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import shipkit
import shipkit_abi3

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
LISTINGS = (HERE.parent / "listing-07-01", HERE)
CACHE = ROOT / "target" / "cache"
ROUNDS = 21
ROUND_SECONDS = 0.03


def key():
    h = hashlib.sha256(Path(__file__).read_bytes())
    for d in LISTINGS:
        for p in sorted([*(d / "src").rglob("*.rs"), *d.glob("*.toml"), d / "Cargo.lock"]):
            h.update(p.read_bytes())
    h.update(subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.encode())
    h.update((sys.version + np.__version__).encode())
    return h.hexdigest()[:16]


def per_call(f, number):
    t = time.perf_counter()
    for _ in range(number):
        f()
    return (time.perf_counter() - t) / number


def run_case(impls):
    f0 = next(iter(impls.values()))
    f0()
    number = max(1, int(ROUND_SECONDS / max(per_call(f0, 1), 1e-9)))
    times = {name: [] for name in impls}
    names = list(impls)
    for r in range(ROUNDS):
        for name in names[r % len(names):] + names[: r % len(names)]:
            times[name].append(per_call(impls[name], number))
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def measure():
    # The abi3 build must really be one, and the other not.
    assert shipkit_abi3.shipkit_abi3.__file__.endswith(".abi3.so"), shipkit_abi3.shipkit_abi3.__file__
    assert ".abi3." not in shipkit.shipkit.__file__, shipkit.shipkit.__file__
    one = np.ones(1)
    big = np.random.default_rng(0).random(1_000_000)
    cases = [
        ("call: `total` of a 1-element array", one),
        ("kernel: `total` of 1,000,000 float64", big),
    ]
    rows = []
    for name, a in cases:
        assert shipkit.total(a) == shipkit_abi3.total(a)
        r = run_case({"specific": lambda a=a: shipkit.total(a), "abi3": lambda a=a: shipkit_abi3.total(a)})
        rows.append({"case": name, **{k: list(v) for k, v in r.items()}})
    return {"rows": rows, "python": sys.version.split()[0], "numpy": np.__version__}


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
    out += ["", f"In this run abi3 cost {extra * 1e9:+.0f} ns a call "
            f"({call['abi3'][0] / call['specific'][0]:.2f}× the version-specific call), and "
            f"{kernel['abi3'][0] / kernel['specific'][0]:.2f}× the time on the kernel, whose loop "
            f"never calls into Python.", ""]
    return "\n".join(out)


def main():
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"bench-ch07-{key()}.json"
    with open(CACHE / "bench-ch07.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if "--fresh" in sys.argv or not cached.exists():
            data = measure()
            cached.write_text(json.dumps(data))
        else:
            data = json.loads(cached.read_text())
    print(report(data), end="")


if __name__ == "__main__":
    main()
