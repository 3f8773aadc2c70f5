import sys
sys.version
hasattr(sys, "gettotalrefcount")  # only a Py_DEBUG build has it
import importlib.machinery
importlib.machinery.EXTENSION_SUFFIXES
import numpy as np
import debugme
debugme.debugme.__file__.rsplit("/", 1)[-1]
np._core._multiarray_umath.__file__.rsplit("/", 1)[-1]
debugme.moving_mean(np.arange(5.0), 2)
