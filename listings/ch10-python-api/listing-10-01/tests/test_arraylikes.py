"""Listing 10-1: `arraylikes`, against NumPy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import arraylikes as al

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64", "complex64", "complex128"]


# ---------------------------------------------------------------- array-likes


def test_a_float64_array_is_read_in_place_by_both():
    a = np.linspace(0.0, 1.0, 5)
    assert np.shares_memory(a, al.as_float64(a))
    assert np.shares_memory(a, al.as_float64_strict(a))


@pytest.mark.parametrize("a", [np.arange(4), np.arange(4, dtype=np.float32), [0, 1, 2, 3], (0, 1.0, 2, 3)])
def test_allow_type_change_copies_what_is_not_float64(a):
    got = al.as_float64(a)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.asarray(a, dtype=np.float64))
    if isinstance(a, np.ndarray):
        assert not np.shares_memory(a, got)


@pytest.mark.parametrize("dtype", ["int64", "float32", "complex128", "bool"])
def test_type_must_match_refuses_other_arrays(dtype):
    with pytest.raises(TypeError, match=f"^type mismatch:\n from={dtype}, to=float64"):
        al.as_float64_strict(np.zeros(3, dtype))


def test_type_must_match_still_converts_a_list():
    np.testing.assert_array_equal(al.as_float64_strict([1, 2.5]), [1.0, 2.5])
    # ... even of strings: a list is not an ndarray, so NumPy casts it.
    np.testing.assert_array_equal(al.as_float64_strict(["1.5"]), [1.5])


def test_allow_type_change_drops_the_imaginary_part_with_numpys_warning():
    with pytest.warns(np.exceptions.ComplexWarning):
        np.testing.assert_array_equal(al.as_float64(np.array([1 + 2j])), [1.0])


@pytest.mark.parametrize("bad, exc, message", [
    (None, TypeError, "dimensionality mismatch:\n from=0, to=1"),  # np.asarray(None, float) is NaN
    (np.zeros((2, 2)), TypeError, "dimensionality mismatch:\n from=2, to=1"),
    (["x"], ValueError, "could not convert string to float: 'x'"),
    (3.0, TypeError, "dimensionality mismatch:\n from=0, to=1"),
])
def test_as_float64_refuses(bad, exc, message):
    with pytest.raises(exc) as info:
        al.as_float64(bad)
    assert message in str(info.value)


# ---------------------------------------------------------------- hypot: scalars and broadcasting


def test_scalars_and_0d_arrays_give_a_numpy_scalar_like_np_hypot():
    for a, b in [(3, 4), (3.0, np.array(4.0)), (np.array(3), 4.0), (True, 0)]:
        got, expected = al.hypot(a, b), np.hypot(a, b)
        assert type(got) is type(expected) is np.float64
        assert got == expected


def test_scalar_with_array_broadcasts():
    np.testing.assert_array_equal(al.hypot(3.0, np.array([4.0, 0.0])), [5.0, 3.0])


shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4)


@settings(max_examples=200, deadline=None)
@given(shapes.flatmap(lambda s: st.tuples(
    st.just(s.result_shape),
    hnp.arrays(np.float64, s.input_shapes[0], elements=st.floats(-1e6, 1e6)),
    hnp.arrays(np.float64, s.input_shapes[1], elements=st.floats(-1e6, 1e6)))))
def test_hypot_broadcasts_like_numpy(case):
    shape, a, b = case
    got, expected = al.hypot(a, b), np.hypot(a, b)
    assert np.shape(got) == shape
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_hypot_reads_views_in_place():
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(al.hypot(a.T, a[:, ::-1].T), np.hypot(a.T, a[:, ::-1].T))


@pytest.mark.parametrize("a, b, message", [
    (np.ones((2, 3)), np.ones(2), "operands could not be broadcast together with shapes (2, 3) (2,)"),
    (np.ones((4, 1)), np.ones((3, 2)), "shapes (4, 1) (3, 2)"),
])
def test_shapes_that_do_not_broadcast(a, b, message):
    with pytest.raises(ValueError) as info:
        al.hypot(a, b)
    assert message in str(info.value)
    with pytest.raises(ValueError, match="could not be broadcast"):
        np.hypot(a, b)


@pytest.mark.parametrize("bad, message", [
    (None, "expected an array-like, got None"),
    ("1.5", "expected real numbers, got str (dtype <U3)"),
    ([1j], "expected real numbers, got list (dtype complex128)"),
    (np.array([1j]), "expected real numbers, got ndarray (dtype complex128)"),
    (np.zeros(2, "M8[s]"), "expected real numbers, got ndarray (dtype datetime64[s])"),
])
def test_hypot_takes_real_numbers_only(bad, message):
    # AllowTypeChange alone would read None as NaN, parse "1.5" and drop 1j.
    assert np.isnan(al.as_float64([None])[0])
    with pytest.raises(TypeError) as info:
        al.hypot(bad, 1.0)
    assert str(info.value) == message
    with pytest.raises(TypeError) as info:
        al.hypot(1.0, bad)
    assert str(info.value) == message


def test_an_output_that_cannot_be_allocated_is_a_memory_error():
    huge = np.broadcast_to(np.zeros(1), (2**40,))
    with pytest.raises(MemoryError):
        al.hypot(huge, 1.0)


def test_misaligned_data_is_refused():
    buf = bytearray(8 * 3 + 1)
    a = np.frombuffer(buf, np.float64, count=3, offset=1)
    with pytest.raises(ValueError, match="not aligned"):
        al.hypot(a, 1.0)


# ---------------------------------------------------------------- square: dtype dispatch


def values(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        part = st.floats(-1e3, 1e3, width=dtype.itemsize * 4)
        return st.builds(complex, part, part)
    if dtype.kind == "f":
        return st.floats(-200, 200, width=dtype.itemsize * 8)
    return hnp.from_dtype(dtype)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DTYPES).flatmap(lambda d: hnp.arrays(
    d, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), elements=values(d))))
def test_square_matches_numpy_for_every_supported_dtype(a):
    with np.errstate(over="ignore"):
        expected = a * a
    got = al.square(a)
    assert got.dtype == expected.dtype
    assert np.shape(got) == a.shape
    if a.dtype.kind == "c":
        # NumPy's complex loop may use fused multiply-adds: the last bit can differ.
        eps = np.finfo(a.dtype).eps
        assert np.all(np.abs(got - expected) <= 4 * eps * np.abs(a) ** 2)
    else:
        # Bit for bit: wrapping integers, logical and, float16 rounded once.
        assert np.array_equal(got, expected, equal_nan=True)


def test_square_keeps_numpy_scalars_and_converts_lists():
    assert type(al.square(np.float32(3))) is np.float32
    assert al.square(np.float16(3)) == np.float16(9) and type(al.square(np.float16(3))) is np.float16
    got = al.square([[1, 2], [3, 4]])
    assert got.dtype == np.array([1]).dtype
    np.testing.assert_array_equal(got, [[1, 4], [9, 16]])
    np.testing.assert_array_equal(al.square([1j, 2]), [-1, 4])


@pytest.mark.parametrize("bad, shown", [
    (np.array(["a"]), "<U1"),
    (np.array([None]), "object"),
    (np.zeros(2, ">f8"), ">f8"),
    (np.zeros(2, "M8[s]"), "datetime64[s]"),
    (np.zeros(2, "longdouble"), "float128"),
])
def test_square_names_the_dtype_and_what_is_supported(bad, shown):
    with pytest.raises(TypeError) as info:
        al.square(bad)
    assert str(info.value) == (
        f"square: unsupported dtype {shown}; supported: {', '.join(DTYPES)} (in native byte order)")


def test_square_of_a_read_only_array():
    a = np.arange(4.0)
    a.flags.writeable = False
    np.testing.assert_array_equal(al.square(a), a * a)


def test_none_is_not_an_array_like_here():
    with pytest.raises(TypeError, match="^expected an array-like, got None$"):
        al.square(None)
