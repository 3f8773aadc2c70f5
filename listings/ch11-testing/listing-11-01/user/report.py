# ANCHOR: all
"""A user's script, type-checked by mypy against typedstats.pyi."""

import numpy as np

import typedstats

readings = np.array([3.0, 4.0, 12.0])
level: float = typedstats.rms(readings)
louder = typedstats.scale(readings, factor=2.0)
print(level, louder.sum())

print(typedstats.rms([3.0, 4.0]))  # a list, not an array
# ANCHOR_END: all
