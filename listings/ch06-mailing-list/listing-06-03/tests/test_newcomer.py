"""Listing 6-3: the newcomer's errors, each with its real message and its fix."""

import numpy as np
import pytest

import newcomer as n


def error_of(f, *args):
    with pytest.raises(Exception) as info:
        f(*args)
    return type(info.value), str(info.value), getattr(info.value, "__notes__", None)


def test_dtype_mismatch_message():
    assert error_of(n.total_f64, np.arange(4)) == (
        TypeError, "type mismatch:\n from=int64, to=float64", ["while processing 'a'"])


def test_allow_type_change_accepts_ints_lists_and_float32():
    assert n.total_any(np.arange(4)) == 6.0
    assert n.total_any([1, 2.5]) == 3.5
    assert n.total_any(np.ones(3, dtype=np.float32)) == 3.0
    assert n.total_any(np.arange(10.0)[::3]) == 18.0


@pytest.mark.parametrize(
    "bad, exc, message",
    [
        ("x", ValueError, "could not convert string to float: 'x'"),
        (np.zeros((2, 2)), TypeError, "dimensionality mismatch:\n from=2, to=1"),
        (3.0, TypeError, "dimensionality mismatch:\n from=0, to=1"),
        (None, TypeError, "dimensionality mismatch:\n from=0, to=1"),
    ],
)
def test_allow_type_change_still_rejects_what_cannot_convert(bad, exc, message):
    t, msg, _ = error_of(n.total_any, bad)
    assert (t, msg) == (exc, message)


def test_as_slice_on_a_strided_view():
    a = np.arange(6.0)
    assert n.first_and_last(a) == (0.0, 5.0)
    assert error_of(n.first_and_last, a[::2])[:2] == (
        TypeError, "The given array is not contiguous or is misaligned.")
    assert n.first_and_last_strided(a[::2]) == (0.0, 4.0)
    assert n.first_and_last_strided(a[::-1]) == (5.0, 0.0)


def test_as_slice_on_misaligned_data():
    odd = np.frombuffer(bytes(1) + np.arange(3.0).tobytes(), dtype=np.float64, offset=1)
    assert error_of(n.first_and_last, odd)[:2] == (TypeError, "The given array is not contiguous or is misaligned.")
    assert error_of(n.first_and_last_strided, odd)[:2] == (ValueError, "array data is not aligned for float64")


def test_empty():
    empty = np.array([], dtype=np.float64)
    assert error_of(n.first_and_last, empty)[:2] == (ValueError, "empty array")
    assert error_of(n.first_and_last_strided, empty)[:2] == (ValueError, "empty array")
    assert n.total_f64(empty) == 0.0


def test_same_array_twice_is_refused_and_left_unchanged():
    a = np.arange(4.0)
    assert error_of(n.add_into, a, a) == (
        TypeError, "The given array is already borrowed", ["while processing 'dst'"])
    np.testing.assert_array_equal(a, np.arange(4.0))
    # Overlapping views of one buffer are refused too...
    assert error_of(n.add_into, a[:-1], a[1:])[1] == "The given array is already borrowed"
    # ...but disjoint views of the same buffer are fine.
    n.add_into(a[:2], a[2:])
    np.testing.assert_array_equal(a, [0.0, 1.0, 2.0, 4.0])


def test_the_in_place_fix():
    a = np.arange(4.0)
    n.double_in_place(a)
    np.testing.assert_array_equal(a, [0.0, 2.0, 4.0, 6.0])
    v = np.arange(6.0)
    n.double_in_place(v[::2])
    np.testing.assert_array_equal(v, [0.0, 1.0, 4.0, 3.0, 8.0, 5.0])


def test_read_only_array_to_an_in_place_function():
    ro = np.ones(3)
    ro.flags.writeable = False
    assert error_of(n.double_in_place, ro) == (
        TypeError, "The given array is not writeable", ["while processing 'a'"])
    np.testing.assert_array_equal(ro, np.ones(3))


def test_add_into_checks_lengths():
    assert error_of(n.add_into, np.ones(2), np.ones(3))[:2] == (ValueError, "src and dst differ in length")
