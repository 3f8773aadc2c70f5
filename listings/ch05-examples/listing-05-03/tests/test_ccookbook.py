"""Listing 5-3: the C twins, checked the same way as listing 5-2."""

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings, strategies as st

import ccookbook as cc

settings.register_profile("ccookbook", max_examples=60, deadline=None)
settings.load_profile("ccookbook")


@st.composite
def arrays(draw, ndim, max_side=12, min_side=0):
    """C or Fortran order, possibly a strided or reversed view."""
    shape = [draw(st.integers(min_side, max_side)) for _ in range(ndim)]
    steps = [draw(st.sampled_from([1, 1, 2, -1, -3])) for _ in range(ndim)]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    base = np.asarray(rng.standard_normal([n * abs(s) for n, s in zip(shape, steps)]),
                      order=draw(st.sampled_from("CF")))
    return base[tuple(slice(None, None, s) for s in steps) + (Ellipsis,)]


def misaligned(n):
    a = np.frombuffer(bytearray(8 * n + 1), dtype=np.float64, count=n, offset=1)
    assert not a.flags.aligned
    return a


@given(arrays(1))
def test_cube(a):
    np.testing.assert_array_equal(cc.cube(a), a * a * a)


@given(st.integers(0, 30), st.sampled_from([1, 2, -1, -3]), st.integers(0, 2**32 - 1))
def test_cube_inplace_changes_exactly_the_view(n, step, seed):
    base = np.random.default_rng(seed).standard_normal(n * abs(step))
    expected = base.copy()
    view = slice(None, None, step)
    expected[view] = expected[view] * expected[view] * expected[view]
    cc.cube_inplace(base[view])
    np.testing.assert_array_equal(base, expected)


@given(arrays(2))
def test_row_sums(m):
    np.testing.assert_allclose(cc.row_sums(m), m.sum(axis=1), rtol=1e-12, atol=1e-12 * max(1, m.shape[1]))


@given(arrays(2, max_side=9, min_side=1), st.sampled_from([3, 5, 7]),
       st.sampled_from(["reflect", "mirror", "nearest", "constant"]), st.floats(-2, 2))
def test_filter_matches_scipy(a, size, mode, cval):
    expected = ndi.uniform_filter(a, size, mode=mode, cval=cval)
    np.testing.assert_allclose(cc.uniform_filter(a, size, mode, cval), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "constant"])
@pytest.mark.parametrize("shape", [(1, 50), (50, 1), (2, 2), (301, 257), (9, 1000)])
def test_filter_is_listing_5_1s_algorithm(mode, shape):
    # The same algorithm, step for step: equal to scipy to 1e-12, and to the
    # Rust twin bit for bit.
    import cookbook as ck

    a = np.random.default_rng(5).standard_normal(shape)
    for size in (3, 9):
        out = cc.uniform_filter(a, size, mode, 0.5)
        np.testing.assert_allclose(out, ndi.uniform_filter(a, size, mode=mode, cval=0.5), rtol=0, atol=1e-12)
        np.testing.assert_array_equal(out, ck.uniform_filter(a, size, mode, 0.5))


def test_cube_into():
    a = np.arange(6.0)
    out = np.empty(6)
    cc.cube_into(a, out)
    np.testing.assert_array_equal(out, a * a * a)
    ro = np.zeros(6)
    ro.flags.writeable = False
    cases = [
        ((a[::2], np.empty(3)), ValueError, "cube_into needs contiguous arrays"),
        ((misaligned(6), out), ValueError, "not aligned"),
        ((a, ro), ValueError, "out is read-only"),
        ((a, np.empty(5)), ValueError, "out has 5 elements, a has 6"),
        ((a, a), ValueError, "a and out overlap"),
        ((a[1:], a[:-1]), ValueError, "a and out overlap"),
        ((a.astype(np.float32), out), TypeError, "expected a 1-D float64 NumPy array"),
        ((a, np.empty((2, 3))), TypeError, "expected a 1-D float64 NumPy array"),
        ((a,), TypeError, "takes exactly 2 arguments"),
    ]
    for args, error, message in cases:
        with pytest.raises(error, match=message):
            cc.cube_into(*args)
    np.testing.assert_array_equal(a, np.arange(6.0))


def test_special_values_and_empty():
    a = np.array([np.nan, np.inf, -np.inf])
    np.testing.assert_array_equal(cc.cube(a), [np.nan, np.inf, -np.inf])
    assert cc.cube(np.empty(0)).shape == (0,)
    np.testing.assert_array_equal(cc.row_sums(np.empty((2, 0))), [0.0, 0.0])
    for shape in [(0, 5), (5, 0)]:
        assert cc.uniform_filter(np.empty(shape)).shape == shape


@pytest.mark.parametrize("f", [cc.cube, cc.cube_inplace, cc.row_sums, cc.uniform_filter])
def test_bad_input(f):
    for bad in (np.arange(3), np.zeros(3, np.float32), [1.0], None):
        with pytest.raises(TypeError, match="float64 NumPy array"):
            f(bad)


def test_bad_shapes_and_flags():
    with pytest.raises(ValueError, match="expected a 1-D array, got 2-D"):
        cc.cube(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="expected a 1-D float64 NumPy array"):
        cc.cube_inplace(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="expected a 2-D array, got 1-D"):
        cc.row_sums(np.zeros(2))
    ro = np.arange(3.0)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="array is read-only"):
        cc.cube_inplace(ro)
    with pytest.raises(ValueError, match="not aligned"):
        cc.cube_inplace(misaligned(3))
    # The Cookbook way copies a misaligned input instead of refusing it.
    m = misaligned(3)
    np.testing.assert_array_equal(cc.cube(m), m * m * m)
    for size in (4, 1, 1000003):
        with pytest.raises(ValueError, match=f"size must be odd, at least 3 and at most 1000001, got {size}"):
            cc.uniform_filter(np.zeros((3, 3)), size)
    with pytest.raises(ValueError, match="unknown mode wrap"):
        cc.uniform_filter(np.zeros((3, 3)), 3, "wrap")


# The same dispatch as listing 5-2: an AVX2 copy of sum_rows where the CPU has
# it; `_uniform_filter_baseline` forces the SSE2 code.
@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "constant"])
@pytest.mark.parametrize("size", [3, 5, 9])
@pytest.mark.parametrize("shape", [(37, 61), (8, 1003), (301, 257)])
def test_dispatched_filter_equals_the_baseline_bit_for_bit(mode, size, shape):
    import cookbook as ck

    a = np.random.default_rng(size * 1000 + shape[1]).standard_normal(shape)
    fast = cc.uniform_filter(a, size, mode, 0.5)
    base = cc._uniform_filter_baseline(a, size, mode, 0.5)
    np.testing.assert_array_equal(fast.view(np.uint64), base.view(np.uint64))
    # And the C twin's baseline equals Rust's, bit for bit.
    rust = ck._uniform_filter_baseline(a, size, mode, 0.5)
    np.testing.assert_array_equal(base.view(np.uint64), rust.view(np.uint64))
    np.testing.assert_allclose(base, ndi.uniform_filter(a, size, mode=mode, cval=0.5), rtol=0, atol=1e-12)
