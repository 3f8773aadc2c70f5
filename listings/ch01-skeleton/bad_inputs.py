"""Chapter 1: what the C and the Rust `mean` say about each bad input.

Prints a Markdown table, embedded in the chapter by cmdrun.
"""

import numpy as np

import _extmodule
import skeleton

misaligned = np.frombuffer(bytes(1) + np.arange(4.0).tobytes(), dtype=np.float64, offset=1)
cases = [
    ("`np.arange(4)` (int64)", np.arange(4)),
    ("`np.zeros((2, 2))` (2-D)", np.zeros((2, 2))),
    ("`[1.0, 2.0]` (a list)", [1.0, 2.0]),
    ("`None`", None),
    ("`np.array([])` (empty)", np.array([])),
    ("`np.arange(10.0)[::3]` (strided)", np.arange(10.0)[::3]),
    ("`[1.0, nan]`", np.array([1.0, np.nan])),
    ("misaligned (`np.frombuffer(..., offset=1)`)", misaligned),
]


def outcome(f, arg):
    try:
        return f"`{f(arg)!r}`"
    except Exception as e:  # noqa: BLE001
        msg = " ".join(str(e).split())
        return f"`{type(e).__name__}: {msg}`"


print("| input | C `_extmodule.mean` | Rust `skeleton.mean` |")
print("|---|---|---|")
for label, arg in cases:
    print(f"| {label} | {outcome(_extmodule.mean, arg)} | {outcome(skeleton.mean, arg)} |")
