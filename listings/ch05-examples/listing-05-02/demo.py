import numpy as np
import cookbook as ck
a = np.array([1.0, 2.0, 3.0, 4.0])
ck.cube_vec(a)
ck.cube_vec(a[::-2])  # a strided, reversed view: no copy needed
ck.cube_vec(np.broadcast_to(0.0, 2**40))  # raises
ck.cube_inplace(a)
a
ck.cube(np.arange(3))  # raises
frozen = np.arange(3.0)
frozen.flags.writeable = False
ck.cube_inplace(frozen)  # raises
ck.cube_into(a, a)  # raises
ck.cube_into(a[1:], a[:-1])  # raises
m = np.arange(6.0).reshape(2, 3)
ck.row_sums(m), ck.row_sums(np.asfortranarray(m))
ck.int_square(np.array([[1, -2], [3, 3037000500]]))  # raises
ck.square(np.array([1.5, 2.5], dtype=np.float32))
ck.square(np.array([[3, -4]]))
ck.square(np.zeros(2, dtype=np.int32))  # raises
