"""Chapter 13's measurements: the same five kernels in NumPy, Numba, Cython,
C and Rust, side by side, in one run.

    python listings/ch13-which-tool/bench.py [--fresh] [--section NAME]

Sections (each prints Markdown, and ends with its numbers for the claims of
the prose, benchkit's `numbers`):

  table    (default) steady-state time of every version at two sizes and for
           one element (the cost of a call), as speed-ups over NumPy, with
           the sentences that read them, and an inline SVG plot
  first    the first call in a fresh process: importing the module, then the
           first call of each kernel (Numba compiles there), and Numba's
           first call again with its on-disk cache (cache=True) warm
  build    what each tool costs to build and to install
  ctrlc    Ctrl-C during each histogram of a 2**40-element view
  threads  whether each version lets another Python thread run meanwhile
  summary  the closing note: the table's ratios at 1e6 elements, the cost
           of a call and the first call, from the runs of `table` and `first`

The timings are interleaved in one process (listings/benchkit.py: rounds in
turn, the order rotating, minima compared). Each section's measurement is
cached under target/cache/ by a hash of this script, tools.py, benchkit,
every listing it runs (and their Python and Cython sources), rustc, Python
and the versions of NumPy, SciPy, Numba and Cython; --fresh measures again.
Build the listings first (ci/test.sh, or book_listings.py build).
"""

import os

# None of the kernels uses BLAS, but NumPy's OpenBLAS threads can spin on the
# cores that the parallel versions need.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import hashlib
import json
import math
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from html import escape
from pathlib import Path

import Cython
import numba
import numpy as np
import scipy
import scipy.ndimage as ndi

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # listings/, for benchkit
import benchkit as bk  # noqa: E402
import tools  # noqa: E402
from benchkit import fmt  # noqa: E402

ROOT = HERE.parents[1]
ROUNDS = 11
ROUND_SECONDS = 0.02
SIZES = {"1": 1, "1e4": 10**4, "1e6": 10**6}
KERNEL_WORDS = {
    "ewma": "`ewma`, a loop-carried dependency",
    "cube": "`cube`, memory-bound",
    "uniform_filter3": "`uniform_filter3`, the 3×3 mean",
    "morlet": "`morlet`, two transcendentals an element",
    "histogram": "`histogram`, a scatter",
}
# The versions of the table, in its order: (key, words, tool, parallel).
IMPLS = [
    ("numpy", "NumPy", "NumPy", False),
    ("numba", "Numba", "Numba", False),
    ("numba_par", "Numba, parallel", "Numba", True),
    ("cython", "Cython", "Cython", False),
    ("cython_par", "Cython, prange", "Cython", True),
    ("c", "C", "C", False),
    ("rust", "Rust", "Rust", False),
    ("rust_par", "Rust, rayon", "Rust", True),
]
# Other versions timed beside them: what NumPy users call instead of the
# expression, and the quick start's own Rust loop. {kernel: (key, words)}.
EXTRA = {"ewma": ("rust_push", "Rust, the quick start's `push` loop"),
         "uniform_filter3": ("scipy", "SciPy's `uniform_filter`"), "histogram": ("np_histogram", "`np.histogram`")}
WORDS = {k: w for k, w, _, _ in IMPLS} | {k: w for k, w in EXTRA.values()}


def inputs(kernel, n, rng):
    """The arguments of one call with about n elements."""
    if kernel == "uniform_filter3":
        side = max(1, round(math.sqrt(n)))
        return (rng.standard_normal((side, side)),)
    x = rng.standard_normal(n)
    return {"ewma": (x, 0.1), "cube": (x,), "morlet": (x,), "histogram": (x, 64, -4.0, 4.0)}[kernel]


def versions_of(kernel):
    """{key: function} of every version of a kernel."""
    out = {}
    for key, _, tool, par in IMPLS:
        f = tools.function(tool, kernel, par)
        if f is not None:
            out[key] = f
    if kernel == "ewma":
        out["rust_push"] = tools.function("Rust", "ewma_push")
    if kernel == "uniform_filter3":
        out["scipy"] = lambda a: ndi.uniform_filter(a, 3)
    if kernel == "histogram":
        out["np_histogram"] = lambda x, nbins, lo, hi: np.histogram(x, nbins, (lo, hi))[0]
    return out


def key(extra=""):
    """benchkit's key over the listings, plus the Python and Cython sources
    it does not read (it hashes Rust and C sources, TOML and setup.py)."""
    folders = [d for ds in tools.FOLDERS.values() for d in ds]
    h = hashlib.sha256(bk.key(__file__, folders, [np, scipy, numba, Cython]).encode() + extra.encode())
    for p in [HERE / "tools.py", *sorted(HERE.glob("listing-13-0*/*.py")), *sorted(HERE.glob("listing-13-0*/src/*.pyx"))]:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def machine(load):
    return {"date": bk.today(), "machine": f"{bk.cpu_model()}, {os.cpu_count()} cores",
            "load": [load, bk.load()], "flags": bk.cpu_flags(), "versions": versions()}


def versions():
    return (f"{bk.python_numpy()}, SciPy {scipy.__version__}, Numba {numba.__version__}, Cython {Cython.__version__}, "
            f"rustc {bk.rustc_version()}, C: {bk.c_compiler()}")


def measured_line(data):
    return (f"Measured by `bench.py` on {data['date']}, {data['machine']}, {bk.flags_text(data['flags'])} "
            f"(load average {data['load'][0]:.2f} at the start, {data['load'][1]:.2f} at the end); "
            f"{data['versions']}.")


# ---------------------------------------------------------------- table


def measure_table():
    load = bk.load()
    rng = np.random.default_rng(0)
    results = {}
    for kernel in tools.KERNELS:
        fs = versions_of(kernel)
        results[kernel] = {}
        for size, n in SIZES.items():
            args = inputs(kernel, n, rng)
            impls = {k: (lambda f=f: f(*args)) for k, f in fs.items()}
            results[kernel][size] = bk.run_case(impls, ROUNDS, ROUND_SECONDS, calibrate=10 if n == 1 else 1)
    return {"results": results, **machine(load)}


def speedups(data):
    """{kernel: {size: {key: NumPy's minimum / this version's}}}."""
    return {k: {s: {i: r["numpy"][0] / t[0] for i, t in r.items()} for s, r in by.items()}
            for k, by in data["results"].items()}


def ratio(v):
    """A speed-up, with two decimals, or three significant digits below 0.1."""
    return f"{v:.2f}×" if v >= 0.1 else f"{v:.3g}×"


def best(row, keys):
    """(key, speed-up) of the fastest of `keys` in a row of speed-ups."""
    k = max((k for k in keys if k in row), key=lambda k: row[k])
    return k, row[k]


def table(data):
    su = speedups(data)
    cols = [k for k, _, _, _ in IMPLS if k != "numpy"]
    lines = ["| kernel | size | NumPy (min) | " + " | ".join(WORDS[c] for c in cols) + " | another version |",
             "|---|---|---:|" + "---:|" * len(cols) + "---|"]
    for kernel in tools.KERNELS:
        for size in SIZES:
            row = su[kernel][size]
            cells = [ratio(row[c]) if c in row else "–" for c in cols]
            lib = EXTRA.get(kernel)
            lib_cell = f"{lib[1]}: {ratio(row[lib[0]])}" if lib else "–"
            what = "1 (a call)" if size == "1" else size
            lines.append(f"| {KERNEL_WORDS[kernel]} | {what} | {fmt(data['results'][kernel][size]['numpy'][0])} | "
                         + " | ".join(cells) + f" | {lib_cell} |")
    lines += ["", "Each cell is the speed-up over NumPy's version (its time over this one's, on the minima of "
              f"{ROUNDS} interleaved rounds): above 1× is faster than NumPy. For `ewma`, NumPy's version is "
              "SciPy's `lfilter`; `uniform_filter3` has 1×1 pixels for size 1, 100×100 for 1e4 and 1000×1000 for "
              "1e6.", ""]
    lines += sentences(data, su)
    lines += ["", measured_line(data), "", svg(su), "", numbers_table(data, su)]
    return "\n".join(lines) + "\n"


SERIAL = ["numba", "cython", "c", "rust"]
COMPILED = SERIAL + ["numba_par", "cython_par", "rust_par"]


def sentences(data, su):
    """What the table says, kernel by kernel, from its numbers."""
    out = []
    for kernel in tools.KERNELS:
        big = su[kernel]["1e6"]
        k, v = best(big, SERIAL)
        lo, hi = min(big[i] for i in SERIAL if i in big), max(big[i] for i in SERIAL if i in big)
        said = (f"- **{kernel}**, 1e6 elements: the compiled serial versions ran at {lo:.2f}× to {hi:.2f}× NumPy's "
                f"speed, {WORDS[k]} the fastest")
        if hi / lo <= 1.25:
            said += " (within 25% of each other: the loop, not the tool, sets the pace)"
        pk, pv = best(big, ["numba_par", "cython_par", "rust_par"]) if any(
            i in big for i in ("numba_par", "cython_par", "rust_par")) else (None, None)
        if pk:
            said += f"; with every core, {WORDS[pk]} reached {pv:.2f}×"
        if v < 1:
            said += "; NumPy's own loop was faster than every serial one"
        out.append(said + ".")
    one = {kernel: su[kernel]["1"] for kernel in tools.KERNELS}
    calls = {i: [data["results"][kernel]["1"][i][0] for kernel in tools.KERNELS if i in data["results"][kernel]["1"]]
             for i in ("numpy", "numba", "cython", "c", "rust")}
    med = {i: sorted(v)[len(v) // 2] for i, v in calls.items()}
    order = sorted(med, key=med.get)
    out.append(f"- **The cost of a call** (one element), the median over the five kernels: "
               + ", ".join(f"{WORDS[i]} {fmt(med[i])}" for i in order)
               + f". The cheapest call was {WORDS[order[0]]}'s; "
               + ("NumPy's was the dearest: on tiny arrays its setup outweighs the work."
                  if order[-1] == "numpy" else f"{WORDS[order[-1]]}'s was the dearest."))
    del one
    return out


def numbers_table(data, su):
    res = data["results"]
    calls = {i: sorted(res[k]["1"][i][0] for k in tools.KERNELS if i in res[k]["1"])
             for i in ("numpy", "numba", "cython", "c", "rust")}
    return bk.numbers("ch13", {
        "speedup": su,
        "min": {k: {s: {i: t[0] for i, t in r.items()} for s, r in by.items()} for k, by in res.items()},
        "call": {i: v[len(v) // 2] for i, v in calls.items()},
    }, data["load"][0])


COLOURS = {"numpy": "#4a7ab5", "scipy": "#8fb0dc", "np_histogram": "#8fb0dc", "numba": "#2e8b57",
           "numba_par": "#7cc59a", "cython": "#c8a000", "cython_par": "#e8d06a", "c": "#888888",
           "rust": "#b7410e", "rust_par": "#e07b39"}


def svg(su):
    """Horizontal bars of the speed-up over NumPy at 1e6 elements (log scale)."""
    rows = []
    for kernel in tools.KERNELS:
        rows.append(("head", KERNEL_WORDS[kernel].replace("`", ""), None))
        for k, v in su[kernel]["1e6"].items():
            if k != "numpy":
                rows.append(("bar", k, v))
    width, left, row_h = 760, 190, 16
    height = row_h * len(rows) + 40
    values = [v for kind, _, v in rows if kind == "bar"]
    floor = min(0.5, min(values) / 1.5)
    lo, hi = math.log10(floor), math.log10(max(values) * 1.5)
    x = lambda v: left + (math.log10(v) - lo) / (hi - lo) * (width - left - 60)  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img" '
             f'aria-label="Speed-up over NumPy at 1e6 elements, per kernel and tool">']
    y = 20
    for kind, label, v in rows:
        if kind == "head":
            parts.append(f'<text x="4" y="{y + 12}" font-weight="bold">{escape(label)}</text>')
        else:
            words = WORDS[label].replace("`", "")
            parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(words)}</text>')
            parts.append(f'<rect x="{x(floor):.1f}" y="{y + 2}" width="{max(1.0, x(v) - x(floor)):.1f}" '
                         f'height="{row_h - 4}" fill="{COLOURS.get(label, "#999999")}"/>')
            parts.append(f'<text x="{x(v) + 4:.1f}" y="{y + 12}">{v:.2f}×</text>')
        y += row_h
    parts.append(f'<line x1="{x(1):.1f}" y1="14" x2="{x(1):.1f}" y2="{y}" stroke="black" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{x(1) + 4:.1f}" y="12">1× = NumPy (SciPy for ewma); 1e6 elements; minima; log scale</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------- first call

FIRST_CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
sys.path.insert(0, sys.argv[3])
import tools
for name in sorted({tools.where(sys.argv[1], k)[0] for k in tools.KERNELS}):
    __import__(name)
t2 = time.perf_counter()
out = {"import_numpy": t1 - t0, "import": t2 - t1, "first": {}, "second": {}}
rng = np.random.default_rng(0)
x = rng.standard_normal(10**4)
args = {"ewma": (x, 0.1), "cube": (x,), "uniform_filter3": (rng.standard_normal((100, 100)),),
        "morlet": (x,), "histogram": (x, 64, -4.0, 4.0)}
for kernel in tools.KERNELS:
    f = tools.function(sys.argv[1], kernel)
    if sys.argv[2] == "cache":  # Numba's on-disk cache: the same function, cache=True
        import numba
        opts = {k: v for k, v in f.targetoptions.items() if k != "nopython"}
        f = numba.njit(cache=True, **opts)(f.py_func)
    t = time.perf_counter()
    f(*args[kernel])
    out["first"][kernel] = time.perf_counter() - t
    t = time.perf_counter()
    f(*args[kernel])
    out["second"][kernel] = time.perf_counter() - t
print(json.dumps(out))
"""


def first_run(tool, mode, cache_dir, repeat=3):
    """The fastest of `repeat` fresh processes (each one is a first call)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), PYTHONWARNINGS="ignore")
    runs = []
    for _ in range(repeat):
        p = subprocess.run([sys.executable, "-c", FIRST_CHILD, tool, mode, str(HERE)], capture_output=True,
                           text=True, env=env, timeout=600)
        if p.returncode:
            raise SystemExit(f"bench: the first-call child for {tool} failed:\n{p.stderr}")
        runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["import"] + sum(r["first"].values()))
    return best


def measure_first():
    load = bk.load()
    cache_dir = ROOT / "target" / "cache" / "ch13-numba"
    import shutil
    shutil.rmtree(cache_dir, ignore_errors=True)
    out = {tool: first_run(tool, "plain", cache_dir) for tool in tools.TOOLS}
    first_run("Numba", "cache", cache_dir, repeat=1)  # fills the cache
    out["Numba, cache=True"] = first_run("Numba", "cache", cache_dir)
    shutil.rmtree(cache_dir, ignore_errors=True)
    return {"first": out, **machine(load)}


def first(data):
    F = data["first"]
    names = [*tools.TOOLS, "Numba, cache=True"]
    lines = ["| | import the module (after NumPy) | " + " | ".join(f"first `{k}`" for k in tools.KERNELS)
             + " | import and five first calls | a second call of `cube` |",
             "|---|---:|" + "---:|" * len(tools.KERNELS) + "---:|---:|"]
    total = {}
    for name in names:
        r = F[name]
        total[name] = r["import"] + sum(r["first"].values())
        lines.append(f"| {name} | {fmt(r['import'])} | " + " | ".join(fmt(r["first"][k]) for k in tools.KERNELS)
                     + f" | {fmt(total[name])} | {fmt(r['second']['cube'])} |")
    aot = ["Cython", "C", "Rust"]
    slowest_aot = max(aot, key=total.get)
    lines += ["", f"Each row is the fastest of three fresh processes, after `import numpy` "
              f"({fmt(F['NumPy']['import_numpy'])}); the inputs have 1e4 elements (100×100 for the filter).", ""]
    times = total["Numba"] / total[slowest_aot]
    lines.append(f"Numba's import and first five calls took {fmt(total['Numba'])}, {times:.0f} times as long as the "
                 f"slowest of the modules compiled ahead of time ({slowest_aot}, {fmt(total[slowest_aot])}; "
                 f"NumPy's row is mostly the import of SciPy, for `lfilter`): Numba compiles each kernel "
                 f"on its first call, {fmt(min(F['Numba']['first'].values()))} to "
                 f"{fmt(max(F['Numba']['first'].values()))} each. With `cache=True` and the cache filled by an earlier "
                 f"process it took {fmt(total['Numba, cache=True'])}"
                 + (", still more than any compiled module, since Numba itself has to start."
                    if total["Numba, cache=True"] > total[slowest_aot] else "."))
    lines += ["", measured_line(data), "", first_numbers(data, total)]
    return "\n".join(lines) + "\n"


def first_numbers(data, total):
    F = data["first"]
    return bk.numbers("ch13first", {"total": {n.split(",")[0].lower() + ("_cache" if "cache" in n else ""): v
                                              for n, v in total.items()},
                                    "numba_first_max": max(F["Numba"]["first"].values())}, data["load"][0])


# ---------------------------------------------------------------- build


def dist_size(*names):
    """Bytes installed by these distributions (their RECORD files)."""
    from importlib import metadata
    total = 0
    for name in names:
        for f in metadata.distribution(name).files or []:
            p = f.locate()
            if os.path.isfile(p):
                total += os.path.getsize(p)
    return total


def timed(cmd, cwd, env=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"bench: {' '.join(map(str, cmd))} failed in {cwd}:\n{p.stdout[-3000:]}{p.stderr[-3000:]}")
    return time.perf_counter() - t


def copy_listing(src, dest):
    import shutil
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "."], cwd=src,
                           capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / f, dest / f)


def wheel_size(folder):
    (whl,) = Path(folder).glob("*.whl")
    return whl.stat().st_size


def measure_build():
    load = bk.load()
    scratch = ROOT / "target" / "scratch" / "ch13-build"
    import shutil
    shutil.rmtree(scratch, ignore_errors=True)
    out = {}
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-build-isolation", "--no-deps", "-w"]
    for tool, folder in (("Cython", HERE / "listing-13-03"), ("C", HERE / "listing-13-05")):
        work = scratch / tool
        copy_listing(folder, work)
        out[tool] = {"build": timed([*pip_wheel, str(work / "wheel"), "."], work), "wheel": wheel_size(work / "wheel")}
    work = scratch / "Rust"
    copy_listing(HERE / "listing-13-04", work)
    env = dict(os.environ, CARGO_TARGET_DIR=str(scratch / "rust-target"), CARGO_NET_OFFLINE="true")
    build = [sys.executable, "-m", "maturin", "build", "--release", "--locked", "--quiet", "-o", str(work / "wheel")]
    clean = timed(build, work, env)
    (work / "src" / "lib.rs").write_text((work / "src" / "lib.rs").read_text() + "\n// an edit\n")
    shutil.rmtree(work / "wheel")
    again = timed(build, work, env)
    out["Rust"] = {"build": clean, "rebuild": again, "wheel": wheel_size(work / "wheel")}
    shutil.rmtree(scratch, ignore_errors=True)
    out["sizes"] = {"numpy": dist_size("numpy"), "scipy": dist_size("scipy"),
                    "numba": dist_size("numba", "llvmlite"), "cython": dist_size("cython")}
    return {"build": out, **machine(load)}


def build(data):
    B = data["build"]
    S = B["sizes"]
    def mb(n):
        return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"
    lines = [
        "| | build step, and its time here | needed to build | a user installs (beside NumPy) |",
        "|---|---|---|---|",
        f"| NumPy | none | – | SciPy for `lfilter` ({mb(S['scipy'])} installed) |",
        f"| Numba | none: it compiles on the first call | – | Numba and llvmlite, which carries LLVM "
        f"({mb(S['numba'])} installed) |",
        f"| Cython | `pip wheel .`: {B['Cython']['build']:.1f} s | Cython ({mb(S['cython'])}), a C compiler | "
        f"the wheel ({mb(B['Cython']['wheel'])}) |",
        f"| C | `pip wheel .`: {B['C']['build']:.1f} s | a C compiler, NumPy's headers | "
        f"the wheel ({mb(B['C']['wheel'])}) |",
        f"| Rust | `maturin build --release`: {B['Rust']['build']:.0f} s from nothing, its dependencies "
        f"included; {B['Rust']['rebuild']:.1f} s after an edit | Rust (rustup), maturin | "
        f"the wheel ({mb(B['Rust']['wheel'])}) |",
        "",
        f"NumPy itself is {mb(S['numpy'])} installed. Sizes are what the installed distributions hold on this "
        f"system, and the wheels built here; times are one build each.",
        "", measured_line(data), "",
        bk.numbers("ch13build", {"build": {t: B[t]["build"] for t in ("Cython", "C", "Rust")},
                                 "rebuild_rust": B["Rust"]["rebuild"],
                                 "wheel": {t: B[t]["wheel"] for t in ("Cython", "C", "Rust")},
                                 "installed": S}, data["load"][0]),
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- Ctrl-C

CTRLC_CHILD = r"""
import signal, sys, time
# Python's own SIGINT handler, as an interactive session has it: a process
# started from a background job inherits SIGINT ignored, and Python then
# leaves it ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
import numpy as np
sys.path.insert(0, sys.argv[2])
import tools
tool = sys.argv[1]
if tool == "np.histogram":
    f = lambda x, n, lo, hi: np.histogram(x, n, (lo, hi))[0]
else:
    f = tools.function(tool, "histogram")
x = np.broadcast_to(0.5, (2**40,))
f(np.ones(3), 16, -4.0, 4.0)  # compiled (Numba) before the clock starts
print("ready", flush=True)
try:
    f(x, 16, -4.0, 4.0)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
except Exception as e:
    print(f"{type(e).__name__}: {' '.join(str(e).split())[:120]}", flush=True)
"""

GRACE = 5.0


def ctrlc_run(tool):
    """(what happened, seconds from SIGINT to the end, or None)."""
    p = subprocess.Popen([sys.executable, "-c", CTRLC_CHILD, tool, str(HERE)], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    if p.poll() is not None:  # ended before the signal
        return p.stdout.read().strip() or f"exit status {p.returncode}", None
    t = time.perf_counter()
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=GRACE)
        return p.stdout.read().strip(), time.perf_counter() - t
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return "still running", None


def measure_ctrlc():
    load = bk.load()
    out = {}
    for tool in [*tools.TOOLS, "np.histogram"]:
        what, dt = ctrlc_run(tool)
        out[tool] = {"what": what, "seconds": dt}
    return {"ctrlc": out, **machine(load)}


def ctrlc(data):
    C = data["ctrlc"]
    lines = ["| `histogram` of a 2**40-element view | after Ctrl-C |", "|---|---|"]
    stopped = {}
    for tool, r in C.items():
        name = "NumPy, `np.histogram`" if tool == "np.histogram" else tool
        if r["what"] == "still running":
            said = f"still running {GRACE:.0f} s later (killed)"
        elif r["seconds"] is None:
            said = f"ended before the signal: `{r['what']}`"
        else:
            said = f"`{r['what']}` after {fmt(r['seconds'])}"
        stopped[tool] = r["what"] == "KeyboardInterrupt"
        lines.append(f"| {name} | {said} |")
    lines += ["", ("The signal came half a second into the call; uninterrupted, reading 2**40 numbers takes about "
                   "twenty minutes. A call that ended before the signal was not interrupted. "
                   + f"Stopped by Ctrl-C: {', '.join(t for t, s in stopped.items() if s) or 'none'}; "
                   + f"not: {', '.join(t for t, s in stopped.items() if not s) or 'none'}."),
              "", measured_line(data), "",
              bk.numbers("ch13ctrlc", {"stopped": {t.replace('.', '_').lower(): s for t, s in stopped.items()},
                                       "memoryerror": {t.replace('.', '_').lower(): r["what"].startswith("MemoryError")
                                                       for t, r in C.items()}},
                         data["load"][0])]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- threads


def progress(call):
    """How fast a pure-Python counter runs in the main thread while another
    thread makes one call of `call`, as a fraction of how fast it runs while
    that thread sleeps as long."""
    def rate(work):
        done = threading.Event()

        def worker():
            work()
            done.set()

        t = threading.Thread(target=worker)
        n = 0
        start = time.perf_counter()
        t.start()
        while not done.is_set():
            n += 1
        t.join()
        return n / (time.perf_counter() - start)

    call()  # compiled (Numba) and warm
    t = time.perf_counter()
    call()
    seconds = time.perf_counter() - t
    idle = max(rate(lambda: time.sleep(seconds)) for _ in range(3))
    busy = max(rate(call) for _ in range(3))
    return busy / idle


def measure_threads():
    load = bk.load()
    x = np.random.default_rng(0).standard_normal(10**7)
    out = {}
    for tool in tools.TOOLS:
        f = tools.function(tool, "morlet")
        out[tool] = progress(lambda f=f: f(x))
    default = numba.njit(tools.function("Numba", "morlet").py_func)  # @njit as it comes: nogil=False
    out["Numba, plain @njit"] = progress(lambda: default(x))
    return {"threads": out, **machine(load)}


HOW = {
    "NumPy": "nothing: its ufunc loops release it",
    "Numba": "`@numba.njit(nogil=True)`",
    "Cython": "a `with nogil:` block",
    "C": "`Py_BEGIN_ALLOW_THREADS` … `Py_END_ALLOW_THREADS`",
    "Rust": "`py.detach(\\|\\| …)`",
    "Numba, plain @njit": "nothing (Numba's default keeps the GIL)",
}


def threads(data):
    T = data["threads"]
    lines = ["| `morlet`, 1e7 elements | what the code says | another thread's progress meanwhile |",
             "|---|---|---:|"]
    for tool, v in T.items():
        lines.append(f"| {tool} | {HOW[tool]} | {v:.0%} |")
    held = [t for t, v in T.items() if v < 0.15]
    lines += ["", "Progress is how fast a pure-Python loop in the main thread counted while another thread made one "
              "call of the kernel, over how fast it counted while that thread slept as long: near 0% when the "
              "kernel holds the GIL, higher the more of a free core the main thread found (the best of three "
              "tries each, on a machine shared with other work).",
              "", "Kept the GIL: " + (", ".join(held) if held else "none") + ".",
              "", measured_line(data), "",
              bk.numbers("ch13threads", {"progress": {t.replace(",", "").replace(" ", "_").replace("@", "").lower(): v
                                                      for t, v in T.items()}}, data["load"][0])]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- summary


def summary(table_data, first_data):
    """The closing note: the table's ratios at 1e6 elements, the cost of a
    call and the first call, in sentences, from the same runs as the
    sections above (their numbers lines again, so the two cannot differ)."""
    su = speedups(table_data)
    tools_words = [("numba", "Numba"), ("cython", "Cython"), ("c", "C"), ("rust", "Rust")]
    lines = ["At a million elements, as speed-ups over NumPy's version (its time over theirs, serial versions):", ""]
    for kernel in tools.KERNELS:
        row = su[kernel]["1e6"]
        k, _ = best(row, SERIAL)
        cells = ", ".join(f"{w} {ratio(row[i])}" for i, w in tools_words if i in row)
        lines.append(f"- `{kernel}`: {cells}; fastest, {WORDS[k]}.")
    res = table_data["results"]
    med = {}
    for i in ("numpy", "numba", "cython", "c", "rust"):
        v = sorted(res[k]["1"][i][0] for k in tools.KERNELS if i in res[k]["1"])
        med[i] = v[len(v) // 2]
    order = sorted(med, key=med.get)
    F = first_data["first"]
    total = {n: F[n]["import"] + sum(F[n]["first"].values()) for n in F}
    aot = max(("Cython", "C", "Rust"), key=total.get)
    def secs(t):
        return f"{t:.1f} s" if t >= 1 else fmt(t)
    lines += ["", f"A call on one element, the median over the five kernels, cost {fmt(med[order[0]])} "
              f"({WORDS[order[0]]}) to {fmt(med[order[-1]])} ({WORDS[order[-1]]}). A fresh process took "
              f"{secs(total['Numba'])} to import Numba's module and make its five first calls, "
              f"{secs(total['Numba, cache=True'])} with its cache filled, and at most {secs(total[aot])} "
              f"for a module compiled ahead of time ({aot}).", "",
              numbers_table(table_data, su), "",
              first_numbers(first_data, total)]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------


SECTIONS = {
    "table": ("ch13", measure_table, table),
    "first": ("ch13first", measure_first, first),
    "build": ("ch13build", measure_build, build),
    "ctrlc": ("ch13ctrlc", measure_ctrlc, ctrlc),
    "threads": ("ch13threads", measure_threads, threads),
}


def main():
    fresh = "--fresh" in sys.argv
    section = sys.argv[sys.argv.index("--section") + 1] if "--section" in sys.argv else "table"
    if section not in SECTIONS and section != "summary":
        sys.exit(f"unknown section {section!r}: {', '.join(SECTIONS)}, summary")
    if section == "summary":  # the closing note reads the table's run and the first calls'
        runs = [bk.cached(name, key(), measure, fresh) for name, measure, _ in (SECTIONS["table"], SECTIONS["first"])]
        print(summary(*runs), end="")
        return
    name, measure, report = SECTIONS[section]
    data = bk.cached(name, key(), measure, fresh)
    print(report(data), end="")


if __name__ == "__main__":
    main()
