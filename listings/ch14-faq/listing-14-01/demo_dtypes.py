import numpy as np
import faqkit
faqkit.describe(np.array(["rust", "numpy", "ünïcödé"], dtype="U8"))
faqkit.describe(np.array([b"abc", b"12345678"], dtype="S8"))
faqkit.describe(np.array(["2026-12-07T12:00", "NaT"], dtype="datetime64[s]"))
faqkit.describe(np.array([1, "two", None, [3]], dtype=object))
words = np.array(["rust", "numpy"])
words.dtype
faqkit.describe(words)  # raises
faqkit.describe(words.astype("U8"))
faqkit.describe(np.array(["rust"], dtype=np.dtypes.StringDType()))  # raises
faqkit.describe(np.array(["rust"], dtype=np.dtypes.StringDType()).astype(object))
