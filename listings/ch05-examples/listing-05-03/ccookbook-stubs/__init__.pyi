from typing import Literal

import numpy as np
import numpy.typing as npt

def cube(a: npt.NDArray[np.float64], /) -> npt.NDArray[np.float64]: ...
def cube_into(a: npt.NDArray[np.float64], out: npt.NDArray[np.float64], /) -> None: ...
def cube_inplace(a: npt.NDArray[np.float64], /) -> None: ...
def row_sums(m: npt.NDArray[np.float64], /) -> npt.NDArray[np.float64]: ...
def uniform_filter(
    a: npt.NDArray[np.float64],
    size: int = 3,
    mode: Literal["reflect", "mirror", "nearest", "constant"] = "reflect",
    cval: float = 0.0,
) -> npt.NDArray[np.float64]: ...

# Private: chapter 7's tests and benchmark force the baseline path with it.
def _uniform_filter_baseline(
    a: npt.NDArray[np.float64],
    size: int = 3,
    mode: Literal["reflect", "mirror", "nearest", "constant"] = "reflect",
    cval: float = 0.0,
) -> npt.NDArray[np.float64]: ...
