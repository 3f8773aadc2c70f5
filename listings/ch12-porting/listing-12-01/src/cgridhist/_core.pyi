# The compiled core's stub: positional-only arguments, as the C's METH_VARARGS takes them.
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

def _hist1d(
    x: npt.ArrayLike, weights: npt.ArrayLike | None, bins: int, lo: float, hi: float, /
) -> npt.NDArray[np.float64]: ...
def _histdd(
    coords: Sequence[npt.ArrayLike], weights: npt.ArrayLike | None, bins: int, lo: float, hi: float, /
) -> npt.NDArray[np.float64]: ...
