"""Listing 9-2: `clogit.logit`, NumPy's tutorial ufunc in C, against
scipy.special.logit, and bit for bit against its Rust twin (listing 9-1):
both call the C library's log and logf."""

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rlogit
from clogit import logit

ATOL = {np.dtype(np.float32): 4 * 2.0**-23, np.dtype(np.float64): 4 * 2.0**-52}


@pytest.fixture(autouse=True)
def quiet():
    with np.errstate(all="ignore"):
        yield


def test_the_same_ufunc_as_the_rust_twin():
    assert isinstance(logit, np.ufunc)
    assert logit.types == rlogit.logit.types == ["f->f", "d->d"]
    assert logit.identity is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values(dtype):
    p = np.linspace(0, 1, 1001, dtype=dtype)
    got = logit(p)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, scipy.special.logit(p), rtol=2e-6, atol=ATOL[np.dtype(dtype)])


def test_out_where_and_strides():
    p = np.linspace(0.05, 0.95, 19)
    out = np.full(19, 9.0)
    logit(p[::-1], out=out, where=p > 0.5)
    np.testing.assert_array_equal(out[p > 0.5], logit(p[::-1])[p > 0.5])
    assert (out[p <= 0.5] == 9.0).all()


def test_unsupported_dtype():
    with pytest.raises(TypeError, match=r"^ufunc 'logit' not supported for the input types"):
        logit(np.ones(2, complex))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([np.float32, np.float64]).flatmap(
    lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
                         elements=st.floats(-0.5, 1.5, width=np.dtype(d).itemsize * 8))))
def test_property_bit_for_bit_equal_to_the_rust_twin(p):
    for view in (p, p[::-1] if p.ndim else p):
        np.testing.assert_array_equal(logit(view), rlogit.logit(view))
