import numpy as np
import arraylikes
x = np.arange(3.0)
np.shares_memory(x, arraylikes.as_float64(x))
i = np.arange(3)
arraylikes.as_float64(i)
np.shares_memory(i, arraylikes.as_float64(i))
arraylikes.as_float64_strict(i)  # raises
arraylikes.as_float64_strict([1, 2, 3])
arraylikes.as_float64_strict(["1.5"])
