import numpy as np
import cgridhist, gridhist
def error(f, *args, **kwargs):  # hide
    try:
        f(*args, **kwargs)
    except Exception as e:
        return f"{type(e).__name__}: {e}"
x = np.array([0.1, 0.5, 0.5, 0.99, 1.0, np.nan])
cgridhist.histogram(x, 2, (0.0, 1.0))
np.histogram(x[:5], 2, (0.0, 1.0))[0]
gridhist.histogram(x, 2, (0.0, 1.0))
gridhist.histogram(x.astype(">f4"), 2, (0.0, 1.0))
m = np.frombuffer(bytearray(8 * 4 + 1), np.float64, count=4, offset=1)
m.flags.aligned
gridhist.histogram(m, 2, (0.0, 1.0))
error(gridhist.histogram, np.ones(3, complex), 2, (0.0, 1.0))
_ == error(cgridhist.histogram, np.ones(3, complex), 2, (0.0, 1.0))
error(gridhist.histogram, np.ones(3), 2, (0.0, 1.0), weights=np.ones(4))
_ == error(cgridhist.histogram, np.ones(3), 2, (0.0, 1.0), weights=np.ones(4))
error(cgridhist._core._hist1d, x, None, 2, 0.0, hi=1.0)
error(gridhist._core._hist1d, x, None, 2, 0.0, hi=1.0)
