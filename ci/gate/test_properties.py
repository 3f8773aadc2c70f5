"""Property tests: every function with a reference in its gate.toml, against
that NumPy/SciPy reference, over random shapes, values and layouts.

The bad-input matrix (test_gate.py) checks the edges one at a time; these
draw many ordinary inputs. Layouts (C, Fortran, reversed, strided) are drawn
only among those the function accepts: which ones it accepts is found by
calling it once per layout, and a refusal must be one the matrix accepts.
"""

import importlib
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

sys.path.insert(0, str(Path(__file__).parent))
import gate  # noqa: E402

DECLS = {}
for _l in gate.listings():
    if not _l["broken"] and (gate.ROOT / _l["path"] / "gate.toml").exists():
        DECLS[_l["path"]] = gate.load(gate.ROOT / _l["path"])

LAYOUTS = ["C", "fortran", "reversed", "strided"]


def wanted(f):
    return f.verified and f.hypothesis


PARAMS = [
    pytest.param(path, decl.module, f.name, id=f"{decl.module}.{f.name}")
    for path, decl in DECLS.items()
    for f in decl.functions.values()
    if wanted(f)
]


def accepted_layouts(module, f):
    """The layouts `f` computes with; a refusal must be a clear error."""
    inputs = gate.Inputs(np, module, f)
    arrays = [a for a in f.args if a.kind in ("array", "record")]
    ok = ["C"]
    for layout in LAYOUTS[1:]:
        if layout == "fortran" and all(gate.ndim_of(a) == 1 for a in arrays):
            continue
        args = inputs.valid()
        for a in arrays:
            args[a.name] = gate.relayout(np, args[a.name], layout)
        try:
            gate.target(np, module, f)[0](*args.values())
        except (ValueError, TypeError) as e:
            types, regex = gate.DEFAULT_ERRORS[layout]
            assert re.search(regex, str(e)), f"{f.name} refused the {layout} layout with {e!r}"
            continue
        ok.append(layout)
    return ok


def elements(a, dtype):
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo = a.lo if a.lo is not None else -1000
        hi = a.hi if a.hi is not None else 1000
        return st.integers(max(lo, info.min), min(hi, info.max))
    if dtype.kind == "b":
        return st.booleans()
    if dtype.kind == "c":
        part = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=4 * dtype.itemsize)
        return st.builds(complex, part, part)
    width = 8 * dtype.itemsize
    return st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=width)


@st.composite
def calls(draw, module, f, layouts):
    """Arguments for one call: dims first, then each argument."""
    needs_items = any(
        k.startswith("empty") or k == "empty" for k in list(f.raises) + list(f.skip)
    ) or any(a.kind == "index" for a in f.args)
    lo = 1 if needs_items else 0
    sizes = {}
    for a in f.args:
        for d in a.dims or []:
            if d not in sizes:
                sizes[d] = int(d) if d.isdigit() else draw(st.integers(lo, 9), label=f"dim {d}")
    layout = draw(st.sampled_from(layouts), label="layout")
    args = {}
    for a in f.args:
        if a.kind in ("array", "record"):
            if a.dims is None:
                shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=lo, max_side=6))
            else:
                shape = tuple(sizes[d] for d in a.dims)
            if a.kind == "record":
                dtype = module.dtype()
                v = np.zeros(shape, dtype)
                for name in dtype.names:
                    v[name] = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.5, 2.0)))
            else:
                dtype = np.dtype(draw(st.sampled_from(a.dtypes)))
                v = draw(hnp.arrays(dtype, shape, elements=elements(a, dtype)))
            args[a.name] = gate.relayout(np, v, layout)
        elif a.kind == "index":
            n = sizes[next(b for b in f.args if b.name == a.of).dims[0]]
            args[a.name] = draw(st.integers(0, n - 1))
        elif a.kind in ("int", "size"):
            lo_ = a.lo if a.lo is not None else 0
            hi_ = min(a.hi, lo_ + 10) if a.hi is not None else lo_ + 10
            args[a.name] = draw(st.integers(lo_, hi_))
        elif a.kind == "str":
            args[a.name] = draw(st.sampled_from(a.choices))
        elif a.kind == "float":
            args[a.name] = draw(st.floats(-10, 10))
        else:
            args[a.name] = a.default
    return args


def magnitude(args):
    """A bound on the size of sums over the inputs, for the tolerance."""
    total = 1.0
    for v in args.values():
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            total += float(np.abs(v).sum())
    return total


@pytest.mark.parametrize("listing,module_name,function", PARAMS)
def test_matches_reference(listing, module_name, function, request):
    module = importlib.import_module(module_name)
    f = DECLS[listing].functions[function]
    layouts = accepted_layouts(module, f)
    fn, obj = gate.target(np, module, f)
    env0 = {"np": np, "math": math, "module": module, "obj": obj}
    if "ndimage" in (f.reference or "") + "".join(f.effects.values()):
        import scipy.ndimage

        env0["ndimage"] = scipy.ndimage
    ran = []

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(calls(module, f, layouts))
    def check(args):
        assume(eval(f.where, {**env0, **args}))  # noqa: S307 - declarations are ours
        originals = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()}
        got = eval(f.returned, {"r": fn(*args.values()), "np": np})  # noqa: S307
        env = {**env0, **originals}
        atol = max(f.atol, 1e-13 * magnitude(originals))
        if f.reference is not None:
            expected = eval(f.reference, dict(env))  # noqa: S307
            d = gate.same(np, got, expected, f.rtol, atol, f.check_dtype)
            assert d is None, d
        for name, expr in f.effects.items():
            expected = eval(expr, dict(env))  # noqa: S307
            d = gate.same(np, np.asarray(args[name]), expected, f.rtol, atol, f.check_dtype, name)
            assert d is None, d
        ran.append(1)

    try:
        check()
        ok = len(ran) > 0
    except BaseException:
        request.config.gate_stats["properties"][(module_name, function)] = False
        raise
    request.config.gate_stats["properties"][(module_name, function)] = ok
    assert ok, "no example reached the reference: the `where` filter rejects everything"
