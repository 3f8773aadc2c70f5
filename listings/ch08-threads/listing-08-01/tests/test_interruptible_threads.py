"""Listing 8-1 from many threads at once (chapter 11, "Testing without a GIL").

A barrier releases every thread at the same moment, so that they all enter
the kernel together instead of one after the other as they happen to start;
each thread sums its own array and a view of one array they all share, and
every result must equal NumPy's. On a CPython with a GIL, the detached parts
run side by side; on a free-threaded CPython, all of it does.
"""

import threading

import numpy as np
import pytest

import interruptible

THREADS = 8
ROUNDS = 3


# ANCHOR: together
def together(work, threads=THREADS):
    """Run work(i) in `threads` threads that start it at the same moment;
    return the results in order, or raise the first thread's exception."""
    barrier = threading.Barrier(threads)
    results, errors = [None] * threads, []

    def run(i):
        try:
            barrier.wait()  # every thread waits here until all have arrived
            results[i] = work(i)
        except BaseException as e:  # noqa: BLE001 - handed to the test's thread
            errors.append(e)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return results


@pytest.mark.parametrize("name", ["total", "total_detached", "total_par"])
def test_many_threads_at_once_match_numpy(name):
    f = getattr(interruptible, name)
    shared = np.random.default_rng(8).random(2**21 + 5)
    own = [np.random.default_rng(i).random(2**20 + 3 * i) for i in range(THREADS)]

    def work(i):
        view = shared[i % 3 :: 1 + i % 2]  # strided views of one array
        return [(f(own[i]), f(view)) for _ in range(ROUNDS)]

    for i, rounds in enumerate(together(work)):
        view = shared[i % 3 :: 1 + i % 2]
        for mine, theirs in rounds:
            assert mine == pytest.approx(np.sum(own[i]), rel=1e-12, abs=0.0)
            assert theirs == pytest.approx(np.sum(view), rel=1e-12, abs=0.0)
# ANCHOR_END: together


def test_errors_in_every_thread_are_the_same_clear_exception():
    misaligned = np.frombuffer(bytes(80), dtype=np.float64, count=8, offset=1)

    def work(i):
        with pytest.raises(ValueError, match="not aligned"):
            interruptible.total_detached(misaligned)
        return interruptible.total_detached(np.ones(1000))

    assert together(work) == [1000.0] * THREADS
