import numpy as np
import faqkit
a = np.array([0.5, 1.0, 2.0])
faqkit.Mapper(lambda x: 2.0 * x + 1.0).sum(a)
seen = []
faqkit.Mapper(lambda x: seen.append(x) or 0.0).sum(a)
seen
faqkit.Mapper(lambda x: 1.0 / (x - 1.0)).sum(a)  # raises
faqkit.Mapper(len).sum(a)  # raises
