"""Building the arguments of one call, valid or bent by one case (part of
the robustness gate, see gate.py)."""

from __future__ import annotations

from gate_cases import DIMS
from gate_decl import Arg, Function

# --------------------------------------------------------------------------
# Inputs


def relayout(np, a, layout: str):
    """The same values as `a`, held in another memory layout: "C" (as is),
    "fortran", "reversed" (negative strides) or "strided" (every other
    element of a bigger buffer)."""
    if layout == "C" or a.ndim == 0:
        return a
    if layout == "fortran":
        return np.asfortranarray(a)
    if layout == "reversed":
        flip = (slice(None, None, -1),) * a.ndim
        return a[flip].copy()[flip]
    big = np.zeros(tuple(2 * s for s in a.shape), a.dtype)
    view = big[(slice(None, None, 2),) * a.ndim]
    view[...] = a
    return view


class Inputs:
    """Builds the arguments of one call, valid or bent by one case."""

    def __init__(self, np, module, f: Function):
        self.np, self.module, self.f = np, module, f
        self.rng = np.random.default_rng(20061125)
        self.sizes: dict[str, int] = {}
        self.cache: dict = {}
        for a in f.args:
            for d in a.dims or []:
                if d not in self.sizes:  # a number is a fixed size: `float64[3]`
                    self.sizes[d] = int(d) if d.isdigit() else DIMS[len(self.sizes) % len(DIMS)]

    def shape(self, a: Arg, sizes=None) -> tuple[int, ...]:
        sizes = sizes or self.sizes
        if a.dims is None:
            return (DIMS[1], DIMS[0])
        return tuple(sizes[d] for d in a.dims)

    def dtype(self, a: Arg):
        if a.kind == "record":
            return self.module.dtype()
        return self.np.dtype(a.dtypes[-1] if a.dtypes[-1] == "float64" else a.dtypes[0])

    def fill(self, a: Arg, shape, dtype=None):
        np = self.np
        dtype = dtype or self.dtype(a)
        if dtype.names:
            v = np.zeros(shape, dtype)
            for name in dtype.names:
                v[name] = self.rng.uniform(0.5, 2.0, size=shape)
            return v
        if dtype.kind in "iu":
            lo = a.lo if a.lo is not None else (0 if dtype.kind == "u" else -9)
            hi = a.hi if a.hi is not None else 9
            return self.rng.integers(lo, hi + 1, size=shape).astype(dtype)
        if dtype.kind == "b":
            return self.rng.random(shape) < 0.5
        return self.rng.standard_normal(shape).astype(dtype)

    def valid(self, sizes=None) -> dict:
        """Valid arguments: the same values on every call with the same sizes."""
        key = tuple(sorted((sizes or self.sizes).items()))
        if key not in self.cache:
            self.cache[key] = self.fresh(sizes)
        return {k: (v.copy() if hasattr(v, "copy") else v) for k, v in self.cache[key].items()}

    def fresh(self, sizes=None) -> dict:
        out = {}
        for a in self.f.args:
            if a.kind in ("array", "record"):
                out[a.name] = self.fill(a, self.shape(a, sizes))
            elif a.kind == "index":
                out[a.name] = a.default
            elif a.kind == "any":
                out[a.name] = self.np.arange(3.0)
            else:
                out[a.name] = a.default
        return out

    def arg(self, name: str) -> Arg:
        return next(a for a in self.f.args if a.name == name)

    def bent(self, case: str) -> tuple[dict, str]:
        """The inputs for `case`, and which oracle verifies a return:
        'reference' (the declaration), 'layout' (the valid call) or 'none'."""
        np = self.np
        kind, _, target = case.partition(":")
        args = self.valid()
        if kind in ("valid", "extra-arg"):
            return args, "reference"
        if self.f.kind == "ufunc" and kind in ("out", "where", "out-dtype"):
            r = getattr(self.module, self.f.name)(*args.values())
            args["out"] = np.full_like(r, 7, dtype=bool if kind == "out-dtype" else r.dtype)
            if kind == "where":
                args["where"] = self.rng.random(r.shape) < 0.5
            return args, "none" if kind == "out-dtype" else kind
        if kind == "ndim+1" and self.f.kind == "ufunc":  # a loop dimension
            args[target] = np.stack([args[target]] * 2)
            return args, "reference"
        names = target.split(",")
        a = self.arg(names[-1])
        v = args.get(a.name)
        if kind == "uncastable":
            args[a.name] = v.astype("complex128" if "complex128" not in a.dtypes else "U3")
            return args, "none"
        if kind == "alias-out":
            args["out"] = v
            return args, "out"
        if kind == "overlap-out":
            base = np.empty((v.size + 1,), v.dtype)
            args[a.name], args["out"] = base[1:].reshape(v.shape), base[:-1].reshape(v.shape)
            args[a.name][...] = v
            return args, "out"
        if kind == "broadcast":
            row = v.reshape(-1)[: v.shape[-1]] if v.ndim else v
            args[a.name] = np.broadcast_to(row, v.shape)
            return args, "reference"
        if kind == "dtype":
            if a.kind == "record":
                args[a.name] = self.fill(a, v.shape, np.dtype("float64"))
            else:
                wrong = next(d for d in ("int64", "float64", "complex128", "bool")
                             if d not in a.dtypes)
                args[a.name] = v.astype(wrong)
            return args, "reference"
        if kind == "object":
            args[a.name] = v.astype(object)
            return args, "reference"
        if kind == "list":
            args[a.name] = v.tolist()
            return args, "layout"
        if kind == "none":
            args[a.name] = None
            return args, "none"
        if kind == "scalar":
            args[a.name] = 1 if v.dtype.kind in "iu" else 1.0
            return args, "reference"
        if kind == "ndim+1":
            args[a.name] = np.stack([v, v], axis=-1)
            return args, "none"
        if kind == "ndim-1":
            args[a.name] = np.array(v[0])
            return args, "none"
        if kind.startswith("empty"):
            i = int(kind[5:])
            if a.dims is None:
                shape = list(self.shape(a))
                shape[i] = 0
                args[a.name] = self.fill(a, tuple(shape))
            else:
                sizes = dict(self.sizes, **{a.dims[i]: 0})
                args = self.valid(sizes)
            return args, "reference"
        if kind in ("nan", "inf") and a.kind == "array":
            w = v.copy()
            if kind == "nan":
                w.flat[1] = np.nan
            else:
                w.flat[0], w.flat[-1] = np.inf, -np.inf
            args[a.name] = w
            return args, "reference"
        if kind == "nan" and a.kind == "float":
            args[a.name] = float("nan")
            return args, "reference"
        if kind in ("fortran", "reversed", "strided"):
            args[a.name] = relayout(np, v, kind)
            return args, "layout"
        if kind == "misaligned":
            buf = bytearray(v.nbytes + 1)
            m = np.frombuffer(buf, v.dtype, count=v.size, offset=1).reshape(v.shape)
            m[...] = v
            args[a.name] = m
            return args, "layout"
        if kind == "readonly":
            v.flags.writeable = False
            return args, "none" if a.writes else "layout"
        if kind == "huge" and a.kind in ("array", "record"):
            n = v.ndim
            side = 2 ** (40 // n) if n else 1
            args[a.name] = np.broadcast_to(v.reshape(-1)[:1].reshape((1,) * n), (side,) * n)
            return args, "reference"
        if kind == "huge":  # a size whose byte count overflows
            args[a.name] = 2**62
            return args, "none"
        if kind == "toomuch":  # a size that fits, in bytes no machine has (8 TiB of float64)
            args[a.name] = 2**40
            return args, "none"
        if kind == "alias":
            b = self.arg(names[0])
            args[b.name] = args[a.name]
            return args, "reference"
        if kind == "overlap":
            b = self.arg(names[0])
            shape = args[a.name].shape
            base = self.fill(a, (shape[0] + 1,) + shape[1:])
            args[b.name], args[a.name] = base[1:], base[:-1]
            return args, "reference"
        if kind == "mismatch":
            b = self.arg(names[0])
            shared = [d for d in a.dims if d in (b.dims or [])]
            sizes = dict(self.sizes, **{shared[0]: self.sizes[shared[0]] + 1})
            args[a.name] = self.fill(a, self.shape(a, sizes))
            return args, "none"
        if kind == "negative":
            args[a.name] = -1
        elif kind == "float":
            args[a.name] = 1.5
        elif kind == "bigint":
            args[a.name] = 2**64
        elif kind == "past-end":
            args[a.name] = self.sizes[self.arg(a.of).dims[0]]
        elif kind == "below":
            args[a.name] = a.lo - 1
        elif kind == "above":
            args[a.name] = a.hi + 1
        elif kind == "bogus":
            args[a.name] = "bogus"
        elif kind == "notstr":
            args[a.name] = 3
        elif kind == "nodtype":
            args[a.name] = 3
        elif kind == "notfloat":
            args[a.name] = "x"
        else:
            raise ValueError(f"unknown case {case!r}")
        return args, "none"
