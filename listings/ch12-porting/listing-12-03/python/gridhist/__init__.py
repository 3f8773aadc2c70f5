"""Counts of points on regular grids, fast.

histogram(x, bins, range, weights=None) counts the values of x in equal
bins; histogramdd(coords, bins, range, weights=None) counts points on a
grid of equal cells. The counting is done by the compiled core, _core.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._core import _hist1d, _histdd

__all__ = ["histogram", "histogramdd"]


def histogram(
    x: npt.ArrayLike,
    bins: int,
    range: tuple[float, float],
    weights: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64]:
    """The number of values of `x` in each of `bins` equal bins over
    `range` = (lo, hi), or the sum of their `weights`.

    A value v is counted when lo <= v < hi: NaN and values outside the
    range are left out. x and weights broadcast together; any dtype that
    NumPy casts safely to float64 is accepted. Returns float64 counts.
    """
    lo, hi = range
    return _hist1d(x, weights, bins, lo, hi)


def histogramdd(
    coords: Sequence[npt.ArrayLike],
    bins: int,
    range: tuple[float, float],
    weights: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64]:
    """Counts of the points (coords[0][i], coords[1][i], ...) on a grid of
    `bins` cells a side over `range` = (lo, hi) on every axis, or the sum
    of their `weights`: an array of shape (bins,) * len(coords).

    A point is counted when every coordinate v has lo <= v < hi.
    """
    lo, hi = range
    return _histdd(coords, weights, bins, lo, hi)
