import numpy as np
import skeleton
skeleton.foo()
print(skeleton.foo())
skeleton.mean(np.array([1.0, 2.0, 3.0, 4.0]))
skeleton.mean(np.arange(10.0)[::3])
skeleton.mean(np.array([], dtype=np.float64))  # raises
skeleton.mean(np.arange(4))  # raises
skeleton.mean([1.0, 2.0])  # raises
issubclass(skeleton.FooError, Exception)
