"""Listing 13-3: every Cython kernel against NumPy or SciPy, on random sizes
and layouts, and what the typed memoryviews do with other input."""

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings, strategies as st

import cykernels as cy

settings.register_profile("cykernels", max_examples=40, deadline=None)
settings.load_profile("cykernels")

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
def test_ewma_takes_any_strides(n, step, alpha, seed):
    x = vector(n, step, seed)
    np.testing.assert_allclose(cy.ewma(x, alpha), ewma_loop(x, alpha), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f", [cy.cube, cy.cube_par])
@given(n=st.integers(0, 300), seed=seeds)
def test_cube(f, n, seed):
    a = vector(n, 1, seed)
    np.testing.assert_array_equal(f(a), a * a * a)


@pytest.mark.parametrize("f", [cy.uniform_filter3, cy.uniform_filter3_par])
@given(n=st.integers(1, 30), m=st.integers(1, 30), seed=seeds)
def test_uniform_filter3_is_scipys(f, n, m, seed):
    a = np.random.default_rng(seed).standard_normal((n, m))
    np.testing.assert_allclose(f(a), ndi.uniform_filter(a, 3), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f", [cy.morlet, cy.morlet_par])
@given(n=st.integers(0, 300), seed=seeds)
def test_morlet(f, n, seed):
    x = vector(n, 1, seed) * 3
    np.testing.assert_allclose(f(x), np.cos(5 * x) * np.exp(-0.5 * x * x), rtol=1e-13, atol=1e-15)


@given(st.integers(0, 2000), steps, st.integers(1, 64), seeds)
def test_histogram_takes_any_strides(n, step, nbins, seed):
    x = vector(n, step, seed) * 3
    x[::7] = np.nan
    np.testing.assert_array_equal(cy.histogram(x, nbins, -4.0, 4.0), counts(x, nbins, -4.0, 4.0))


def test_the_checks_raise_valueerror():
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\], got 1.5"):
        cy.ewma(np.ones(3), 1.5)
    with pytest.raises(ValueError, match="nbins must be at least 1, got 0"):
        cy.histogram(np.ones(3), 0, 0.0, 1.0)
    with pytest.raises(ValueError, match="lo and hi must be finite"):
        cy.histogram(np.ones(3), 4, 1.0, 0.0)


@pytest.mark.parametrize("f", [cy.cube, cy.cube_par, cy.morlet, cy.morlet_par])
def test_a_contiguous_memoryview_refuses_a_strided_view(f):
    with pytest.raises(ValueError, match="ndarray is not C-contiguous"):
        f(np.ones(8)[::2])
    with pytest.raises(ValueError, match="ndarray is not C-contiguous"):
        cy.uniform_filter3(np.ones((4, 4), order="F"))


def test_another_dtype_is_a_valueerror_naming_it():
    with pytest.raises(ValueError, match="Buffer dtype mismatch, expected 'const double' but got 'long( long)?'"):
        cy.cube(np.arange(4))


def test_a_list_is_a_typeerror():
    with pytest.raises(TypeError, match="bytes-like object is required, not 'list'"):
        cy.cube([1.0, 2.0])


def test_none_passes_as_an_empty_memoryview():
    """A memoryview argument accepts None unless it says `not None`: these
    kernels then see zero elements, and return an empty result."""
    assert cy.cube(None).shape == (0,)
    assert cy.histogram(None, 3, 0.0, 1.0).tolist() == [0, 0, 0]


def test_an_array_no_machine_can_hold_is_a_numpy_error():
    with pytest.raises(ValueError, match="array is too big"):
        cy.histogram(np.ones(3), 2**62, 0.0, 1.0)
