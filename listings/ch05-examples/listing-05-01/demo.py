import os; os.environ["RUST_BACKTRACE"] = "0"  # hide
import signal, subprocess, sys
import numpy as np
import cube_naive
cube_naive.cube(np.array([1.0, 2.0, 3.0]))
cube_naive.cube(np.arange(6.0)[::-2])
huge = np.broadcast_to(0.0, 2**40)
huge.nbytes, huge.strides
crash = "import numpy as np, cube_naive; cube_naive.cube(np.broadcast_to(0.0, 2**40))"
child = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True)
signal.Signals(-child.returncode)
print(child.stderr)
cube_naive.cube_zeros(huge)  # raises
buf = bytes(1) + np.array([1.0, 2.0, 3.0]).tobytes()
odd = np.frombuffer(buf, np.float64, offset=1)
odd.flags.aligned
cube_naive.cube(odd)
