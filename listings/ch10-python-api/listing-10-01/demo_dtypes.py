import numpy as np
import arraylikes
arraylikes.square(np.array([100, 200], dtype=np.uint8))
arraylikes.square(np.array([True, False]))
arraylikes.square(np.array([1 + 2j], dtype=np.complex64))
arraylikes.square(np.array([300.0], dtype=np.float16))
arraylikes.square([[1, 2], [3, 4]])
arraylikes.square(np.array(["a", "b"]))  # raises
