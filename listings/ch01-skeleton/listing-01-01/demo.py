import numpy as np
import _extmodule
print(_extmodule.foo())
_extmodule.mean(np.array([1.0, 2.0, 3.0, 4.0]))
_extmodule.mean(np.arange(10.0)[::3])
_extmodule.mean(np.array([], dtype=np.float64))  # raises
_extmodule.mean(np.arange(4))  # raises
_extmodule.mean([1.0, 2.0])  # raises
