import numpy as np
from logit_safe import logit_array, log_odds_ratio
logit_array([0.25, 0.5])
log_odds_ratio([[0.25], [0.5]], [0.25, 0.75])
logit_array(np.array([0.25], dtype=np.float32)).dtype
logit_array([0.5j])  # raises
logit_array([0.5], out=np.empty(1))  # raises
