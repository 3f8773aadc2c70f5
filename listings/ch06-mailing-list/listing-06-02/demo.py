import numpy as np
import mexport
a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
c = mexport.colcumsum(a)
c
c.flags.f_contiguous
np.array_equal(mexport.colcumsum(a[::-1]), np.cumsum(a[::-1], axis=0))
mexport.accumarray(np.array([1, 3, 1, 2]), np.array([10.0, 20.0, 30.0, 40.0]))
mexport.accumarray(np.array([0, 1]), np.array([1.0, 2.0]))  # raises
