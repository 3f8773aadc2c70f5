import numpy as np
import numpy.typing as npt

__all__ = ["logit_array", "log_odds_ratio"]

def logit_array(p: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
def log_odds_ratio(p: npt.ArrayLike, q: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
