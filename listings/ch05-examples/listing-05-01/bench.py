"""Chapter 5's benchmark: Rust (listing 5-1), C (listing 5-2), NumPy and SciPy
side by side, in one process.

    python listings/ch05-examples/listing-05-01/bench.py [--fresh]

For each case every implementation is timed in turn, round after round
(interleaved, so a noisy neighbour hurts all of them alike); a round times
enough calls to last about 20 ms. The table gives the minimum and the median
over the rounds; the ratios use the minima (the least disturbed rounds): each
implementation's time over its C twin's (below 1 is faster than C) and its
speed-up over NumPy or SciPy (above 1 is faster).
The machine's copy bandwidth is measured in the same run.

The output (Markdown with an inline SVG plot) is cached under target/cache/
by a hash of everything it depends on: this script, both listings' sources,
rustc, Python and the NumPy/SciPy versions. --fresh ignores the cache.
"""

import datetime
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import numpy as np
import scipy
import scipy.ndimage as ndi

import ccookbook as cc
import cookbook as ck

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
C_LISTING = HERE.parent / "listing-05-02"
CACHE = ROOT / "target" / "cache"
ROUNDS = 7
ROUND_SECONDS = 0.02


def key():
    h = hashlib.sha256(Path(__file__).read_bytes())
    for d in (HERE, C_LISTING):
        for p in sorted(p for p in (d / "src").rglob("*") if p.suffix in (".rs", ".c", ".h")) + sorted(d.glob("*.toml")) + sorted(d.glob("Cargo.lock")) + sorted(d.glob("setup.py")):
            h.update(p.read_bytes())
    h.update(subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.encode())
    h.update((sys.version + np.__version__ + scipy.__version__).encode())
    return h.hexdigest()[:16]


def per_call(f, number):
    t = time.perf_counter()
    for _ in range(number):
        f()
    return (time.perf_counter() - t) / number


def calls_per_round(f):
    f()  # warm up (and fault in anything the first call touches)
    t = per_call(f, 1)
    return max(1, int(ROUND_SECONDS / max(t, 1e-9)))


def run_case(impls):
    """impls: {name: callable}. Returns {name: (min, median)} in seconds."""
    numbers = {name: calls_per_round(f) for name, f in impls.items()}
    times = {name: [] for name in impls}
    names = list(impls)
    for r in range(ROUNDS):
        # Rotate the order each round so no implementation always goes first.
        for name in names[r % len(names):] + names[: r % len(names)]:
            times[name].append(per_call(impls[name], numbers[name]))
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def cases():
    rng = np.random.default_rng(0)
    out = []
    for n, label in ((1, "1 element (the cost of a call)"), (10**6, "1e6 elements"), (10**7, "1e7 elements")):
        a = rng.standard_normal(n)
        out.append((f"cube, {label}", "NumPy", {
            "C": lambda a=a: cc.cube(a),
            "Rust": lambda a=a: ck.cube(a),
            "Rust, rayon": lambda a=a: ck.cube_par(a),
            "NumPy": lambda a=a: a * a * a,
        }))
    # In place, on ±1 so that repeated cubing never leaves the normal range.
    s = np.where(rng.random(10**7) < 0.5, -1.0, 1.0)
    out.append(("cube in place, 1e7", "NumPy", {
        "C": lambda: cc.cube_inplace(s),
        "Rust": lambda: ck.cube_inplace(s),
        "NumPy": lambda: np.multiply(s, s * s, out=s),
    }))
    a = rng.standard_normal(10**7)
    dst = np.empty_like(a)
    out.append(("cube into an existing array, 1e7", "copy", {
        "Rust": lambda: ck.cube_into(a, dst),
        "NumPy": lambda: np.multiply(a, a, out=dst).__imul__(a),
        "copy": lambda: np.copyto(dst, a),
    }))
    m = rng.standard_normal((2000, 5000))
    mf = np.asfortranarray(m)
    out.append(("row sums, 2000x5000, C order", "NumPy", {
        "C": lambda: cc.row_sums(m),
        "Rust": lambda: ck.row_sums(m),
        "NumPy": lambda: m.sum(axis=1),
    }))
    out.append(("row sums, 2000x5000, Fortran order", "NumPy", {
        "C": lambda: cc.row_sums(mf),
        "Rust": lambda: ck.row_sums(mf),
        "NumPy": lambda: mf.sum(axis=1),
    }))
    img = rng.standard_normal((2000, 2000))
    out.append(("uniform filter 3x3, 2000x2000", "SciPy", {
        "C": lambda: cc.uniform_filter(img, 3),
        "Rust": lambda: ck.uniform_filter(img, 3),
        "Rust, rayon": lambda: ck.uniform_filter_par(img, 3),
        "SciPy": lambda: ndi.uniform_filter(img, 3),
    }))
    return out


def fmt(t):
    if t < 1e-6:
        return f"{t * 1e9:.0f} ns"
    if t < 1e-3:
        return f"{t * 1e6:.1f} µs"
    return f"{t * 1e3:.2f} ms"


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions():
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.split()[1]
    cc_name = (sysconfig.get_config_var("CC") or "cc").split()[0]
    try:
        ccv = subprocess.run([cc_name, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        ccv = cc_name
    return (f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
            f"rustc {rustc} (release, default profile), C: {ccv} with -O3")


def svg(results):
    """A horizontal bar chart of the speed-up over NumPy/SciPy (log scale)."""
    import math
    rows = []
    for case, ref, res in results:
        if ref not in res or case.startswith("cube, 1 element"):
            continue
        rows.append(("head", case, None))
        for name, (tmin, tmed) in res.items():
            if name != ref:
                rows.append(("bar", name, res[ref][0] / tmin))
    width, left, row_h = 760, 190, 17
    height = row_h * len(rows) + 40
    values = [v for k, _, v in rows if k == "bar"]
    floor = min(0.5, min(values) / 1.5)
    lo, hi = math.log10(floor), math.log10(max(values) * 1.5)
    x = lambda v: left + (math.log10(v) - lo) / (hi - lo) * (width - left - 60)
    colours = {"C": "#888888", "Rust": "#b7410e", "Rust, rayon": "#e07b39"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img" '
             f'aria-label="Speed-up over NumPy or SciPy, per case and implementation">']
    y = 20
    for k, label, v in rows:
        if k == "head":
            parts.append(f'<text x="4" y="{y + 12}" font-weight="bold">{label}</text>')
        else:
            colour = colours.get(label, "#4a7ab5")
            parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{label}</text>')
            parts.append(f'<rect x="{x(floor):.1f}" y="{y + 2}" width="{max(1.0, x(v) - x(floor)):.1f}" height="{row_h - 4}" fill="{colour}"/>')
            parts.append(f'<text x="{x(v) + 4:.1f}" y="{y + 12}">{v:.2f}×</text>')
        y += row_h
    parts.append(f'<line x1="{x(1):.1f}" y1="14" x2="{x(1):.1f}" y2="{y}" stroke="black" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{x(1) + 4:.1f}" y="12">1× = NumPy or SciPy (or copy); minima; log scale</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def measure():
    results = []
    for case, ref, impls in cases():
        results.append((case, ref, run_case(impls)))
    lines = ["| case | implementation | min | median | time / C (min) | speed-up over NumPy, SciPy or copy (min) |",
             "|---|---|---:|---:|---:|---:|"]
    for case, ref, res in results:
        for name, (tmin, tmed) in res.items():
            vs_c = f"{tmin / res['C'][0]:.2f}" if "C" in res else "–"
            vs_ref = f"{res[ref][0] / tmin:.2f}×" if name != ref else "(reference)"
            lines.append(f"| {case} | {name} | {fmt(tmin)} | {fmt(tmed)} | {vs_c} | {vs_ref} |")
    copy = dict((c, r) for c, _, r in results)["cube into an existing array, 1e7"]
    gbs = lambda t: 2 * 8 * 10**7 / t / 1e9  # bytes read + bytes written
    lines.append("")
    lines.append(f"Copy bandwidth (`np.copyto`, 1e7 float64, read + write): {gbs(copy['copy'][0]):.1f} GB/s; "
                 f"Rust `cube_into` streams at {gbs(copy['Rust'][0]):.1f} GB/s, "
                 f"{copy['copy'][0] / copy['Rust'][0]:.2f} of it.")
    lines.append("")
    lines.append(f"Measured by `bench.py` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}, "
                 f"{cpu_model()}, {os.cpu_count()} cores (shared with other jobs: expect noise); "
                 f"{versions()}. {ROUNDS} interleaved rounds of about {ROUND_SECONDS * 1e3:.0f} ms per implementation.")
    lines.append("")
    lines.append(svg(results))
    return "\n".join(lines) + "\n"


def main():
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"bench-ch05-{key()}.md"
    if cached.exists() and "--fresh" not in sys.argv:
        print(cached.read_text(), end="")
        return
    text = measure()
    cached.write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
