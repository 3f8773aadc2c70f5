import numpy as np
import panicky
a = np.array([1.0, 2.0, 3.0])
panicky.get(a, 5)  # raises
panicky.get_or_panic(a, 5)  # raises
try:
    panicky.get_or_panic(a, 5)
except Exception:
    print("caught by `except Exception`")
except BaseException as e:
    print("not an Exception:", type(e).__mro__)
