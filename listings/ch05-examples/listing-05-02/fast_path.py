import numpy as np
import cookbook as ck
a = np.arange(4.0)
out = np.empty(4)
ck.cube_into_fast(a, out)
out
ck.cube_into_fast(a[::2], out[:2])  # raises
ck.cube_into_fast(a, a)  # raises
ck.cube_into_fast(a[1:], a[:-1])  # raises
frozen = np.zeros(4)
frozen.flags.writeable = False
ck.cube_into_fast(a, frozen)  # raises
ck.cube_into_fast(a.astype(np.float32), out)  # raises
