"""Listing 6-1: memory allocated in Rust or C, handed to NumPy, freed exactly once."""

import gc

import numpy as np
import pytest

import ownership as o


def fresh():
    gc.collect()
    return o.live_bytes()


def test_vec_becomes_an_array_without_a_copy():
    a, address = o.vec_to_numpy(1000)
    assert a.ctypes.data == address
    np.testing.assert_array_equal(a, np.arange(1000.0))
    assert type(a.base).__name__ == "PySliceContainer"
    assert not a.flags.owndata and a.flags.writeable and a.flags.c_contiguous


def test_vec_is_freed_when_the_last_view_dies():
    o.vec_to_numpy(1)  # warm up: first calls allocate caches of their own
    before = fresh()
    a, _ = o.vec_to_numpy(1_000_000)
    assert fresh() - before == 8_000_000
    view = a[::2]
    del a
    assert fresh() - before == 8_000_000  # the view keeps the Vec alive
    view2 = view[10:]
    del view
    assert fresh() - before == 8_000_000
    del view2
    assert fresh() == before


def test_ndarray_array_is_handed_over_and_freed():
    o.array_to_numpy(1, 1)
    before = fresh()
    a = o.array_to_numpy(500, 200)
    assert a.shape == (500, 200) and a.flags.c_contiguous
    np.testing.assert_array_equal(a, np.arange(100_000.0).reshape(500, 200))
    assert fresh() - before == 800_000
    t = a.T
    del a
    assert fresh() - before == 800_000
    del t
    assert fresh() == before


def test_malloc_buffer_is_freed_by_the_capsule_exactly_once():
    start = o.freed_buffers()
    a = o.malloc_array(1000)
    np.testing.assert_array_equal(a, np.arange(1000.0))
    assert type(a.base).__name__ == "PyCapsule"
    view = a[100:200]
    del a
    gc.collect()
    assert o.freed_buffers() == start  # the view still needs the buffer
    assert view[0] == 100.0
    del view
    gc.collect()
    assert o.freed_buffers() == start + 1


def test_many_buffers_are_all_freed():
    start = o.freed_buffers()
    for _ in range(100):
        o.malloc_array(10)
    gc.collect()
    assert o.freed_buffers() == start + 100


def test_empty_arrays():
    a, _ = o.vec_to_numpy(0)
    assert a.shape == (0,)
    assert o.malloc_array(0).shape == (0,)
    assert o.array_to_numpy(0, 3).shape == (0, 3)


@pytest.mark.parametrize("f", [o.vec_to_numpy, o.malloc_array])
def test_huge_size_is_a_memory_error_not_an_abort(f):
    with pytest.raises(MemoryError, match="^cannot allocate 1152921504606846976 float64"):
        f(2**60)


@pytest.mark.parametrize("f", [o.vec_to_numpy, o.malloc_array])
@pytest.mark.parametrize("bad, exc", [(-1, OverflowError), (None, TypeError), (1.5, TypeError), ("3", TypeError)])
def test_bad_sizes(f, bad, exc):
    with pytest.raises(exc):
        f(bad)
