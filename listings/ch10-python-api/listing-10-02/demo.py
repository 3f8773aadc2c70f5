import gc, pickle, sys
import numpy as np
import lstsq_model
rng = np.random.default_rng(0)
x = rng.standard_normal((50, 3))
y = x @ [1.0, 2.0, 3.0] + 0.1 * rng.standard_normal(50)
model = lstsq_model.LeastSquares().fit(x, y)
model
model.coef - np.linalg.lstsq(x, y)[0]
model.coef = np.arange(3)  # raises
model.coef = np.zeros(4)  # raises
model.coef[0] = 1.0  # raises
pickle.loads(pickle.dumps(model))
frozen = model.freeze()
view = frozen.coef
view.base is frozen
before = sys.getrefcount(frozen)
views = [frozen.coef for _ in range(1000)]
sys.getrefcount(frozen) - before
del views
sys.getrefcount(frozen) - before
del frozen, model
_ = gc.collect()  # hide
view
view.flags.writeable = True  # raises
