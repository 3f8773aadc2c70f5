"""Listing 5-2: every kernel against NumPy or SciPy, on random shapes and
layouts, and every kind of bad input."""

import os

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings, strategies as st

import cookbook as ck

settings.register_profile("cookbook", max_examples=60, deadline=None)
settings.load_profile("cookbook")


# ANCHOR: layouts
@st.composite
def arrays(draw, ndim, dtype=np.float64, max_side=12, min_side=0):
    """A random array of `ndim` dimensions: C or Fortran order, possibly a
    strided or reversed view of a bigger one."""
    shape = [draw(st.integers(min_side, max_side)) for _ in range(ndim)]
    steps = [draw(st.sampled_from([1, 1, 2, -1, -3])) for _ in range(ndim)]
    order = draw(st.sampled_from("CF"))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    full = [n * abs(s) for n, s in zip(shape, steps)]
    if np.dtype(dtype).kind == "i":
        base = rng.integers(-(2**31), 2**31, size=full, dtype=dtype)
    else:
        base = rng.standard_normal(full).astype(dtype)
    base = np.asarray(base, order=order)
    view = base[tuple(slice(None, None, s) for s in steps) + (Ellipsis,)]  # 0-d stays an array
    assert view.shape == tuple(shape)
    return view


def misaligned(n):
    """A float64 array whose data starts one byte past an aligned address."""
    a = np.frombuffer(bytearray(8 * n + 1), dtype=np.float64, count=n, offset=1)
    assert not a.flags.aligned
    return a


def read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a
# ANCHOR_END: layouts


# --- vectors -----------------------------------------------------------------


@given(arrays(1))
def test_cube_matches_numpy(a):
    out = ck.cube(a)
    np.testing.assert_array_equal(out, a * a * a)
    assert out.dtype == np.float64 and out.flags.c_contiguous and out.flags.owndata


@given(st.integers(0, 30), st.sampled_from([1, 2, -1, -3]), st.integers(0, 2**32 - 1))
def test_cube_inplace_changes_exactly_the_view(n, step, seed):
    base = np.random.default_rng(seed).standard_normal(n * abs(step))
    expected = base.copy()
    view = slice(None, None, step)
    expected[view] = expected[view] * expected[view] * expected[view]
    ck.cube_inplace(base[view])
    np.testing.assert_array_equal(base, expected)  # and nothing else changed


@given(arrays(1))
def test_cube_into_and_cube_par_match_cube(a):
    out = np.empty_like(a)
    ck.cube_into(a, out)
    np.testing.assert_array_equal(out, ck.cube(a))
    np.testing.assert_array_equal(ck.cube_par(a), ck.cube(a))
    np.testing.assert_array_equal(ck.cube_vec(a), ck.cube(a))


def test_cube_par_on_many_chunks():
    a = np.random.default_rng(1).standard_normal(1_000_003)
    np.testing.assert_array_equal(ck.cube_par(a), a * a * a)
    b = a[::-3]
    np.testing.assert_array_equal(ck.cube_par(b), b * b * b)


def test_special_values_and_empty():
    a = np.array([np.nan, np.inf, -np.inf, -0.0, 1e200])
    expected = np.array([np.nan, np.inf, -np.inf, -0.0, np.inf])
    for f in (ck.cube, ck.cube_par):
        np.testing.assert_array_equal(f(a), expected)
        assert f(np.empty(0)).shape == (0,)
    b = a.copy()
    ck.cube_inplace(b)
    np.testing.assert_array_equal(b, expected)
    ck.cube_inplace(np.empty(0))


@pytest.mark.parametrize("f", [ck.cube, ck.cube_par, ck.cube_inplace])
@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.arange(3), TypeError, "type mismatch:\n from=int64, to=float64"),
        (np.zeros(3, np.float32), TypeError, "type mismatch:\n from=float32, to=float64"),
        (np.zeros((2, 2)), TypeError, "dimensionality mismatch:\n from=2, to=1"),
        ([1.0], TypeError, "'list' object is not an instance of 'ndarray'"),
        (None, TypeError, "'None' is not an instance of 'ndarray'"),
        (misaligned(4), ValueError, "array data is not aligned for its dtype: pass a.copy()"),
    ],
)
def test_vector_bad_input(f, bad, error, message):
    with pytest.raises(error) as info:
        f(bad)
    assert message in str(info.value)


def test_inplace_refuses_a_read_only_array():
    a = read_only(np.arange(3.0))
    with pytest.raises(TypeError, match="The given array is not writeable"):
        ck.cube_inplace(a)
    np.testing.assert_array_equal(a, [0.0, 1.0, 2.0])


def test_cube_into_refuses_aliasing_and_mismatched_shapes():
    a = np.arange(4.0)
    # The same array as input and output: NumPy's borrow checker says no,
    # even for overlapping views of one buffer.
    with pytest.raises(TypeError, match="The given array is already borrowed"):
        ck.cube_into(a, a)
    with pytest.raises(TypeError, match="The given array is already borrowed"):
        ck.cube_into(a[1:], a[:-1])
    with pytest.raises(ValueError, match="out has 3 elements, a has 4"):
        ck.cube_into(a, np.empty(3))
    with pytest.raises(TypeError, match="The given array is not writeable"):
        ck.cube_into(a, read_only(a))
    np.testing.assert_array_equal(a, [0.0, 1.0, 2.0, 3.0])


@given(arrays(1, max_side=40))
def test_cube_into_fast_matches_cube_into(a):
    out = np.full(a.shape, np.nan)
    if a.flags.c_contiguous:
        ck.cube_into_fast(a, out)
        np.testing.assert_array_equal(out, a * a * a)
    else:
        # The fast path refuses what it cannot take as a slice.
        with pytest.raises(ValueError, match="cube_into_fast needs contiguous arrays: use cube_into for strided views"):
            ck.cube_into_fast(a, out)
        assert np.isnan(out).all()  # untouched


def test_cube_into_fast_bad_input():
    """Everything the borrow-checked cube_into refuses, refused by hand."""
    a = np.arange(6.0)
    cases = [
        ((a[::2], np.empty(3)), ValueError, "cube_into_fast needs contiguous arrays: use cube_into for strided views"),
        ((a, np.empty(12)[::2]), ValueError, "cube_into_fast needs contiguous arrays"),
        ((misaligned(6), np.empty(6)), ValueError, "array data is not aligned for its dtype: pass a.copy()"),
        ((a, misaligned(6)), ValueError, "array data is not aligned for its dtype: pass a.copy()"),
        ((a, read_only(a)), ValueError, "out is read-only"),
        ((a, np.empty(5)), ValueError, "out has 5 elements, a has 6"),
        # The same array as input and output, or two overlapping views:
        # a `&[f64]` and a `&mut [f64]` over the same memory would alias.
        ((a, a), ValueError, "a and out overlap: pass a copy, or use cube_inplace"),
        ((a[1:], a[:-1]), ValueError, "a and out overlap"),
        ((a[:3], a[2:5]), ValueError, "a and out overlap"),
        # A wrong dtype or ndim: f64_vector says what was wrong, as
        # PyReadonlyArray1 would.
        ((a.astype(np.float32), np.empty(6)), TypeError, "type mismatch: from=float32, to=float64"),
        ((a, np.empty((2, 3))), TypeError, "dimensionality mismatch: from=2, to=1"),
        ((a, np.empty(6, dtype=object)), TypeError, "type mismatch: from=object, to=float64"),
        (([1.0], np.empty(1)), TypeError, "'list' object is not an instance of 'ndarray'"),
        ((a, None), TypeError, "'None' is not an instance of 'ndarray'"),
    ]
    for args, error, message in cases:
        with pytest.raises(error) as info:
            ck.cube_into_fast(*args)
        assert message in str(info.value), (args, str(info.value))
        if error is TypeError:
            assert str(info.value) == message
    np.testing.assert_array_equal(a, np.arange(6.0))  # never written
    # Disjoint halves of one buffer are fine, and so are empty arrays.
    ck.cube_into_fast(a[:3], a[3:])
    np.testing.assert_array_equal(a, [0.0, 1.0, 2.0, 0.0, 1.0, 8.0])
    ck.cube_into_fast(np.empty(0), np.empty(0))


@pytest.mark.skipif(os.environ.get("BOOK_UNDER_VALGRIND") == "1",
                    reason="valgrind runs one thread at a time, so the two calls may never overlap")
# ANCHOR: gil
def test_cube_into_fast_respects_a_filter_reading_with_the_gil_released():
    """While uniform_filter_par reads `img` in another thread with the GIL
    released, cube_into_fast must not write into it: it takes rust-numpy's
    borrows then, which refuse, instead of making a slice the filter's
    reads would race with. Without that fallback the fast path wrote."""
    import threading

    img = np.random.default_rng(0).random((3000, 3000))
    img[0, :3] = 1.0  # what the writes below write
    expected = ck.uniform_filter(img)
    small = np.ones(3)
    refused = 0
    t = threading.Thread(target=lambda: results.append(ck.uniform_filter_par(img)))
    results = []
    t.start()
    while t.is_alive():
        try:
            ck.cube_into_fast(small, img[0, :3])  # writes 1.0 ** 3: no change
        except TypeError as e:
            assert "The given array is already borrowed" in str(e)
            refused += 1
    t.join()
    assert refused > 0, "cube_into_fast never met the filter's borrow"
    np.testing.assert_array_equal(results[0], expected)
# ANCHOR_END: gil


# --- matrices ------------------------------------------------------------------


@given(st.integers(0, 20), st.sampled_from("CF"), st.sampled_from([1, 2, -1]))
def test_norms_match_numpy(n, order, step):
    base = np.asarray(np.random.default_rng(n).standard_normal((n * abs(step), 2)), order=order)
    p = base[::step]
    np.testing.assert_array_equal(ck.norms(p), np.hypot(p[:, 0], p[:, 1]))


@pytest.mark.parametrize("shape", [(3, 3), (2, 1), (0, 0)])
def test_norms_say_which_shape_they_need(shape):
    with pytest.raises(ValueError) as info:
        ck.norms(np.zeros(shape))
    assert str(info.value) == f"points must have shape (n, 2), got {shape}"


@given(arrays(2))
def test_row_sums_match_numpy(m):
    expected = m.sum(axis=1)
    np.testing.assert_allclose(ck.row_sums(m), expected, rtol=1e-12, atol=1e-12 * max(1, m.shape[1]))


def test_row_sums_special_values_and_empty():
    m = np.array([[1.0, np.nan], [np.inf, 1.0], [np.inf, -np.inf]])
    np.testing.assert_array_equal(ck.row_sums(m), [np.nan, np.inf, np.nan])
    np.testing.assert_array_equal(ck.row_sums(np.empty((3, 0))), [0.0, 0.0, 0.0])
    assert ck.row_sums(np.empty((0, 3))).shape == (0,)


@given(arrays(2, dtype=np.int64))
def test_int_square_matches_numpy(m):
    np.testing.assert_array_equal(ck.int_square(m), m * m)


def test_int_square_overflow_and_bad_input():
    with pytest.raises(OverflowError, match="does not fit in int64"):
        ck.int_square(np.array([[3037000500]]))
    assert ck.int_square(np.array([[3037000499]]))[0, 0] == 3037000499**2
    with pytest.raises(TypeError, match="from=float64, to=int64"):
        ck.int_square(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="from=int32, to=int64"):
        ck.int_square(np.zeros((2, 2), np.int32))
    with pytest.raises(TypeError, match="dimensionality mismatch:\n from=1, to=2"):
        ck.int_square(np.zeros(2, np.int64))
    with pytest.raises(TypeError, match="dimensionality mismatch:\n from=1, to=2"):
        ck.row_sums(np.zeros(2))


# --- one kernel, three dtypes ------------------------------------------------------


@given(st.sampled_from([np.float32, np.float64, np.int64]).flatmap(
    lambda dt: st.integers(0, 3).flatmap(lambda nd: arrays(nd, dtype=dt, max_side=6))))
def test_square_any_dtype_any_ndim(a):
    with np.errstate(over="ignore"):
        expected = a * a  # int64 wraps around in NumPy, and in `square`
    out = ck.square(a)
    assert out.dtype == a.dtype and out.shape == a.shape
    np.testing.assert_array_equal(out, expected)


def test_square_refuses_other_dtypes():
    with pytest.raises(TypeError, match="square: unsupported dtype int32; expected float32, float64 or int64"):
        ck.square(np.zeros(3, np.int32))
    with pytest.raises(TypeError, match="unsupported dtype complex128"):
        ck.square(np.zeros(3, complex))
    with pytest.raises(TypeError, match="square: expected a NumPy array, got list"):
        ck.square([1.0])
    with pytest.raises(ValueError, match="not aligned"):
        ck.square(misaligned(3))
    np.testing.assert_array_equal(ck.square(np.array([np.nan, -np.inf])), [np.nan, np.inf])


# --- the uniform filter ----------------------------------------------------------

MODES = ["reflect", "mirror", "nearest", "constant"]


@given(
    arrays(2, max_side=9, min_side=1),
    st.sampled_from([3, 5, 7]),
    st.sampled_from(MODES),
    st.floats(-2, 2),
)
def test_filter_matches_scipy(a, size, mode, cval):
    # Shapes from 1x1 up, so 1xN, Nx1 and arrays smaller than the kernel.
    expected = ndi.uniform_filter(a, size, mode=mode, cval=cval)
    out = ck.uniform_filter(a, size, mode, cval)
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ck.uniform_filter_par(a, size, mode, cval), out)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(1, 50), (50, 1), (2, 2), (1, 1), (301, 257), (9, 1000)])
def test_filter_edge_shapes(mode, shape):
    a = np.random.default_rng(7).standard_normal(shape)
    for size in (3, 9):
        expected = ndi.uniform_filter(a, size, mode=mode, cval=0.5)
        np.testing.assert_allclose(ck.uniform_filter(a, size, mode, 0.5), expected, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(ck.uniform_filter_par(a, size, mode, 0.5),
                                      ck.uniform_filter(a, size, mode, 0.5))


def test_filter_defaults_and_empty():
    a = np.random.default_rng(3).standard_normal((20, 30))
    np.testing.assert_allclose(ck.uniform_filter(a), ndi.uniform_filter(a, 3), rtol=0, atol=1e-12)
    for shape in [(0, 5), (5, 0), (0, 0)]:
        for f in (ck.uniform_filter, ck.uniform_filter_par):
            assert f(np.empty(shape)).shape == shape


def test_filter_nan_stays_in_its_window():
    # A defined result: NaN only where the window covers the NaN. (scipy's
    # running sum spreads it to the rest of the line: a known difference.)
    a = np.ones((7, 9))
    a[3, 4] = np.nan
    for f in (ck.uniform_filter, ck.uniform_filter_par):
        out = f(a, 3, "constant", 0.0)
        expected_nan = np.zeros_like(a, dtype=bool)
        expected_nan[2:5, 3:6] = True
        np.testing.assert_array_equal(np.isnan(out), expected_nan)
    b = np.zeros((5, 5))
    b[0, 0] = np.inf
    out = ck.uniform_filter(b, 3, "nearest")
    assert np.isposinf(out[:2, :2]).all() and np.isfinite(out[2:, :]).all() and np.isfinite(out[:, 2:]).all()


@pytest.mark.parametrize("f", [ck.uniform_filter, ck.uniform_filter_par])
def test_filter_bad_input(f):
    a = np.zeros((4, 4))
    for size in (1, 2, 4, 0, 1000003, 10**12):
        with pytest.raises(ValueError, match=f"size must be odd, at least 3 and at most 1000001, got {size}"):
            f(a, size)
    with pytest.raises(OverflowError):
        f(a, -3)
    with pytest.raises(ValueError, match="mode must be 'reflect', 'mirror', 'nearest' or 'constant', got \"wrap\""):
        f(a, 3, "wrap")
    with pytest.raises(TypeError, match="from=float32, to=float64"):
        f(a.astype(np.float32))
    with pytest.raises(TypeError, match="dimensionality mismatch:\n from=3, to=2"):
        f(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="not aligned"):
        f(misaligned(16).reshape(4, 4))
    # A read-only input is fine: the filter only reads it.
    np.testing.assert_array_equal(f(read_only(a)), a)


HUGE_1D = np.broadcast_to(np.zeros(1), (2**40,))  # a few bytes; its cube is 8 TiB
HUGE_2D = np.broadcast_to(np.zeros((1, 1)), (2**20, 2**20))


@pytest.mark.parametrize(
    "f, arg",
    [
        (ck.cube, HUGE_1D),
        (ck.cube_vec, HUGE_1D),  # try_reserve_exact
        (ck.cube_par, HUGE_1D),  # copies the strided view first
        (ck.square, HUGE_1D),
        (ck.int_square, np.broadcast_to(np.zeros((1, 1), np.int64), (2**20, 2**20))),
        (ck.uniform_filter, HUGE_2D),
        (ck.uniform_filter_par, HUGE_2D),
    ],
)
def test_an_output_that_cannot_be_allocated_is_a_memory_error(f, arg):
    # Not a PanicException ("PyObject pointer is null") from PyArray::new,
    # and not an abort from a Rust allocation: try_new and standard (lib.rs).
    with pytest.raises(MemoryError):
        f(arg)


# One wheel for every x86-64 CPU: `sum_rows` runs an AVX2 copy of itself where
# the CPU has AVX2, the baseline (SSE2) code elsewhere. `_uniform_filter_baseline`
# forces the baseline on any CPU, so the two can be compared here.
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("size", [3, 5, 9])
@pytest.mark.parametrize("shape", [(37, 61), (8, 1003), (301, 257)])
def test_dispatched_filter_equals_the_baseline_bit_for_bit(mode, size, shape):
    a = np.random.default_rng(size * 1000 + shape[1]).standard_normal(shape)
    fast = ck.uniform_filter(a, size, mode, 0.5)
    base = ck._uniform_filter_baseline(a, size, mode, 0.5)
    assert fast.dtype == base.dtype == np.float64
    np.testing.assert_array_equal(fast.view(np.uint64), base.view(np.uint64))
    np.testing.assert_allclose(base, ndi.uniform_filter(a, size, mode=mode, cval=0.5), rtol=0, atol=1e-12)


def test_baseline_filter_checks_its_input_like_the_filter():
    with pytest.raises(ValueError, match="size must be odd, at least 3 and at most 1000001, got 4"):
        ck._uniform_filter_baseline(np.zeros((3, 3)), 4)
    # An error inside leaves the dispatch as it was: the next call still
    # equals the baseline (and SciPy).
    a = np.random.default_rng(1).standard_normal((20, 40))
    np.testing.assert_array_equal(ck.uniform_filter(a).view(np.uint64),
                                  ck._uniform_filter_baseline(a).view(np.uint64))


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the AVX2 path exists only on x86-64")
@pytest.mark.skipif(os.environ.get("BOOK_UNDER_VALGRIND") == "1",
                    reason="reads the library with objdump: nothing of the module's memory use to check")
def test_the_library_holds_an_avx2_path():
    # Built for the baseline x86-64 CPU (no -C target-cpu), yet with 256-bit
    # AVX additions (ymm registers): the dispatched copy of `sum_rows`.
    import subprocess
    so = ck.cookbook.__file__
    asm = subprocess.run(["objdump", "-d", "--no-show-raw-insn", so], capture_output=True, text=True, check=True).stdout
    assert any("vaddpd" in l and "%ymm" in l for l in asm.splitlines())
