"""Listing 8-2: `shared_state`: borrows across threads, pyo3's borrow of a
`&mut self`, a Mutex in a frozen class, a PyOnceLock cache."""

import os
import threading
import time

import numpy as np
import pytest

import shared_state as s

# The two-thread tests make one thread wait (detached) while the other acts
# 0.2 s later; valgrind runs one thread at a time, so they may not overlap.
overlapping = pytest.mark.skipif(os.environ.get("BOOK_UNDER_VALGRIND") == "1",
                                 reason="valgrind runs one thread at a time: the calls may not overlap")


def in_background(f):
    """Start f() in a thread; return the thread and a dict for its result."""
    box = {}

    def run():
        try:
            box["value"] = f()
        except BaseException as e:  # noqa: BLE001
            box["error"] = e

    t = threading.Thread(target=run)
    t.start()
    return t, box


@overlapping
def test_a_write_during_a_read_in_another_thread_is_refused():
    a = np.ones(10)
    t, box = in_background(lambda: s.hold(a, 1.0))  # a shared borrow for 1 s
    time.sleep(0.2)
    with pytest.raises(TypeError) as info:
        s.fill(a, 2.0)  # an exclusive borrow: refused
    assert str(info.value) == "The given array is already borrowed"
    np.testing.assert_array_equal(a, np.ones(10))  # fill never wrote
    a[0] = 5.0  # Python's own write is not checked: it goes through
    t.join()
    assert box == {"value": 14.0}  # and hold, reading after its wait, saw it
    s.fill(a, 2.0)  # once the read is over, the write goes through
    np.testing.assert_array_equal(a, np.full(10, 2.0))


@overlapping
def test_two_reads_in_two_threads_are_fine():
    a = np.ones(10)
    t, box = in_background(lambda: s.hold(a, 1.0))
    time.sleep(0.2)
    assert s.hold(a, 0.0) == 10.0
    t.join()
    assert box == {"value": 10.0}


@overlapping
def test_counter_refuses_a_second_mutable_borrow_from_another_thread():
    c = s.Counter()
    t, box = in_background(lambda: c.add_slowly(1, 1.0))
    time.sleep(0.2)
    with pytest.raises(RuntimeError) as info:
        c.add_slowly(2, 0.0)
    assert str(info.value) == "Already borrowed"
    t.join()
    assert box == {"value": 1}
    assert c.count == 1


def test_tally_adds_from_many_threads_exactly():
    t = s.Tally()
    chunks = [np.full(1000, float(i)) for i in range(8)]
    threads = [threading.Thread(target=lambda c=c: [t.add(c) for _ in range(50)]) for c in chunks]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert t.totals() == (8 * 50 * 1000, 50 * 1000 * sum(range(8)))


def test_bad_input():
    with pytest.raises(TypeError, match="type mismatch"):
        s.Tally().add(np.arange(3))
    with pytest.raises(ValueError, match="not aligned"):
        s.Tally().add(np.frombuffer(bytes(80), dtype=np.float64, count=8, offset=1))
    with pytest.raises(ValueError, match="n must be between 0 and 1000, got -1"):
        s.Counter().add_slowly(-1, 0.0)
    assert s.Counter().add_slowly(1000, 0.0) == 1000
    with pytest.raises(ValueError, match="n must be between 0 and 1000, got 1001"):
        s.Counter().add_slowly(1001, 0.0)
    assert s.Tally().add(np.arange(4.0)) == 6.0
    with pytest.raises(ValueError, match="seconds must be between 0 and 60, got -1"):
        s.hold(np.ones(3), -1.0)
    with pytest.raises(ValueError, match="seconds must be between 0 and 60, got NaN"):
        s.Counter().add_slowly(1, float("nan"))
    with pytest.raises(TypeError, match="not writeable"):
        s.fill(np.broadcast_to(1.0, 3), 0.0)


def test_numpy_version_is_numpys():
    assert s.numpy_version() == np.__version__
    assert s.numpy_version() == np.__version__  # the second call reads the cache
