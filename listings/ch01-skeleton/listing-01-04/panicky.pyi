import numpy as np
import numpy.typing as npt

__all__ = ["get_or_panic", "get"]

def get_or_panic(a: npt.NDArray[np.float64], i: int) -> float: ...
def get(a: npt.NDArray[np.float64], i: int) -> float: ...
