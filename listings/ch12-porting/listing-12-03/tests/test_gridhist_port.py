"""Listing 12-3, the Rust port, against listing 12-1, the C it replaces: the
C's own tests run unchanged against the port, then a differential test draws
inputs (dtypes in both byte orders, layouts, broadcasting, edge values) and
requires the same answer, bit for bit, or the same exception with the same
message."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cgridhist
import cgridhist._core as c_core
import gridhist
import gridhist._core as rust_core

HERE = Path(__file__).resolve().parents[1]
ORIGINAL = HERE.parent / "listing-12-01"
# Under memcheck every call is about fifty times slower: fewer examples.
SCALE = 10 if os.environ.get("BOOK_UNDER_VALGRIND") == "1" else 1


# ANCHOR: unchanged
def test_the_python_code_is_the_c_packages_own():
    """The port changes the compiled core only: the package's Python code is
    the original's, byte for byte, and so is the core's stub but for the
    `__all__` that PyO3 adds to the module."""
    port, original = HERE / "python" / "gridhist", ORIGINAL / "src" / "cgridhist"
    assert (port / "__init__.py").read_bytes() == (original / "__init__.py").read_bytes()
    added = set((port / "_core.pyi").read_text().splitlines()) - set((original / "_core.pyi").read_text().splitlines())
    assert added == {"# PyO3 gives the module an __all__ (the C's had none).", '__all__ = ["_hist1d", "_histdd"]'}
    assert gridhist._core.__all__ == ["_hist1d", "_histdd"] and not hasattr(cgridhist._core, "__all__")


def test_the_c_packages_tests_pass_unchanged_against_the_port():
    """Listing 12-1's tests, as they are, with `cgridhist` bound to the port."""
    run = (
        "import sys, gridhist, gridhist._core, pytest\n"
        "sys.modules['cgridhist'] = gridhist\n"
        "sys.modules['cgridhist._core'] = gridhist._core\n"
        "sys.exit(pytest.main(sys.argv[1:]))\n"
    )
    tests = ORIGINAL / "tests" / "test_cgridhist.py"
    out = subprocess.run(
        [sys.executable, "-c", run, "-q", "-p", "no:cacheprovider", "--rootdir", str(HERE), str(tests)],
        capture_output=True, text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    passed = int(out.stdout.split(" passed")[0].split()[-1])
    assert passed == 34, out.stdout
# ANCHOR_END: unchanged


# --- the differential test ---------------------------------------------------

TYPES = ["bool", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"]
DTYPES = [np.dtype(t) for t in TYPES] + [np.dtype(t).newbyteorder(">") for t in TYPES if t != "bool"]
REFUSED = ["c16", "c8", "g", "O", "U3", "S3", "M8[s]", "m8[s]", "V8"]
LAYOUTS = ["C", "fortran", "reversed", "strided", "misaligned", "broadcast"]


def edges(lo, hi, bins):
    """Values where the answer is decided: the range's ends and their
    neighbours, the bins' edges, NaN and the infinities."""
    width = (hi - lo) / bins
    out = [lo, hi, np.nextafter(lo, -np.inf), np.nextafter(hi, -np.inf), np.nextafter(hi, np.inf),
           np.nan, np.inf, -np.inf, 0.0, -0.0, 1e300, -1e300]
    for i in range(1, min(bins, 4)):
        e = lo + i * width
        out += [e, np.nextafter(e, -np.inf), np.nextafter(e, np.inf)]
    return out


def cast(values, dtype):
    """`values` as `dtype`, keeping only what the dtype can hold."""
    with np.errstate(all="ignore"):
        if dtype.kind == "b":
            return np.asarray(np.asarray(values) > 0.5)
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0, posinf=info.max, neginf=info.min)
            return np.clip(np.round(v), info.min, info.max).astype(dtype)
        return np.asarray(values, dtype=np.float64).astype(dtype)


def layout(a, how, shape_rng):
    """`a` (values already in their dtype) held in another memory layout."""
    if how == "fortran" and a.ndim >= 2:
        return np.asfortranarray(a)
    if how == "reversed" and a.ndim:
        return a[(slice(None, None, -1),) * a.ndim].copy()[(slice(None, None, -1),) * a.ndim]
    if how == "strided" and a.ndim:
        big = np.zeros(tuple(2 * s for s in a.shape), a.dtype)
        view = big[(slice(None, None, 2),) * a.ndim]
        view[...] = a
        return view
    if how == "misaligned" and a.dtype.itemsize > 1:
        buf = np.zeros(a.nbytes + 1, np.uint8)
        out = np.frombuffer(buf.data, a.dtype, count=a.size, offset=1).reshape(a.shape)
        out[...] = a
        return out
    if how == "broadcast" and a.ndim:
        row = a.reshape(-1)[: a.shape[-1]] if a.size else a.reshape(-1)[:0]
        return np.broadcast_to(row, a.shape) if a.size else a
    return a


@st.composite
def operand(draw, shape, lo, hi, bins):
    """One input: a dtype, values (edges and ordinary ones) and a layout."""
    dtype = draw(st.sampled_from(DTYPES), label="dtype")
    n = int(np.prod(shape))
    pool = edges(lo, hi, bins) + list(np.linspace(lo - 1, hi + 1, 17))
    values = draw(st.lists(st.one_of(st.sampled_from(pool), st.floats(lo - 1, hi + 1)), min_size=n, max_size=n))
    a = cast(np.array(values, dtype=np.float64).reshape(shape), dtype)
    return layout(a, draw(st.sampled_from(LAYOUTS), label="layout"), None)


@st.composite
def grid(draw):
    bins = draw(st.integers(1, 40), label="bins")
    lo = draw(st.sampled_from([0.0, -2.5, -1e-3, 1.0, -7.0]), label="lo")
    hi = lo + draw(st.sampled_from([1.0, 0.3, 10.0, 255.0, 1e-6]), label="width")
    return bins, lo, hi


def call(core, name, *args):
    """The result, or (exception type, message)."""
    try:
        with np.errstate(all="ignore"):
            return getattr(core, name)(*args)
    except Exception as e:  # noqa: BLE001 - compared below
        return type(e), str(e)


def same(c, r, weighted):
    if isinstance(c, tuple) or isinstance(r, tuple):
        assert c == r
        return
    assert r.dtype == c.dtype == np.float64 and r.shape == c.shape
    if weighted:  # sums of the same weights in another order
        np.testing.assert_allclose(r, c, rtol=1e-12, atol=1e-9)
    else:
        np.testing.assert_array_equal(r, c)


# ANCHOR: differential
@settings(max_examples=400 // SCALE, deadline=None)
@given(data=st.data(), g=grid(), shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
def test_hist1d_equals_the_c(data, g, shape):
    bins, lo, hi = g
    x = data.draw(operand(shape, lo, hi, bins), label="x")
    w_shape = data.draw(st.sampled_from([None, shape, shape[-1:], ()]), label="weights' shape")
    w = None if w_shape is None else data.draw(operand(w_shape, -3.0, 3.0, 4), label="weights")
    if w is not None and w.dtype.kind == "f":
        w = np.where(np.isfinite(w), w, 1.0).astype(w.dtype)  # inf - inf is NaN in any order
    same(call(c_core, "_hist1d", x, w, bins, lo, hi), call(rust_core, "_hist1d", x, w, bins, lo, hi),
         weighted=w is not None)
# ANCHOR_END: differential


@settings(max_examples=200 // SCALE, deadline=None)
@given(data=st.data(), g=grid(), k=st.integers(1, 3),
       shape=hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=5))
def test_histdd_equals_the_c(data, g, k, shape):
    bins, lo, hi = g
    coords = [data.draw(operand(shape, lo, hi, bins), label=f"coords[{i}]") for i in range(k)]
    how = data.draw(st.sampled_from([list, tuple, "array"]), label="coords as")
    if how == "array" and all(c.dtype == coords[0].dtype and c.shape == coords[0].shape for c in coords):
        coords = np.array(coords)  # a 2-D array is a sequence of its rows
    else:
        coords = tuple(coords) if how is tuple else list(coords)
    w = data.draw(st.one_of(st.none(), operand(shape, -3.0, 3.0, 4)), label="weights")
    if w is not None and w.dtype.kind == "f":
        w = np.where(np.isfinite(w), w, 1.0).astype(w.dtype)
    same(call(c_core, "_histdd", coords, w, bins, lo, hi), call(rust_core, "_histdd", coords, w, bins, lo, hi),
         weighted=w is not None)


@pytest.mark.parametrize("dtype", REFUSED)
@pytest.mark.parametrize("where", ["x", "weights"])
def test_a_refused_dtype_gets_the_same_error(dtype, where):
    bad = np.zeros(4, dtype)
    args = (bad, None) if where == "x" else (np.zeros(4), bad)
    c, r = call(c_core, "_hist1d", *args, 3, 0.0, 1.0), call(rust_core, "_hist1d", *args, 3, 0.0, 1.0)
    assert isinstance(c, tuple) and c == r
    assert c[0] is TypeError and "according to the rule 'safe'" in c[1]


@pytest.mark.parametrize("args", [
    (np.zeros(3), np.ones(4)),
    (np.zeros((2, 3)), np.ones((3, 2))),
    (np.zeros(3, "c16"), np.ones(4)),
    ([[1.0, 2.0], [3.0]], None),
    (None, None),
    ("abc", None),
])
def test_bad_operands_get_the_same_error(args):
    c, r = call(c_core, "_hist1d", *args, 3, 0.0, 1.0), call(rust_core, "_hist1d", *args, 3, 0.0, 1.0)
    assert isinstance(c, tuple) and c == r


@pytest.mark.parametrize("coords", [[], 3, None, [np.zeros(2)] * 33, "xy", [np.zeros(2), np.zeros(3)]])
def test_bad_coords_get_the_same_error(coords):
    c, r = call(c_core, "_histdd", coords, None, 3, 0.0, 1.0), call(rust_core, "_histdd", coords, None, 3, 0.0, 1.0)
    assert isinstance(c, tuple) and c == r


@pytest.mark.parametrize("bins,lo,hi", [(0, 0.0, 1.0), (-3, 0.0, 1.0), (3, 1.0, 0.0), (3, 0.0, np.inf),
                                        (3, np.nan, 1.0), (3, 0.0, 5e-324), (3, -1e308, 1e308)])
def test_bad_grids_get_the_same_error(bins, lo, hi):
    for name, first in (("_hist1d", np.zeros(3)), ("_histdd", [np.zeros(3)])):
        c, r = call(c_core, name, first, None, bins, lo, hi), call(rust_core, name, first, None, bins, lo, hi)
        assert isinstance(c, tuple) and c == r


def test_sizes_numpy_cannot_allocate_get_numpys_error():
    for args in ((np.zeros(3), None, 2**62, 0.0, 1.0), ):
        c, r = call(c_core, "_hist1d", *args), call(rust_core, "_hist1d", *args)
        assert isinstance(c, tuple) and c == r
    c = call(c_core, "_histdd", [np.zeros(1)] * 12, None, 2**8, 0.0, 1.0)
    r = call(rust_core, "_histdd", [np.zeros(1)] * 12, None, 2**8, 0.0, 1.0)
    assert isinstance(c, tuple) and c == r


# ANCHOR: contract
@pytest.mark.parametrize("core", [c_core, rust_core], ids=["C", "Rust"])
def test_arguments_are_positional_only(core):
    x = np.zeros(3)
    assert core._hist1d(x, None, 3, 0.0, 1.0).shape == (3,)
    with pytest.raises(TypeError):
        core._hist1d(x, None, 3, 0.0, hi=1.0)
    with pytest.raises(TypeError):
        core._histdd(coords=[x], weights=None, bins=3, lo=0.0, hi=1.0)


@pytest.mark.parametrize("core", [c_core, rust_core], ids=["C", "Rust"])
@pytest.mark.parametrize("args", [(np.zeros(3), None, 3, 0.0), (np.zeros(3), None, 3, 0.0, 1.0, 2.0),
                                  (np.zeros(3), None, 2.5, 0.0, 1.0), (np.zeros(3), None, 3, "0", 1.0),
                                  (np.zeros(3), None, 2**70, 0.0, 1.0)])
def test_bad_arguments_raise_the_same_exception_type(core, args):
    expected = call(c_core, "_hist1d", *args)
    assert isinstance(expected, tuple), "the C takes these arguments"
    with pytest.raises(expected[0]):
        core._hist1d(*args)
# ANCHOR_END: contract


def test_misaligned_input_is_copied_not_refused():
    buf = np.zeros(8 * 100 + 1, np.uint8)
    x = np.frombuffer(buf.data, np.float64, count=100, offset=1)
    x[...] = np.linspace(0, 1, 100, endpoint=False)
    assert not x.flags.aligned
    np.testing.assert_array_equal(rust_core._hist1d(x, None, 10, 0.0, 1.0), np.full(10, 10.0))
    np.testing.assert_array_equal(rust_core._hist1d(x, None, 10, 0.0, 1.0), c_core._hist1d(x, None, 10, 0.0, 1.0))


def test_large_and_broadcast_inputs_equal_the_c():
    """Inputs larger than a block and than a detached part: every block is read once."""
    rng = np.random.default_rng(7)
    x = rng.random((3, 1_000_001))
    w = rng.random(1_000_001)
    for args in ((x, None), (x[:, ::3], None), (x.T, None), (x, w), (x[::-1, ::-2], w[::-2]),
                 (x.astype(np.float32), w.astype(np.float16))):
        same(c_core._hist1d(*args, 17, 0.0, 1.0), rust_core._hist1d(*args, 17, 0.0, 1.0),
             weighted=args[1] is not None)
    same(c_core._histdd([x, x[::-1]], None, 9, 0.0, 1.0), rust_core._histdd([x, x[::-1]], None, 9, 0.0, 1.0),
         weighted=False)


def test_the_package_is_the_same_api():
    assert gridhist.__all__ == cgridhist.__all__
    assert gridhist._core.__name__ == "gridhist._core"
