"""Listing 13-5: the C twins against NumPy, and their errors."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ckernels as ck

settings.register_profile("ckernels", max_examples=40, deadline=None)
settings.load_profile("ckernels")

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
    np.testing.assert_allclose(ck.ewma(x, alpha), ewma_loop(x, alpha), rtol=1e-12, atol=1e-14)


@given(st.integers(0, 300), steps, seeds)
def test_morlet(n, step, seed):
    x = vector(n, step, seed) * 3
    np.testing.assert_allclose(ck.morlet(x), np.cos(5 * x) * np.exp(-0.5 * x * x), rtol=1e-13, atol=1e-15)


@given(st.integers(0, 2000), steps, st.integers(1, 64), seeds)
def test_histogram(n, step, nbins, seed):
    x = vector(n, step, seed) * 3
    x[::7] = np.nan
    np.testing.assert_array_equal(ck.histogram(x, nbins, -4.0, 4.0), counts(x, nbins, -4.0, 4.0))


def test_the_checks_raise_valueerror():
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\], got 1.5"):
        ck.ewma(np.ones(3), 1.5)
    with pytest.raises(ValueError, match="nbins must be at least 1, got 0"):
        ck.histogram(np.ones(3), 0, 0.0, 1.0)
    with pytest.raises(ValueError, match="lo and hi must be finite, with lo < hi, got 1.0 and 0.0"):
        ck.histogram(np.ones(3), 4, 1.0, 0.0)


@pytest.mark.parametrize("f", [ck.morlet, ck.histogram.__call__])
def test_another_dtype_is_a_typeerror(f):
    with pytest.raises(TypeError, match="expected a (1-D )?float64 NumPy array"):
        if f is ck.morlet:
            f(np.arange(4))
        else:
            ck.histogram(np.arange(4), 3, 0.0, 1.0)


def test_a_misaligned_array_is_copied_or_refused():
    m = np.frombuffer(bytearray(33), np.float64, count=4, offset=1)
    np.testing.assert_array_equal(ck.morlet(m), np.ones(4) * 0 + ck.morlet(np.zeros(4)))
    with pytest.raises(ValueError, match="not aligned"):
        ck.histogram(m, 3, 0.0, 1.0)


def test_no_machine_has_the_memory_for_these():
    with pytest.raises(MemoryError):
        ck.ewma(np.broadcast_to(1.0, (2**40,)), 0.5)
    with pytest.raises((MemoryError, ValueError)):
        ck.histogram(np.ones(3), 2**61, 0.0, 1.0)
