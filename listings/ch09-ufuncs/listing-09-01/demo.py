import numpy as np
from rlogit import logit
logit
logit.types
logit(np.array([0.1, 0.5, 0.9]))
logit(np.array([0.25, 0.75], dtype=np.float32))
logit([[0.1], [0.2]])
p = np.linspace(0.1, 0.9, 5)
out = np.zeros(5)
logit(p[::-1], out=out, where=p > 0.4)
logit(np.array([0.5 + 1j]))  # raises
logit.reduce(p)  # raises
