import numpy as np
import newcomer
a = np.arange(4.0)
newcomer.total_f64(np.arange(4))  # raises
newcomer.total_any(np.arange(4)), newcomer.total_any([1, 2.5])
newcomer.first_and_last(a[::2])  # raises
newcomer.first_and_last_strided(a[::2])
newcomer.add_into(a, a)  # raises
newcomer.double_in_place(a)
a
ro = np.ones(3)
ro.flags.writeable = False
newcomer.double_in_place(ro)  # raises
