"""Listing 13-2: every Numba kernel against NumPy or SciPy, on random sizes
and layouts, and what Numba does with input its loops were not written for."""

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings, strategies as st
from numba.core.errors import TypingError

import nbkernels as nb

settings.register_profile("nbkernels", max_examples=30, deadline=None)
settings.load_profile("nbkernels")

seeds = st.integers(0, 2**32 - 1)
steps = st.sampled_from([1, 1, 2, -1, -3])


def vector(n, step, seed):
    """n values, as a view with that step into a bigger array."""
    return np.random.default_rng(seed).standard_normal(n * abs(step))[::step]


def ewma_loop(x, alpha):
    out, prev = [], None
    for v in x:
        prev = v if prev is None else alpha * v + (1 - alpha) * prev
        out.append(prev)
    return np.array(out, dtype=np.float64)


def counts(x, nbins, lo, hi):
    inside = x[(x >= lo) & (x <= hi)]
    k = ((inside - lo) * (nbins / (hi - lo))).astype(np.intp)
    return np.bincount(np.minimum(k, nbins - 1), minlength=nbins)


@given(st.integers(0, 300), steps, st.floats(0.01, 1.0), seeds)
def test_ewma(n, step, alpha, seed):
    x = vector(n, step, seed)
    np.testing.assert_allclose(nb.ewma(x, alpha), ewma_loop(x, alpha), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f", [nb.cube, nb.cube_par])
@given(n=st.integers(0, 300), step=steps, seed=seeds)
def test_cube(f, n, step, seed):
    a = vector(n, step, seed)
    np.testing.assert_array_equal(f(a), a * a * a)


@pytest.mark.parametrize("f", [nb.uniform_filter3, nb.uniform_filter3_par])
@given(n=st.integers(1, 30), m=st.integers(1, 30), order=st.sampled_from("CF"), seed=seeds)
def test_uniform_filter3_is_scipys(f, n, m, order, seed):
    a = np.asarray(np.random.default_rng(seed).standard_normal((n, m)), order=order)
    np.testing.assert_allclose(f(a), ndi.uniform_filter(a, 3), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f", [nb.morlet, nb.morlet_par])
@given(n=st.integers(0, 300), step=steps, seed=seeds)
def test_morlet(f, n, step, seed):
    x = vector(n, step, seed) * 3
    np.testing.assert_allclose(f(x), np.cos(5 * x) * np.exp(-0.5 * x * x), rtol=1e-13, atol=1e-15)


@given(st.integers(0, 2000), steps, st.integers(1, 64), seeds)
def test_histogram(n, step, nbins, seed):
    x = vector(n, step, seed) * 3
    x[::7] = np.nan
    np.testing.assert_array_equal(nb.histogram(x, nbins, -4.0, 4.0), counts(x, nbins, -4.0, 4.0))


def test_the_checks_raise_valueerror():
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\]"):
        nb.ewma(np.ones(3), 1.5)
    with pytest.raises(ValueError, match="nbins must be at least 1"):
        nb.histogram(np.ones(3), 0, 0.0, 1.0)
    with pytest.raises(ValueError, match="lo and hi must be finite"):
        nb.histogram(np.ones(3), 4, 1.0, 0.0)


def test_another_dtype_compiles_another_version():
    """An int64 array is not an error: @njit compiles the loop again for it."""
    a = np.arange(5)
    assert nb.cube(a).dtype == np.int64
    np.testing.assert_array_equal(nb.cube(a), a**3)
    assert len(nb.cube.signatures) >= 2


@pytest.mark.parametrize("bad", [None, np.arange(3.0).astype(object)])
def test_what_numba_cannot_type_is_a_typingerror(bad):
    """Not a TypeError: numba.core.errors.TypingError derives from Exception only."""
    with pytest.raises(TypingError, match="nopython"):
        nb.cube(bad)
    assert not issubclass(TypingError, TypeError)


def test_an_array_no_machine_can_hold_is_a_memoryerror():
    with pytest.raises(MemoryError, match="Allocation failed"):
        nb.ewma(np.broadcast_to(1.0, (2**40,)), 0.5)
