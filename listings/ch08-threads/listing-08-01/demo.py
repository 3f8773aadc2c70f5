import os, subprocess  # hide
import numpy as np
import interruptible
huge = np.broadcast_to(1.0, 2**40)  # 2**40 ones, in 8 bytes
ctrl_c = subprocess.Popen(["sh", "-c", f"sleep 0.5; kill -INT {os.getpid()}"])  # Ctrl-C in 0.5 s
interruptible.total(huge)  # raises
_ = ctrl_c.wait()  # hide
interruptible.total(np.ones(1000))
