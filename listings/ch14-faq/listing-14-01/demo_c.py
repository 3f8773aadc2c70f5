import numpy as np
import faqkit
a = np.arange(1.0, 1001.0)
faqkit.sum_squares_c(a), float(np.sum(a * a))
faqkit.sum_squares_c(a[::2])  # raises
