import numpy as np
import records
fields = [("id", "<i4"), ("x", "<f8"), ("y", "<f8"), ("mass", "<f4")]
aligned = np.dtype(fields, align=True)
packed = np.dtype(fields)
aligned.itemsize, [aligned.fields[f][1] for f, _ in fields]
packed.itemsize, [packed.fields[f][1] for f, _ in fields]
records.rust_layout()
a = np.zeros(3, dtype=aligned)
a["x"], a["y"], a["mass"] = [0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [1.0, 1.0, 2.0]
records.center_of_mass(a)
records.center_of_mass(a.astype(packed))  # raises
odd = np.frombuffer(bytes(1) + a.tobytes(), dtype=aligned, offset=1)
odd.flags.aligned
records.center_of_mass(odd)  # raises
