"""Ctrl-C reaches every listing function whose work grows with its input.

Chapter 8 ("Threads, free-threaded Python and Ctrl-C") promises that each such
function raises KeyboardInterrupt within about a second of SIGINT. This test
holds every listing to it, and is complete by construction: it reads every
listing's gate.toml (the list of what the module exports) and fails when an
exported function is neither exercised here (CASES) nor exempt with a reason
(EXEMPT). A new function that nobody classified fails the test.

Each case starts a child process that calls the function on an input that is
huge but cheap (a stride-0 broadcast view, or a small array with a huge
window), so that without a signal check it would run for minutes. The child
says when it is about to call; the parent sends SIGINT half a second later and
requires the child to exit with KeyboardInterrupt within one more second,
without having finished the call. The children run side by side, so the whole
test takes seconds.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    os.environ.get("BOOK_UNDER_VALGRIND") == "1",
    reason="spawns a dozen busy processes and times them: under memcheck every call is 50x slower",
)

# Inputs: a stride-0 view of 2**40 elements costs 8 bytes; a writable one
# (as_strided) lets functions with an `out` argument run as long.
HUGE = "np.broadcast_to(1.0, (2**40,))"
SETUP = textwrap.dedent("""
    import numpy as np
    from numpy.lib.stride_tricks import as_strided
    def sink(n=2**40):
        return as_strided(np.ones(1), shape=(n,), strides=(0,), writeable=True)
""")

# "module.function": (setup, call). `setup` runs before the child says it is
# ready; `call` must take minutes without a signal check.
CASES = {
    "_extmodule.mean": ("", f"m.mean({HUGE})"),
    "skeleton.mean": ("", f"m.mean({HUGE})"),
    "cookbook.row_sums": ("", "m.row_sums(np.broadcast_to(1.0, (2, 2**40)))"),
    "cookbook.cube_inplace": ("", "m.cube_inplace(sink())"),
    "cookbook.cube_into": ("", f"m.cube_into({HUGE}, sink())"),
    "cookbook.uniform_filter": ("x = np.ones((4_000_000, 4))", "m.uniform_filter(x, size=1001)"),
    "cookbook.uniform_filter_par": ("x = np.ones((4_000_000, 4))", "m.uniform_filter_par(x, size=1001)"),
    "ccookbook.cube_inplace": ("", "m.cube_inplace(sink())"),
    "ccookbook.uniform_filter": ("x = np.ones((4_000_000, 4))", "m.uniform_filter(x, size=1001)"),
    "smooth.moving_mean": ("x = np.ones(2**21)", "m.moving_mean(x, 2**20)"),
    "mexport.accumarray": ("", f"m.accumarray(np.broadcast_to(np.int64(1), (2**40,)), {HUGE})"),
    "newcomer.total_f64": ("", f"m.total_f64({HUGE})"),
    "newcomer.total_any": ("", f"m.total_any({HUGE})"),
    "newcomer.add_into": ("", f"m.add_into({HUGE}, sink())"),
    "newcomer.double_in_place": ("", "m.double_in_place(sink())"),
    "profiles.sum_indexed": ("", f"m.sum_indexed({HUGE})"),
    "profiles.sum_iter": ("", f"m.sum_iter({HUGE})"),
    "records.center_of_mass": (
        "p = np.ones(1, dtype=m.dtype())",
        "m.center_of_mass(np.broadcast_to(p, (2**40,)))",
    ),
    "lstsq_model.LeastSquares.fit": (
        "",
        "m.LeastSquares().fit(np.broadcast_to(1.0, (2**40, 2)), np.broadcast_to(1.0, (2**40,)))",
    ),
    "interruptible.total": ("", f"m.total({HUGE})"),
    "interruptible.total_detached": ("", f"m.total_detached({HUGE})"),
    "interruptible.total_par": ("", f"m.total_par({HUGE})"),
    "shared_state.hold": ("", "m.hold(np.ones(3), 60.0)"),
    "shared_state.fill": ("", "m.fill(sink(), 1.0)"),
    "shared_state.Counter.add_slowly": ("", "m.Counter().add_slowly(1, 60.0)"),
    "shared_state.Tally.add": ("", f"m.Tally().add({HUGE})"),
    "shipkit.total": ("", f"m.total({HUGE})"),
    "shipkit_abi3.total": ("", f"m.total({HUGE})"),
    "lstsq_model.predict": ("", f"m.predict(np.broadcast_to(1.0, (1, 2**40)), {HUGE})"),
    "gridhist._core._hist1d": ("", f"m._core._hist1d({HUGE}, {HUGE}, 10, 0.0, 2.0)"),
    "gridhist._core._histdd": ("", f"m._core._histdd([{HUGE}, {HUGE}], None, 10, 0.0, 2.0)"),
    "rskernels.histogram": ("", f"m.histogram({HUGE}, 16, -4.0, 4.0)"),
    "ckernels.histogram": ("", f"m.histogram({HUGE}, 16, -4.0, 4.0)"),
}

OUTPUT_SIZED = (
    "its output is as large as its input and has to be allocated: the work is one pass "
    "over memory the caller must have (seconds for gigabytes of fresh memory, chapter 8 "
    "shows how long), never more"
)
CONSTANT = "constant work, whatever the input"
UFUNC = (
    "NumPy calls a ufunc's inner loop with the GIL released when the loop does not ask for the Python "
    "API (these do not), and a loop registered with PyUFunc_FromFuncAndData returns void: "
    "it cannot tell NumPy to stop (chapter 8, 'Ctrl-C')"
)
EXEMPT = {
    "_extmodule.foo": CONSTANT,
    "skeleton.foo": CONSTANT,
    "panicky.get_or_panic": CONSTANT,
    "panicky.get": CONSTANT,
    "mended.interp": CONSTANT,
    "mended.cumsum": OUTPUT_SIZED,
    "mended.dtype_name": CONSTANT,
    "cookbook.cube": OUTPUT_SIZED,
    "cookbook.cube_par": OUTPUT_SIZED,
    "cookbook.cube_vec": OUTPUT_SIZED,
    "cookbook.square": OUTPUT_SIZED,
    "cookbook.norms": OUTPUT_SIZED,
    "cookbook.int_square": OUTPUT_SIZED,
    "cookbook.cube_into_fast": "takes only C-contiguous arrays that do not overlap: `out` must be as large as the input",
    "ccookbook.cube": OUTPUT_SIZED,
    "ccookbook.cube_into": "takes only C-contiguous arrays that do not overlap: `out` must be as large as the input",
    "ccookbook.row_sums": "PyArray_FROM_OTF copies a non-contiguous array: the input is as large as its memory",
    "ownership.live_bytes": CONSTANT,
    "ownership.freed_buffers": CONSTANT,
    "ownership.vec_to_numpy": OUTPUT_SIZED,
    "ownership.array_to_numpy": OUTPUT_SIZED,
    "ownership.malloc_array": OUTPUT_SIZED,
    "mexport.colcumsum": OUTPUT_SIZED,
    "newcomer.first_and_last": CONSTANT,
    "newcomer.first_and_last_strided": CONSTANT,
    "records.dtype": CONSTANT,
    "records.rust_layout": CONSTANT,
    "rlogit.logit": UFUNC,
    "clogit.logit": UFUNC,
    "rgufunc.dot": UFUNC,
    "logit_safe.logit_array": OUTPUT_SIZED,
    "logit_safe.log_odds_ratio": OUTPUT_SIZED,
    "arraylikes.as_float64": "returns a float64 array as it is; converting another dtype is NumPy's astype",
    "arraylikes.as_float64_strict": CONSTANT,
    "arraylikes.hypot": OUTPUT_SIZED,
    "arraylikes.square": OUTPUT_SIZED,
    "lstsq_model.LeastSquares.predict": (
        "the same body as predict (predict_with), exercised above; "
        "a fitted model with 2**40 coefficients cannot be made"
    ),
    "lstsq_model.LeastSquares.coef": CONSTANT,
    "shared_state.numpy_version": CONSTANT,
    "shared_state.Counter.count": CONSTANT,
    "shared_state.Tally.totals": CONSTANT,
    "interruptible.total_unchecked": "never checks, on purpose: the baseline that chapter 8's benchmark compares with",
    "lstsq_model.LeastSquares.freeze": "copies the fitted coefficients: as large as the model",
    "lstsq_model.LinearFit.predict": (
        "the same body as predict (predict_with), exercised above; "
        "a model with 2**40 coefficients cannot be made"
    ),
    "lstsq_model.LinearFit.coef": CONSTANT,
    "greatcircle.distance_port": OUTPUT_SIZED,
    "greatcircle.distance_hoisted": OUTPUT_SIZED,
    "greatcircle.distance_simd": OUTPUT_SIZED,
    "greatcircle.distance_par": OUTPUT_SIZED,
    "typedstats.rms": "takes only contiguous arrays: the input is as large as its memory",
    "faqkit.mean": "takes only contiguous arrays: the input is as large as its memory",
    "faqkit.affine_sum": "takes only contiguous arrays: the input is as large as its memory",
    "faqkit.sum_squares_c": "takes only contiguous arrays: the input is as large as its memory",
    "faqkit.Mapper.sum": "takes only contiguous arrays: the input is as large as its memory",
    "faqkit.describe": OUTPUT_SIZED,
    "faqkit.Mapper.f": CONSTANT,
    "typedstats.scale": OUTPUT_SIZED,
    # Chapter 12: the C original checks for no signal while the GIL is
    # released, as the extensions it stands for; its port (gridhist._core,
    # above) does. The straight port's steps are the benchmark's rows.
    "cgridhist._core._hist1d": "the C original: never checks, as the C extensions it stands for (its port does)",
    "cgridhist._core._histdd": "the C original: never checks, as the C extensions it stands for (its port does)",
    **{f"gridhist_steps.{step}": "a step of the straight port, timed by chapter 12's benchmark; the port it "
       "leads to, gridhist._core, checks" for step in ("straight", "lanes", "own_fn", "signed", "resliced",
                                                        "unchecked")},
    # Chapter 13: the same kernels in five tools. Its Ctrl-C section measures
    # what the histograms of NumPy, Numba and Cython do instead.
    "npkernels.ewma": OUTPUT_SIZED,
    "npkernels.cube": OUTPUT_SIZED,
    "npkernels.uniform_filter3": OUTPUT_SIZED,
    "npkernels.morlet": OUTPUT_SIZED,
    "npkernels.histogram": "its first step is a boolean mask as large as the input: a huge view is a MemoryError at once",
    "nbkernels.ewma": OUTPUT_SIZED,
    "nbkernels.cube": OUTPUT_SIZED,
    "nbkernels.cube_par": OUTPUT_SIZED,
    "nbkernels.uniform_filter3": OUTPUT_SIZED,
    "nbkernels.uniform_filter3_par": OUTPUT_SIZED,
    "nbkernels.morlet": OUTPUT_SIZED,
    "nbkernels.morlet_par": OUTPUT_SIZED,
    "nbkernels.histogram": "compiled Numba code has no way to check for signals (numba/numba#5551): chapter 13 shows it",
    "cykernels.ewma": OUTPUT_SIZED,
    "cykernels.cube": OUTPUT_SIZED,
    "cykernels.cube_par": OUTPUT_SIZED,
    "cykernels.uniform_filter3": OUTPUT_SIZED,
    "cykernels.uniform_filter3_par": OUTPUT_SIZED,
    "cykernels.morlet": OUTPUT_SIZED,
    "cykernels.morlet_par": OUTPUT_SIZED,
    "cykernels.histogram": "written as Cython's tutorial writes loops, without a check for signals: chapter 13 shows it",
    "rskernels.ewma": OUTPUT_SIZED,
    "rskernels.ewma_push": OUTPUT_SIZED,
    "rskernels.morlet": OUTPUT_SIZED,
    "rskernels.morlet_par": OUTPUT_SIZED,
    "ckernels.ewma": OUTPUT_SIZED,
    "ckernels.morlet": OUTPUT_SIZED,
}

# The quick start's module is built by the reader in their own folder
# (ci/chapters/quickstart.py), not into the book's virtualenv.
NOT_GATED = {
    "ewma.ewma": OUTPUT_SIZED,
}


def exported():
    """Every "module.function" (and "module.Class.member") that a gate.toml declares."""
    names = set()
    for path in sorted((ROOT / "listings").glob("*/*/gate.toml")):
        data = tomllib.loads(path.read_text())
        module = data.pop("module")
        data.pop("not_functions", None)
        data.pop("helpers", None)  # Python code for the references, not a function
        for name, body in data.items():
            members = {k: v for k, v in body.items() if isinstance(v, dict) and "construct" in v}
            if members:
                names |= {f"{module}.{name}.{member}" for member in members}
            else:
                names.add(f"{module}.{name}")
    return names


def test_every_exported_function_is_classified():
    names = exported()
    assert names, "no gate.toml found"
    missing = sorted(names - CASES.keys() - EXEMPT.keys())
    assert not missing, (
        "exported functions that test_interrupt.py neither exercises nor exempts "
        f"(add each to CASES, or to EXEMPT with a reason): {missing}"
    )
    stale = sorted((CASES.keys() | EXEMPT.keys()) - names)
    assert not stale, f"classified in test_interrupt.py but exported by no listing: {stale}"
    both = sorted(CASES.keys() & EXEMPT.keys())
    assert not both, f"both exercised and exempt: {both}"
    assert all(reason.strip() for reason in {**EXEMPT, **NOT_GATED}.values())


def test_the_quick_start_is_classified():
    """The quick start's module has no gate.toml: read its functions from its source."""
    import re

    source = (ROOT / "listings" / "ch00-quick-start" / "src" / "lib.rs").read_text()
    module = re.search(r"#\[pymodule[^\]]*\]\s*mod (\w+)", source).group(1)
    functions = re.findall(r"#\[pyfunction\][^{]*?fn (\w+)", source)
    assert functions, "no #[pyfunction] found in the quick start"
    assert {f"{module}.{f}" for f in functions} == set(NOT_GATED)


# Each child restores Python's own SIGINT handler first: started from a
# background job (`bash ci/test.sh &`, nohup), the test and its children
# inherit SIGINT ignored, and without it every child kept running (run r14
# of 2026-12-07: all 29 "still running 5 s after SIGINT").
CHILD = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
{setup}
import {module} as m
{case_setup}
print("ready", flush=True)
try:
    {call}
except KeyboardInterrupt:
    print("interrupted", time.monotonic(), flush=True)
    sys.exit(0)
print("finished", flush=True)
sys.exit(3)
"""


def start(name):
    module = name.split(".")[0]
    case_setup, call = CASES[name]
    code = CHILD.format(setup=SETUP, module=module, case_setup=case_setup, call=call)
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "RAYON_NUM_THREADS": "2"},
    )


# Children run in batches of two per core: all 29 at once, each with two
# rayon threads, left a child on two cores waiting well over a second for
# its turn to run the check it had already reached (1.39 s once, for
# uniform_filter_par, with other jobs on the machine too).
BATCH = 2 * (os.cpu_count() or 1)


def test_sigint_interrupts_every_input_sized_function():
    names = sorted(CASES)
    failures = []
    for i in range(0, len(names), BATCH):
        failures += interrupt_batch(names[i : i + BATCH])
    assert not failures, "\n".join(failures)


def interrupt_batch(names):
    """Start one child per name, SIGINT each 0.5 s after it is ready, and
    return what went wrong."""
    children = {name: start(name) for name in names}
    failures = []
    try:
        # The children of a batch import NumPy at once; on two busy cores that
        # takes a second or two. Each one gets its SIGINT 0.5 s after it said "ready".
        for name, child in children.items():
            line = child.stdout.readline().strip()
            if line != "ready":
                child.kill()
                failures.append(f"{name}: did not start: {line!r} {child.stderr.read()[-2000:]}")
        pending = {n: c for n, c in children.items() if c.poll() is None}
        time.sleep(0.5)
        sent = {}
        for name, child in pending.items():
            if child.poll() is not None:
                failures.append(f"{name}: finished before SIGINT (exit {child.returncode}): input too small")
                continue
            sent[name] = time.monotonic()
            child.send_signal(signal.SIGINT)
        for name, when in sent.items():
            child = children[name]
            # One second of grace, plus a margin for busy children sharing
            # the cores (the latency is measured below, in the child's clock).
            try:
                out, err = child.communicate(timeout=max(0.1, when + 5.0 - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                out, err = child.communicate()
                failures.append(f"{name}: still running 5 s after SIGINT: no signal check")
                continue
            lines = out.split()
            if "finished" in lines:
                failures.append(f"{name}: the call finished instead of being interrupted")
            elif "interrupted" not in lines:
                failures.append(f"{name}: exit {child.returncode} without KeyboardInterrupt: {err[-2000:]}")
            else:
                latency = float(lines[lines.index("interrupted") + 1]) - when
                print(f"{name}: KeyboardInterrupt {latency * 1000:.0f} ms after SIGINT")
                if latency > 1.0:
                    failures.append(f"{name}: KeyboardInterrupt {latency:.2f} s after SIGINT (limit 1 s)")
    finally:
        for child in children.values():
            if child.poll() is None:
                child.kill()
                child.communicate()
    return failures
