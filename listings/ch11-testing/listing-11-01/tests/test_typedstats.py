"""Listing 11-1: `typedstats`."""

import numpy as np
import pytest

import typedstats


def test_total_matches_numpy():
    a = np.linspace(-1.0, 3.0, 101)
    assert typedstats.total(a) == pytest.approx(np.sum(a), rel=1e-14)


def test_total_of_empty_is_zero():
    assert typedstats.total(np.array([], dtype=np.float64)) == 0.0


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.arange(3), "type mismatch:\n from=int64, to=float64"),
        (np.zeros((2, 2)), "dimensionality mismatch:\n from=2, to=1"),
        ([1.0], "'list' object is not an instance of 'ndarray'"),
    ],
)
def test_bad_input(bad, message):
    with pytest.raises(TypeError) as info:
        typedstats.total(bad)
    assert str(info.value) == message
