import numpy as np
import numpy.typing as npt

__all__ = ["moving_mean"]

def moving_mean(a: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.float64]: ...
