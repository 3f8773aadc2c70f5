"""Listing 9-1: `rlogit.logit`, a ufunc with Rust inner loops, against
scipy.special.logit and NumPy's own expression, through every part of
NumPy's ufunc machinery that a real ufunc gets for free."""

import threading

import os

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rlogit import logit

NO_LOOP = (
    "ufunc 'logit' not supported for the input types, and the inputs could not be "
    "safely coerced to any supported types according to the casting rule ''safe''"
)
RTOL = {np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-14}
# Near p = 1/2, log(p / (1 - p)) loses relative accuracy (p / (1 - p) is
# rounded to a number near 1, whose log is near 0): scipy's logit is more
# careful there. What stays small is the absolute error, a few ulp of 1.
ATOL = {np.dtype(np.float32): 4 * 2.0**-23, np.dtype(np.float64): 4 * 2.0**-52}


def expected(p):
    with np.errstate(all="ignore"):
        return scipy.special.logit(p)


def check(got, p):
    p = np.asarray(p)
    assert got.dtype == p.dtype
    np.testing.assert_allclose(got, expected(p), rtol=RTOL[p.dtype], atol=ATOL[p.dtype], equal_nan=True)


@pytest.fixture(autouse=True)
def quiet():
    with np.errstate(all="ignore"):
        yield


def test_it_is_a_ufunc_with_two_loops():
    assert isinstance(logit, np.ufunc)
    assert logit.__name__ == "logit"
    assert (logit.nin, logit.nout, logit.ntypes) == (1, 1, 2)
    assert logit.types == ["f->f", "d->d"]
    assert logit.signature is None
    assert logit.identity is None
    assert logit.__doc__.splitlines()[-1].startswith("logit(p) = log(p / (1 - p))")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_match_scipy(dtype):
    p = np.linspace(0, 1, 1001, dtype=dtype)
    got = logit(p)
    check(got, p)
    assert got[0] == -np.inf and got[-1] == np.inf and got[500] == 0


def test_values_match_numpys_expression():
    p = np.random.default_rng(1).random(10_000)
    np.testing.assert_allclose(logit(p), np.log(p / (1 - p)), rtol=1e-15)


def test_outside_zero_one_is_nan_as_in_scipy():
    p = np.array([-0.5, 1.5, np.nan, -np.inf, np.inf])
    assert np.isnan(logit(p)).all()
    assert np.isnan(scipy.special.logit(p)).all()


@pytest.mark.skipif(os.environ.get("BOOK_UNDER_VALGRIND") == "1",
                    reason="valgrind sets no floating-point exception flags, which NumPy reads to warn")
def test_zero_and_one_warn_like_numpy():
    with np.errstate(divide="warn"), pytest.warns(RuntimeWarning, match="divide by zero encountered in logit"):
        logit(np.array([0.0, 1.0]))
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError, match="divide by zero encountered in logit"):
        logit(np.array([1.0]))


# ------------------------------------------------------------ layouts and shapes


@pytest.mark.parametrize(
    "view",
    [
        lambda a: a[::3],  # strided
        lambda a: a[::-1],  # negative stride
        lambda a: a[::-7],
        lambda a: a.reshape(20, 50).T,  # Fortran order
        lambda a: a.reshape(20, 50)[::-2, 5:40:3],
        lambda a: np.broadcast_to(a[:50], (4, 50)),  # zero stride
    ],
    ids=["strided", "reversed", "reversed-7", "fortran", "2d-mixed", "broadcast"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_any_layout_equals_the_contiguous_copy(view, dtype):
    p = view(np.random.default_rng(2).random(1000).astype(dtype))
    got = logit(p)
    assert np.array_equal(got, logit(np.ascontiguousarray(p)))
    check(got, p)


def test_misaligned_input():
    buf = bytearray(8 * 100 + 1)
    p = np.frombuffer(buf, np.float64, count=100, offset=1)
    assert not p.flags.aligned
    p[...] = np.linspace(0.01, 0.99, 100)
    np.testing.assert_array_equal(logit(p), logit(p.copy()))


@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (0, 4, 2)])
def test_zero_d_and_empty(shape):
    p = np.full(shape, 0.25)
    got = logit(p)
    assert got.shape == shape
    check(got, p)


def test_python_scalars_and_lists():
    assert logit(0.25) == pytest.approx(np.log(1 / 3), rel=1e-15)
    assert isinstance(logit(0.25), np.float64)
    check(logit([0.1, 0.2]), np.array([0.1, 0.2]))


# ------------------------------------------------------------ out=, where=, in place


def test_out_is_written_and_returned():
    p = np.linspace(0.1, 0.9, 9)
    out = np.empty(9)
    assert logit(p, out=out) is out
    check(out, p)
    assert logit(p, out=(out,)) is out


def test_input_broadcasts_to_out():
    row = np.linspace(0.1, 0.9, 5)
    out = np.zeros((3, 5))
    logit(row, out=out)
    np.testing.assert_array_equal(out, np.tile(logit(row), (3, 1)))


def test_out_of_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"operands could not be broadcast together with shapes \(4,\) \(3,\)"):
        logit(np.full(4, 0.5), out=np.empty(3))


def test_in_place_and_overlapping():
    p = np.linspace(0.1, 0.9, 9)
    want = logit(p)
    q = p.copy()
    assert logit(q, out=q) is q
    np.testing.assert_array_equal(q, want)
    # The output overlaps the input shifted by one: NumPy notices and copies.
    buf = np.concatenate([[0.0], p])
    logit(buf[1:], out=buf[:-1])
    np.testing.assert_array_equal(buf[:-1], want)


def test_where_keeps_the_other_elements():
    p = np.linspace(0.1, 0.9, 9)
    mask = p > 0.5
    out = np.full(9, 42.0)
    logit(p, out=out, where=mask)
    np.testing.assert_array_equal(out[mask], logit(p[mask]))
    assert (out[~mask] == 42.0).all()


def test_at_applies_in_place_at_indices():
    p = np.array([0.25, 0.5, 0.75])
    logit.at(p, [0, 2])
    np.testing.assert_allclose(p, [np.log(1 / 3), 0.5, np.log(3)], rtol=1e-15)


# ------------------------------------------------------------ dtypes and casting


@pytest.mark.parametrize(
    "dtype, loop",
    [(np.float16, np.float32), (np.int8, np.float32), (np.uint16, np.float32),
     (np.int32, np.float64), (np.int64, np.float64), (np.bool_, np.float32)],
)
def test_inputs_are_cast_safely_to_the_first_loop_that_takes_them(dtype, loop):
    p = np.array([0, 1], dtype=dtype)
    got = logit(p)
    assert got.dtype == loop
    np.testing.assert_array_equal(got, [-np.inf, np.inf])


def test_dtype_picks_the_loop():
    p = np.array([0.25, 0.75])
    got = logit(p, dtype=np.float32)  # float64 -> float32 is a same_kind cast
    assert got.dtype == np.float32
    check(got, p.astype(np.float32))
    with pytest.raises(TypeError, match=r"Cannot cast ufunc 'logit' input from dtype\('float64'\) to dtype\('float32'\) with casting rule 'safe'"):
        logit(p, dtype=np.float32, casting="safe")
    assert logit(p.astype(np.float32), dtype=np.float64).dtype == np.float64


def test_output_casting_rules():
    p = np.array([0.25, 0.75])
    out32 = np.empty(2, np.float32)
    logit(p, out=out32)  # float64 result into float32: same_kind, allowed
    check(out32, p.astype(np.float32))
    with pytest.raises(TypeError, match=r"Cannot cast ufunc 'logit' output from dtype\('float64'\) to dtype\('int64'\) with casting rule 'same_kind'"):
        logit(p, out=np.empty(2, np.int64))
    with pytest.raises(TypeError, match=r"Cannot cast ufunc 'logit' output from dtype\('float64'\) to dtype\('float32'\) with casting rule 'safe'"):
        logit(p, out=out32, casting="safe")


@pytest.mark.parametrize(
    "bad",
    [np.array([0.5 + 0j]), np.array([0.5], dtype=object), np.array(["a"]), None,
     np.array([0.5], dtype=np.longdouble)],
    ids=["complex", "object", "str", "None", "longdouble"],
)
def test_unsupported_dtype_is_numpys_type_error(bad):
    with pytest.raises(TypeError) as info:
        logit(bad)
    assert str(info.value) == NO_LOOP
    assert type(info.value) is TypeError  # NumPy's own, not a subclass raised by the loop


# ------------------------------------------------------------ the ufunc methods


@pytest.mark.parametrize("method", ["reduce", "accumulate", "reduceat", "outer"])
def test_binary_only_methods_are_refused(method):
    args = {"reduceat": (np.arange(3.0), [0, 1]), "outer": (np.arange(3.0), np.arange(2.0))}
    with pytest.raises(ValueError, match=r"only supported for binary functions"):
        getattr(logit, method)(*args.get(method, (np.arange(3.0),)))


# ------------------------------------------------------------ threads


def test_concurrent_calls_from_threads():
    rng = np.random.default_rng(3)
    inputs = [rng.random(100_000) for _ in range(8)]
    results = [None] * 8

    def work(i):
        results[i] = logit(inputs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p, got in zip(inputs, results):
        np.testing.assert_array_equal(got, logit(p))


# ------------------------------------------------------------ properties


@st.composite
def arrays_and_views(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    a = draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7),
                        elements=st.floats(0, 1, width=np.dtype(dtype).itemsize * 8)))
    index = tuple(slice(None, None, draw(st.sampled_from([1, 2, -1, -2]))) for _ in range(a.ndim))
    return a[index]


@settings(max_examples=150, deadline=None)
@given(arrays_and_views())
def test_property_matches_scipy_for_any_shape_dtype_and_layout(p):
    got = logit(p)
    assert got.shape == p.shape
    check(got, p)
    out = np.empty_like(p)
    logit(p, out=out)
    np.testing.assert_array_equal(out, got)


@settings(max_examples=60, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=5),
       st.sampled_from([np.float32, np.float64]))
def test_property_input_broadcasts_into_out(shapes, dtype):
    in_shape, out_shape = shapes.input_shapes
    p = np.full(in_shape, 0.3, dtype)
    full = shapes.result_shape
    out = np.empty(full, dtype)
    logit(p, out=out)
    np.testing.assert_array_equal(out, np.broadcast_to(logit(p), full))
