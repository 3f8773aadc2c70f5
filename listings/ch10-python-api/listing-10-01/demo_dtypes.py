import numpy as np
import arraylikes
arraylikes.hypot(3, 4)
arraylikes.hypot(np.array(3.0), 4)
arraylikes.hypot(np.ones((2, 3)), [0, 1, 2])
arraylikes.hypot(np.ones((2, 3)), [0, 1])  # raises
arraylikes.square(np.array([100, 200], dtype=np.uint8))
arraylikes.square(np.array([True, False]))
arraylikes.square(np.array([1 + 2j], dtype=np.complex64))
arraylikes.square(np.array([300.0], dtype=np.float16))
arraylikes.square(np.array(["a", "b"]))  # raises
