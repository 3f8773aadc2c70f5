"""Chapter 5's benchmark: Rust (listing 5-2), C (listing 5-3), NumPy and SciPy
side by side, in one process.

    python listings/ch05-examples/listing-05-02/bench.py [--fresh] [--section table|simd|targets]

For each case every implementation is timed in turn, round after round
(interleaved, so a noisy neighbour hurts all of them alike); a round times
enough calls to last about 30 ms. The table gives the minimum and the median
over the rounds; the ratios use the minima (the least disturbed rounds): each
implementation's time over its C twin's (below 1 is faster than C) and its
speed-up over NumPy or SciPy (above 1 is faster).
The machine's copy bandwidth is measured in the same run, with one thread
and with two.

`--section table` (the default) prints the table and the plot;
`--section simd` the filter at the baseline x86-64 code and with its AVX2
path (chapter 7); `--section targets` prints the chapter's performance targets, each with the
ratio this run measured and, where it is missed, why, in numbers from the
same run.

The measurement is cached under target/cache/ by a hash of everything it
depends on: this script, both listings' sources, rustc, Python and the
NumPy/SciPy versions. --fresh ignores the cache. The timing and the cache are
listings/benchkit.py's, shared by every bench.py. Every section ends with the
run's numbers, by name (ch05.min.filter.rust, ch05.twins.med_hi, ...), for the
claims of the prose (benchkit's `numbers`, ci/checks/claims.py).
"""

import os

# None of the cases uses BLAS, but NumPy's OpenBLAS threads can spin on the
# second core that the rayon variants need.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import scipy
import scipy.ndimage as ndi

import ccookbook as cc
import cookbook as ck

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # listings/, for benchkit
import benchkit as bk
from benchkit import flags_text, fmt

HERE = Path(__file__).resolve().parent
C_LISTING = HERE.parent / "listing-05-03"
ROUNDS = 21
BASE_C, BASE_RUST = "C, baseline x86-64", "Rust, baseline x86-64"
ROUND_SECONDS = 0.03
# The short names of the cases and implementations in the page's numbers
# (ch05.min.CASE.IMPL, ch05.med.CASE.IMPL), for the claims of the prose.
CASE_KEYS = {
    "cube, 1 element (the cost of a call)": "cube_1", "cube, 1e6 elements": "cube_1e6",
    "cube, 1e7 elements": "cube_1e7", "cube in place, 1e7": "inplace",
    "cube into an existing array, 1 element (the cost of a call)": "into_1",
    "cube into an existing array, 1e7": "into_1e7", "row sums, 2000x5000, C order": "rows_c",
    "row sums, 2000x5000, Fortran order": "rows_f", "uniform filter 3x3, 2000x2000": "filter",
}
IMPL_KEYS = {"C": "c", "Rust": "rust", "Rust, rayon": "rayon", "NumPy": "numpy", "copy": "copy",
             "copy, 2 threads": "copy2", "Rust, &Bound fast path": "fast", "Rust, Vec": "vec", BASE_C: "c_base",
             BASE_RUST: "rust_base", "SciPy": "scipy"}
# Where Rust and C run the same loop over contiguous memory, 1e6 elements and
# more, compiled for the same instructions: (case, Rust's row, its C twin's
# row). Not "cube in place" (the C loop walks the strides with a Ctrl-C test
# inside, which GCC does not vectorise), nor the Fortran-ordered row sums (the
# C twin copies the matrix first), nor the filter's AVX2 paths (rustc's and
# GCC's AVX2 code for it differ; chapter 7's table compares them).
TWINS = [("cube, 1e6 elements", "Rust", "C"), ("cube, 1e7 elements", "Rust", "C"),
         ("cube into an existing array, 1e7", "Rust", "C"), ("row sums, 2000x5000, C order", "Rust", "C"),
         ("uniform filter 3x3, 2000x2000", BASE_RUST, BASE_C)]


def cases():
    rng = np.random.default_rng(0)
    pool = ThreadPoolExecutor(2)

    def copy_2_threads(src, dst):
        """np.copyto releases the GIL: two threads copy a half each."""
        h = len(src) // 2
        list(pool.map(lambda s: np.copyto(dst[s], src[s]), (slice(0, h), slice(h, None))))

    out = []
    for n, label in ((1, "1 element (the cost of a call)"), (10**6, "1e6 elements"), (10**7, "1e7 elements")):
        a = rng.standard_normal(n)
        impls = {
            "C": lambda a=a: cc.cube(a),
            "Rust": lambda a=a: ck.cube(a),
            "Rust, rayon": lambda a=a: ck.cube_par(a),
            "NumPy": lambda a=a: a * a * a,
        }
        if n == 10**7:
            # The safe route: the output in a Rust Vec, handed to NumPy.
            impls["Rust, Vec"] = lambda a=a: ck.cube_vec(a)
            impls["copy"] = lambda a=a: a.copy()  # a fresh output too
        out.append((f"cube, {label}", "NumPy", impls))
    # In place, on ±1 so that repeated cubing never leaves the normal range.
    s = np.where(rng.random(10**7) < 0.5, -1.0, 1.0)
    out.append(("cube in place, 1e7", "NumPy", {
        "C": lambda: cc.cube_inplace(s),
        "Rust": lambda: ck.cube_inplace(s),
        "NumPy": lambda: np.multiply(s, s * s, out=s),
    }))
    for n, label in ((1, "1 element (the cost of a call)"), (10**7, "1e7")):
        a = rng.standard_normal(n)
        dst = np.empty_like(a)
        impls = {
            "C": lambda a=a, dst=dst: cc.cube_into(a, dst),
            "Rust": lambda a=a, dst=dst: ck.cube_into(a, dst),
            "Rust, &Bound fast path": lambda a=a, dst=dst: ck.cube_into_fast(a, dst),
            "NumPy": lambda a=a, dst=dst: np.multiply(a, a, out=dst).__imul__(a),
        }
        if n > 1:
            impls["copy"] = lambda a=a, dst=dst: np.copyto(dst, a)
            impls["copy, 2 threads"] = lambda a=a, dst=dst: copy_2_threads(a, dst)
        out.append((f"cube into an existing array, {label}", "NumPy" if n == 1 else "copy", impls))
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
        # The same filters forced onto the baseline x86-64 code (SSE2), which
        # is what "C" and "Rust" run on a CPU without AVX2.
        BASE_C: lambda: cc._uniform_filter_baseline(img, 3),
        BASE_RUST: lambda: ck._uniform_filter_baseline(img, 3),
        "Rust, rayon": lambda: ck.uniform_filter_par(img, 3),
        "SciPy": lambda: ndi.uniform_filter(img, 3),
        "copy": lambda: img.copy(),
    }))
    return out


def versions():
    return (f"{bk.python_numpy()}, SciPy {scipy.__version__}, "
            f"rustc {bk.rustc_version()} (release, default profile), C: {bk.c_compiler()} with -O3")


def svg(results):
    """A horizontal bar chart of the speed-up over NumPy/SciPy (log scale)."""
    import math
    from html import escape
    rows = []
    for case, ref, res in results:
        if ref not in res or "1 element" in case:
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
    colours = {"C": "#888888", "Rust": "#b7410e", "Rust, rayon": "#e07b39", "Rust, &Bound fast path": "#7a2a0a",
               "Rust, Vec": "#c9603a",
               "copy": "#4a7ab5", "copy, 2 threads": "#8fb0dc",
               BASE_C: "#bbbbbb", BASE_RUST: "#d98f6f"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img" '
             f'aria-label="Speed-up over NumPy or SciPy, per case and implementation">']
    y = 20
    for k, label, v in rows:
        if k == "head":
            parts.append(f'<text x="4" y="{y + 12}" font-weight="bold">{escape(label)}</text>')
        else:
            colour = colours.get(label, "#4a7ab5")
            parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(label)}</text>')
            parts.append(f'<rect x="{x(floor):.1f}" y="{y + 2}" width="{max(1.0, x(v) - x(floor)):.1f}" height="{row_h - 4}" fill="{colour}"/>')
            parts.append(f'<text x="{x(v) + 4:.1f}" y="{y + 12}">{v:.2f}×</text>')
        y += row_h
    parts.append(f'<line x1="{x(1):.1f}" y1="14" x2="{x(1):.1f}" y2="{y}" stroke="black" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{x(1) + 4:.1f}" y="12">1× = NumPy or SciPy (or copy); minima; log scale</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def measure():
    load = bk.load()
    results = [(case, ref, bk.run_case(impls, ROUNDS, ROUND_SECONDS)) for case, ref, impls in cases()]
    return {
        "results": results,
        "date": bk.today(),
        "machine": f"{bk.cpu_model()}, {os.cpu_count()} cores",
        "load": [load, bk.load()],
        "flags": bk.cpu_flags(),
        "versions": versions(),
    }


# The short table's columns: the rows the chapter's text reads, one line a case.
SHORT = ["Rust", "C", "NumPy", "SciPy", "Rust, rayon", "copy"]


def short_table(results):
    """One line a case, the minima of the implementations the text compares;
    the full table (every implementation, minima and medians) follows it."""
    cols = [c for c in SHORT if any(c in res for _, _, res in results)]
    lines = ["| case (minimum time) | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for case, _, res in results:
        lines.append(f"| {case} | " + " | ".join(fmt(res[c][0]) if c in res else "–" for c in cols) + " |")
    return lines


def table(data):
    results = data["results"]
    lines = short_table(results)
    lines += ["", "<details>", "<summary>The full table: every implementation, minima and medians, "
              "ratios to C and to NumPy, SciPy or a copy</summary>", ""]
    lines += ["| case | implementation | min | median | time / C (min) | speed-up over NumPy, SciPy or copy (min) |",
              "|---|---|---:|---:|---:|---:|"]
    for case, ref, res in results:
        for name, (tmin, tmed) in res.items():
            # Each Rust row against the C twin that runs the same code path.
            twin = BASE_C if name in (BASE_C, BASE_RUST) else "C"
            vs_c = (f"{tmin / res[twin][0]:.2f}" if twin in res and (name.startswith("Rust") or name == twin)
                    else "–")
            vs_ref = f"{res[ref][0] / tmin:.2f}×" if name != ref else "(reference)"
            lines.append(f"| {case} | {name} | {fmt(tmin)} | {fmt(tmed)} | {vs_c} | {vs_ref} |")
    lines += ["", "</details>"]
    into = dict((c, r) for c, _, r in results)["cube into an existing array, 1e7"]
    lines.append("")
    lines.append(f"Copy bandwidth (`np.copyto`, 1e7 float64, read + write): {gbs(into['copy'][0]):.1f} GB/s "
                 f"with one thread, {gbs(into['copy, 2 threads'][0]):.1f} GB/s with two; "
                 f"Rust `cube_into` streams at {gbs(into['Rust'][0]):.1f} GB/s, "
                 f"{into['copy'][0] / into['Rust'][0]:.2f} of one thread's copy.")
    lines.append("")
    tw = twins(data)
    said = (f"Rust's time over its C twin's where both run the same loop over contiguous memory (cube and "
            f"cube into an existing array from 1e6 elements, the C-ordered row sums, the filter's baseline "
            f"path): from {tw['min_lo']:.2f} to {tw['min_hi']:.2f} on the minima, "
            f"{tw['med_lo']:.2f} to {tw['med_hi']:.2f} on the medians")
    cores = os.cpu_count()
    if 0.9 <= tw["min_lo"] and tw["min_hi"] <= 1.1:
        said += ": the twins ran at the same speed, within 10%."
    elif data["load"][0] > cores:
        said += (f": wider than the twins' code explains, and the load average was {data['load'][0]:.1f} on "
                 f"{cores} cores when the run started, so other work crowded it; measure again on a quieter "
                 f"machine before you credit a language.")
    else:
        said += (f": wider than 10%, on a machine that was not crowded; the edges are {edges(data)}: "
                 "two compilers, not two languages, where the loops are the same.")
    lines.append(said)
    lines.append("")
    lines.append(f"Measured by `bench.py` on {data['date']}, {data['machine']}, {flags_text(data['flags'])} ("
                 f"load average {data['load'][0]:.2f} at the start, {data['load'][1]:.2f} at the end); "
                 f"{data['versions']}. {ROUNDS} interleaved rounds of about {ROUND_SECONDS * 1e3:.0f} ms "
                 "per implementation.")
    lines.append("")
    lines.append(svg(results))
    lines += ["", numbers(data)]
    return "\n".join(lines) + "\n"


def twins(data):
    """The range of Rust's time over its C twin's on the cases of TWINS."""
    R = {case: res for case, _, res in data["results"]}
    q = [[R[case][rust][i] / R[case][c][i] for case, rust, c in TWINS] for i in (0, 1)]
    return {"min_lo": min(q[0]), "min_hi": max(q[0]), "med_lo": min(q[1]), "med_hi": max(q[1])}


def edges(data):
    """The twin cases where Rust's time over C's is lowest and highest, by the minima."""
    R = {case: res for case, _, res in data["results"]}
    q = sorted((R[case][rust][0] / R[case][c][0], case) for case, rust, c in TWINS)
    return f"{q[0][1]} ({q[0][0]:.2f}) and {q[-1][1]} ({q[-1][0]:.2f})"


def numbers(data):
    """The run's numbers, for the claims of the prose (ch05.*): every section
    prints the same ones, so any page can read them."""
    res = {CASE_KEYS[case]: r for case, _, r in data["results"]}
    return bk.numbers("ch05", {
        "min": {case: {IMPL_KEYS[k]: v[0] for k, v in r.items()} for case, r in res.items()},
        "med": {case: {IMPL_KEYS[k]: v[1] for k, v in r.items()} for case, r in res.items()},
        "twins": twins(data),
        "avx2": bool(data["flags"].get("avx2")),
    }, data["load"][0])


def gbs(t):
    """GB/s of a kernel that reads and writes 1e7 float64 in t seconds."""
    return 2 * 8 * 10**7 / t / 1e9


def targets(data):
    """The chapter's performance targets: measured, met or missed, and why."""
    R = {case: res for case, _, res in data["results"]}
    t = lambda case, name: R[case][name][0]
    med = lambda case, name: R[case][name][1]
    rows, why = [], []

    def row(target, what, value, ok, reason=None):
        rows.append(f"| {target} | {what} | {value} | {'met' if ok else '**missed**'} |")
        if not ok and reason:
            why.append(f"- **{what}**: {reason}")

    f1, f7, ip, into = ("cube, 1e6 elements", "cube, 1e7 elements", "cube in place, 1e7",
                        "cube into an existing array, 1e7")
    rsc, rsf, flt = ("row sums, 2000x5000, C order", "row sums, 2000x5000, Fortran order",
                     "uniform filter 3x3, 2000x2000")
    # 1. Rust at most 1.05x its C twin.
    for case in (f1, f7, ip, into, rsc, rsf, flt):
        q = t(case, "Rust") / t(case, "C")
        qm = med(case, "Rust") / med(case, "C")
        reason = f"Rust/C = {q:.2f} on the minima and {qm:.2f} on the medians of the rounds"
        if qm <= 1.05:
            reason += (": the medians agree within 5%, so the gap between the minima is the noise of a shared "
                       "machine more than a difference between the twins")
        row("Rust ≤ 1.05× its C twin", case, f"{q:.2f}", q <= 1.05, reason + ".")
    q = t(flt, BASE_RUST) / t(flt, BASE_C)
    row("Rust ≤ 1.05× its C twin", f"{flt}, baseline x86-64", f"{q:.2f}", q <= 1.05,
        f"Rust/C = {q:.2f} on the minima and {med(flt, BASE_RUST) / med(flt, BASE_C):.2f} on the medians.")
    # 1b. The dispatched filter within 1.5x the time of a copy, on a CPU with AVX2.
    if data["flags"].get("avx2"):
        q = t(flt, "Rust") / t(flt, "copy")
        row("on a CPU with AVX2, the dispatched 3×3 filter ≤ 1.5× the time of a copy", f"{flt}, Rust",
            f"{q:.2f}×", q <= 1.5,
            f"the baseline code takes {t(flt, BASE_RUST) / t(flt, 'copy'):.2f}× a copy "
            f"({fmt(t(flt, BASE_RUST))}), the AVX2 path {q:.2f}× ({fmt(t(flt, 'Rust'))}), "
            f"{t(flt, BASE_RUST) / t(flt, 'Rust'):.2f}× as fast: wider instructions alone do not close the gap.")
    else:
        rows.append(f"| on a CPU with AVX2, the dispatched 3×3 filter ≤ 1.5× a copy | {flt} | "
                    "this CPU has no AVX2: the dispatched filter is the baseline | – |")
    # 2. Elementwise kernels at least 1.5x faster than NumPy.
    for case in (f1, f7, ip, into):
        q = t(case, "NumPy") / t(case, "Rust")
        reason = None
        if case == f7:
            reason = (f"the output is a fresh 80 MB array: even `a.copy()` takes {fmt(t(f7, 'copy'))}, so no "
                      f"kernel can beat NumPy's {fmt(t(f7, 'NumPy'))} by more than "
                      f"{t(f7, 'NumPy') / t(f7, 'copy'):.2f}×; Rust takes {fmt(t(f7, 'Rust'))}, "
                      f"{t(f7, 'Rust') / t(f7, 'copy'):.2f}× a copy.")
        row("elementwise ≥ 1.5× faster than NumPy", case, f"{q:.2f}×", q >= 1.5, reason)
    # 3. The filter at least 10x faster than SciPy.
    for name in ("Rust", "Rust, rayon"):
        q = t(flt, "SciPy") / t(flt, name)
        row("3×3 filter ≥ 10× faster than SciPy", f"{flt}, {name}", f"{q:.2f}×", q >= 10,
            f"copying the image (reading and writing 32 MB, as the filter must) takes {fmt(t(flt, 'copy'))}, "
            f"{t(flt, 'SciPy') / t(flt, 'copy'):.1f}× less than SciPy's {fmt(t(flt, 'SciPy'))}: that is the "
            f"ceiling for any filter. {name} takes {fmt(t(flt, name))}, {t(flt, name) / t(flt, 'copy'):.2f}× a "
            "copy: its additions are not entirely hidden behind the memory traffic.")
    # 4. Parallel variants at least 1.6x faster than serial from 1e6 elements.
    bw1, bw2 = gbs(t(into, "copy")), gbs(t(into, "copy, 2 threads"))
    load, cores = data["load"][0], os.cpu_count()
    for case in (f1, f7, flt):
        q = t(case, "Rust") / t(case, "Rust, rayon")
        reason = (f"in this run a second thread made a copy of 1e7 elements {bw2 / bw1:.2f}× as fast "
                  f"({bw1:.1f} GB/s with one thread, {bw2:.1f} with two): both cores share one memory bus")
        if load >= 0.5:
            reason += (f", and the load average before the run was {load:.2f}: other jobs took about "
                       f"{min(load, cores):.1f} of the {cores} cores")
        reason += "."
        if case == f7:
            reason += (f" And a fresh 80 MB output is faulted in page by page: `cube` takes {fmt(t(f7, 'Rust'))}, "
                       f"`cube_into` an existing array {fmt(t(into, 'Rust'))}.")
        row("parallel ≥ 1.6× faster than serial", case, f"{q:.2f}×", q >= 1.6, reason)
    # 5. Streaming kernels at least 0.85 of the copy bandwidth.
    for case, name in ((into, "Rust"), (into, "Rust, &Bound fast path"), (ip, "Rust")):
        q = t(into, "copy") / t(case, name)
        row("streaming ≥ 0.85 of the copy bandwidth", f"{case}, {name}", f"{q:.2f}", q >= 0.85)
    # The price of a call (no target: what the fast path buys).
    one = "cube into an existing array, 1 element (the cost of a call)"
    for name in ("Rust", "Rust, &Bound fast path"):
        rows.append(f"| (no target) the cost of a call, vs C | `cube_into`, 1 element, {name} | "
                    f"{fmt(t(one, name))} = {t(one, name) / t(one, 'C'):.2f}× C's {fmt(t(one, 'C'))} | – |")
    out = ["| target | case | measured | |", "|---|---|---:|---|", *rows, ""]
    if why:
        out += ["Why the missed ones are missed, in numbers from the same run:", "", *why, ""]
    else:
        out += ["This run met every target.", ""]
    out += [numbers(data), ""]
    return "\n".join(out)


def simd(data):
    """Chapter 7's view of the same run: the filter at the baseline and with
    the AVX2 path, against a copy, with the CPU's flags."""
    R = {case: res for case, _, res in data["results"]}
    flt = R["uniform filter 3x3, 2000x2000"]
    lines = ["| 3×3 filter, 2000×2000 | min | median | time / copy | time / C twin |",
             "|---|---:|---:|---:|---:|"]
    for name, twin in ((BASE_RUST, BASE_C), (BASE_C, BASE_C), ("Rust", "C"), ("C", "C"), ("copy", None)):
        tmin, tmed = flt[name]
        shown = {"Rust": "Rust, dispatched", "C": "C, dispatched"}.get(name, name)
        vs = f"{tmin / flt[twin][0]:.2f}" if twin else "–"
        lines.append(f"| {shown} | {fmt(tmin)} | {fmt(tmed)} | {tmin / flt['copy'][0]:.2f}× | {vs} |")
    base, fast = flt[BASE_RUST][0], flt["Rust"][0]
    lines.append("")
    copy = flt["copy"][0]
    if data["flags"].get("avx2"):
        gain, gain_c = base / fast, flt[BASE_C][0] / flt["C"][0]
        if gain >= 1.05:
            said = f"{gain:.2f}× as fast as the baseline code in Rust"
        elif gain <= 0.95:
            said = f"slower than the baseline code in Rust, at {gain:.2f}× its speed"
        else:
            said = f"about as fast as the baseline code in Rust ({gain:.2f}× its speed)"
        lines.append(f"This CPU has AVX2, so the dispatched filters ran their AVX2 path: {said}, and "
                     f"{gain_c:.2f}× the speed of the baseline code in C. The baseline Rust filter takes "
                     f"{base / copy:.2f}× the time of a copy, the AVX2 path {fast / copy:.2f}×.")
    else:
        lines.append("This CPU has no AVX2, so the dispatched filters ran the baseline code: "
                     f"their times differ from the baseline rows by noise alone ({fast / base:.2f}); "
                     f"the baseline Rust filter takes {base / copy:.2f}× the time of a copy.")
    lines.append("")
    lines.append(f"{data['machine']}; {flags_text(data['flags'])}; the same run as chapter 5's table "
                 f"({data['date']}).")
    lines += ["", numbers(data)]
    return "\n".join(lines) + "\n"


def main():
    fresh = "--fresh" in sys.argv
    section = sys.argv[sys.argv.index("--section") + 1] if "--section" in sys.argv else "table"
    if section not in ("table", "targets", "simd"):
        sys.exit(f"unknown section {section!r}: table, targets or simd")
    data = bk.cached("ch05", bk.key(__file__, [HERE, C_LISTING], [np, scipy]), measure, fresh)
    print({"table": table, "targets": targets, "simd": simd}[section](data), end="")


if __name__ == "__main__":
    main()
