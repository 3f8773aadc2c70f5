"""Listing 8-1: `interruptible`. (That each function raises KeyboardInterrupt
within a second of SIGINT on a huge input is ci/tests/test_interrupt.py's job.)"""

import numpy as np
import pytest

import interruptible

SUMS = [interruptible.total, interruptible.total_unchecked, interruptible.total_detached,
        interruptible.total_par, lambda a: interruptible.total_par(a, threads=3)]


@pytest.mark.parametrize("f", SUMS)
@pytest.mark.parametrize("n", [0, 1, 1000, 2**20 + 7, 3 * 2**20])
def test_sums_match_numpy(f, n):
    a = np.random.default_rng(n).random(n)
    assert f(a) == pytest.approx(np.sum(a), rel=1e-12, abs=0.0)
    assert f(a[::-2]) == pytest.approx(np.sum(a[::-2]), rel=1e-12, abs=0.0)


@pytest.mark.parametrize("f", SUMS)
def test_bad_input(f):
    with pytest.raises(TypeError, match="type mismatch"):
        f(np.arange(3))
    misaligned = np.frombuffer(bytes(80), dtype=np.float64, count=8, offset=1)
    with pytest.raises(ValueError, match="not aligned"):
        f(misaligned)


def test_zero_threads_is_refused():
    for threads in (0, 257):
        with pytest.raises(ValueError, match=f"threads must be between 1 and 256, got {threads}"):
            interruptible.total_par(np.ones(3), threads=threads)
