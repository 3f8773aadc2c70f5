"""Listing 9-3: `rgufunc.dot`, a generalized ufunc `(n),(n)->()`, against
np.einsum: broadcasting of the loop dimensions, core-dimension checks,
layouts, out=, dtypes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rgufunc import dot


def ref(a, b):
    return np.einsum("...i,...i->...", a, b)


def test_it_is_a_gufunc():
    assert isinstance(dot, np.ufunc)
    assert dot.signature == "(n),(n)->()"
    assert dot.types == ["ff->f", "dd->d"]
    assert (dot.nin, dot.nout) == (2, 1)


def test_values_and_broadcasting():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 1, 6)), rng.standard_normal((3, 6))
    got = dot(a, b)
    assert got.shape == (4, 3)
    np.testing.assert_allclose(got, ref(a, b), rtol=1e-13)


@pytest.mark.parametrize("view", [lambda x: x[:, ::-1], lambda x: x[::2, ::3], lambda x: np.asfortranarray(x), lambda x: x.T.copy().T],
                         ids=["reversed", "strided", "fortran", "transposed"])
def test_layouts(view):
    x = np.random.default_rng(1).standard_normal((6, 9))
    v = view(x)
    np.testing.assert_allclose(dot(v, v), ref(v, v), rtol=1e-13)
    np.testing.assert_array_equal(dot(v, v), dot(v.copy(), v.copy()))


def test_empty_core_dimension_is_zero_and_empty_loop_is_empty():
    assert dot(np.zeros(0), np.zeros(0)) == 0.0
    assert dot(np.zeros((0, 3)), np.zeros(3)).shape == (0,)


def test_dtypes_and_casting():
    f = np.ones(3, np.float32)
    assert dot(f, f).dtype == np.float32
    assert dot(f, np.ones(3)).dtype == np.float64  # promoted to the dd->d loop
    assert dot(np.arange(3), np.arange(3)) == 5.0  # int64 cast safely to float64
    with pytest.raises(TypeError, match=r"ufunc 'dot' not supported for the input types"):
        dot(np.ones(3, complex), np.ones(3))


def test_out():
    a = np.arange(6.0).reshape(2, 3)
    out = np.empty(2)
    assert dot(a, a, out=out) is out
    np.testing.assert_array_equal(out, [5.0, 50.0])


def test_core_dimension_errors():
    with pytest.raises(ValueError, match=r"dot: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature \(n\),\(n\)->\(\) \(size 4 is different from 3\)"):
        dot(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"dot: Input operand 0 does not have enough dimensions \(has 0, gufunc core with signature \(n\),\(n\)->\(\) requires 1\)"):
        dot(1.0, np.ones(3))


def test_what_a_gufunc_does_not_have():
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'where'"):
        dot(np.ones(3), np.ones(3), where=True)
    with pytest.raises(RuntimeError, match="Reduction not defined on ufunc with signature"):
        dot.reduce(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="Reduction not defined on ufunc with signature"):
        dot.accumulate(np.ones((2, 3)))


@settings(max_examples=100, deadline=None)
@given(hnp.mutually_broadcastable_shapes(signature="(n),(n)->()", max_dims=3, max_side=6),
       st.sampled_from([np.float32, np.float64]), st.data())
def test_property_matches_einsum(shapes, dtype, data):
    sa, sb = shapes.input_shapes
    el = st.floats(-10, 10, width=np.dtype(dtype).itemsize * 8)
    a = data.draw(hnp.arrays(dtype, sa, elements=el))
    b = data.draw(hnp.arrays(dtype, sb, elements=el))
    got = dot(a, b)
    assert got.shape == shapes.result_shape and got.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, ref(a, b), rtol=tol, atol=tol * 100 * max(1, a.shape[-1]))
