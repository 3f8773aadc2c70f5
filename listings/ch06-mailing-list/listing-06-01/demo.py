import numpy as np
import ownership
a, address = ownership.vec_to_numpy(5)
a
a.ctypes.data == address
a.base
before = ownership.live_bytes()
big, _ = ownership.vec_to_numpy(1_000_000)
ownership.live_bytes() - before
view = big[::2]
del big
ownership.live_bytes() - before
del view
ownership.live_bytes() - before
freed = ownership.freed_buffers()
m = ownership.malloc_array(4)
print(m, type(m.base).__name__)
del m
ownership.freed_buffers() - freed
ownership.vec_to_numpy(2**60)  # raises
