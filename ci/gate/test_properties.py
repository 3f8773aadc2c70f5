"""Property tests: every function with a reference in its gate.toml, against
that NumPy/SciPy reference, over random shapes, values and layouts.

The bad-input matrix (test_gate.py) checks the edges one at a time; these
draw many ordinary inputs, with the kit's `check_reference` (listing 11-1's
tests/npkit.py, section 6). Layouts (C, Fortran, reversed, strided) are
drawn only among those the function accepts: which ones it accepts is found
by calling it once per layout, and a refusal must be one the matrix accepts.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import gate  # noqa: E402
import npkit  # noqa: E402

DECLS = {}
for _l in gate.listings():
    if not _l["broken"] and (gate.ROOT / _l["path"] / "gate.toml").exists():
        DECLS[_l["path"]] = gate.load(gate.ROOT / _l["path"])
if gate.QUICK_START in DECLS:
    gate.quick_start()  # no listing build makes its module: the gate does (gate_decl.py)

PARAMS = [
    pytest.param(path, decl.module, name, id=f"{decl.module}.{name}")
    for path, decl in DECLS.items()
    for name in npkit.with_reference(decl)
]


@pytest.mark.parametrize("listing,module_name,function", PARAMS)
def test_matches_reference(listing, module_name, function, request):
    ok = False
    try:
        ok = npkit.check_reference(DECLS[listing], function) > 0
    finally:
        request.config.gate_stats["properties"][(module_name, function)] = ok
