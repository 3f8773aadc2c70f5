import contextlib, io, logging
import numpy as np
import faqkit
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
faqkit.mean(np.arange(4.0))
cell = io.StringIO()  # stands for a notebook's cell: the kernel's sys.stdout
with contextlib.redirect_stdout(cell):
    print("print: from Python")
    m = faqkit.mean(np.arange(4.0))
cell.getvalue()
