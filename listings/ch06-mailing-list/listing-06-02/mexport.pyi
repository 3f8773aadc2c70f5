import numpy as np
import numpy.typing as npt

__all__ = ["colcumsum", "accumarray"]

def colcumsum(a: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def accumarray(subs: npt.NDArray[np.int64], vals: npt.NDArray[np.float64], n: int | None = None) -> npt.NDArray[np.float64]: ...
