import numpy as np
import arraylikes
arraylikes.hypot(3, 4)
arraylikes.hypot(np.array(3.0), 4)
arraylikes.hypot(np.ones((2, 3)), [0, 1, 2])
arraylikes.hypot(np.ones((2, 3)), [0, 1])  # raises
arraylikes.hypot(None, 1.0)  # raises
arraylikes.hypot([1j], 1.0)  # raises
