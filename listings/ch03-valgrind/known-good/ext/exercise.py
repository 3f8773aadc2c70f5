"""The known-good run: each function, the error paths of argument conversion."""

import numpy as np

import _valgrind_known_good as m

a = np.linspace(0.0, 4.0, 5)
for _ in range(3):
    assert m.total(a) == 10.0
    assert m.doubled(a).tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert m.dtype_str(a) == "float64"
    for bad in (np.arange(3), np.zeros((2, 2)), [1.0], None):
        try:
            m.total(bad)
        except TypeError:
            pass
    try:
        m.fail("expected")
    except ValueError:
        pass
print("known good")
