"""The robustness gate: every function a listing exports, against bad input.

Each listing that is not broken on purpose has a `gate.toml` that says what
every exported function takes (see CONTRIBUTING.md, "The robustness gate").
From it this module builds a matrix of bad and awkward inputs: wrong dtype,
wrong ndim, a list, None, a scalar, an object array, empty and zero-size
dimensions, NaN and inf, Fortran order, reversed and strided views, read-only
arrays, the same array (or overlapping views) as input and output,
misaligned data, mismatched shapes, and sizes that cannot be allocated.

Every case must end in one of two ways:
- a clear Python exception: an `Exception` subclass of the expected type
  whose message matches the expected pattern (PanicException is a
  BaseException and only passes where the declaration expects it);
- a returned value that is verified: against the declared NumPy/SciPy
  reference, or, for layouts, against the same call on a contiguous copy.
A crash or a hang fails the case: cases run in a worker process
(`python ci/gate/gate.py worker MODULE`) that the test restarts when it dies.

Command line:
  gate.py cases [LISTING...]   print the matrix (one line per case)
  gate.py summary              count listings, functions and cases
  gate.py run LISTING FUNC     run one function's matrix here, as a table
  gate.py worker MODULE        serve cases on stdin (used by the tests)
"""

from __future__ import annotations

import json
import math
import re
import signal
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------
# Declarations


@dataclass
class Arg:
    """One argument, parsed from a spec string such as `float64[n] writes`."""

    name: str
    kind: str  # array | record | int | index | size | float | str | any
    dtypes: list[str] = field(default_factory=list)
    dims: list[str] | None = None  # dim names; None = any ndim
    writes: bool = False
    lo: int | None = None
    hi: int | None = None
    default: object = None
    choices: list[str] = field(default_factory=list)
    of: str = ""  # index: the array it indexes
    optional: bool = False  # has a default in the signature


ARRAY_RE = re.compile(
    r"^(?P<dtypes>[a-z0-9|]+)\[(?P<dims>[^\]]*)\]"
    r"(?:\s+in\s+(?P<lo>-?\d+)\.\.(?P<hi>-?\d+))?(?P<writes>\s+writes)?$"
)
INT_RE = re.compile(r"^(?P<kind>int|size)(?:\s+(?P<lo>-?\d+)?\.\.(?P<hi>-?\d+)?)?(?:\s*=\s*(?P<default>-?\d+))?$")


def parse_arg(name: str, spec: str) -> Arg:
    spec = spec.strip()
    optional = False
    if spec.endswith("?"):  # the argument has a default in the signature
        optional, spec = True, spec[:-1].rstrip()
    if m := ARRAY_RE.match(spec):
        dims = m["dims"].strip()
        arg = Arg(
            name,
            "record" if m["dtypes"] == "record" else "array",
            dtypes=m["dtypes"].split("|"),
            dims=None if dims == "*" else [d.strip() for d in dims.split(",") if d.strip()],
            writes=bool(m["writes"]),
            lo=int(m["lo"]) if m["lo"] is not None else None,
            hi=int(m["hi"]) if m["hi"] is not None else None,
        )
    elif m := INT_RE.match(spec):
        arg = Arg(
            name,
            m["kind"],
            lo=int(m["lo"]) if m["lo"] is not None else (0 if m["kind"] == "size" else None),
            hi=int(m["hi"]) if m["hi"] is not None else None,
        )
        arg.default = int(m["default"]) if m["default"] is not None else (arg.lo if arg.lo is not None else 3)
    elif m := re.match(r"^index\s+(\w+)$", spec):
        arg = Arg(name, "index", of=m[1], default=1)
    elif m := re.match(r"^float(?:\s*=\s*(\S+))?$", spec):
        arg = Arg(name, "float", default=float(m[1]) if m[1] else 0.5)
    elif m := re.match(r"^str\s+([\w|]+)$", spec):
        choices = m[1].split("|")
        arg = Arg(name, "str", choices=choices, default=choices[0])
    elif spec == "any":
        arg = Arg(name, "any")
    else:
        raise ValueError(f"argument {name!r}: cannot read the spec {spec!r}")
    arg.optional = optional
    return arg


@dataclass
class Function:
    name: str
    args: list[Arg]
    reference: str | None = None  # expression for the return value
    effects: dict[str, str] = field(default_factory=dict)  # written arg -> expression
    raises: dict[str, str] = field(default_factory=dict)  # case -> "Type: regex"
    skip: dict[str, str] = field(default_factory=dict)  # case -> reason
    returns: dict[str, str] = field(default_factory=dict)  # case -> why a return is right
    returned: str = "r"  # the part of the return value to verify, as an expression in r
    where: str = "True"  # property tests: which drawn arguments are valid (an expression)
    rtol: float = 1e-12
    atol: float = 0.0
    check_dtype: bool = True
    hypothesis: bool = True  # a property test is wanted (needs a reference)
    why_no_reference: str = ""
    # A member of a class: name is "Class.member"; `construct` makes the
    # instance (a Python expression over np and the module's names); a
    # `setter` is a property whose one argument is the value assigned.
    construct: str | None = None
    setter: bool = False

    @property
    def member(self) -> str | None:
        return self.name.split(".", 1)[1] if self.construct else None

    @property
    def verified(self) -> bool:
        return self.reference is not None or bool(self.effects)


@dataclass
class Declaration:
    listing: str  # path relative to ROOT
    module: str
    functions: dict[str, Function]
    not_functions: dict[str, str]  # exported names that are not functions -> why


FUNCTION_KEYS = {
    "args", "reference", "effects", "raises", "skip", "rtol", "atol", "returned", "where",
    "check_dtype", "property", "why_no_reference",
}
MEMBER_KEYS = FUNCTION_KEYS | {"construct", "setter"}


def sections(rel: str, data: dict):
    """(name, body) for each function, and ("Class.member", body) for each
    member of a class, declared as [Class.member]."""
    for name, body in data.items():
        if not isinstance(body, dict):
            raise ValueError(f"{rel}/gate.toml: [{name}] must be a table")
        if body and not set(body) & FUNCTION_KEYS and all(isinstance(v, dict) for v in body.values()):
            for member, sub in body.items():
                if "construct" not in sub:
                    raise ValueError(f"{rel}/gate.toml: [{name}.{member}] needs `construct = \"...\"`, "
                                     "the expression that makes the instance")
                yield f"{name}.{member}", sub
        else:
            yield name, body


def load(listing: Path) -> Declaration:
    path = listing / "gate.toml"
    data = tomllib.loads(path.read_text())
    rel = str(listing.relative_to(ROOT)) if listing.is_relative_to(ROOT) else str(listing)
    module = data.pop("module", None)
    if not module:
        raise ValueError(f"{rel}/gate.toml: `module = \"...\"` is missing")
    not_functions = data.pop("not_functions", {})
    functions = {}
    for name, body in sections(rel, data):
        unknown = set(body) - (MEMBER_KEYS if "." in name else FUNCTION_KEYS)
        if unknown:
            raise ValueError(f"{rel}/gate.toml: [{name}] has unknown keys {sorted(unknown)}")
        args = [parse_arg(a, s) for a, s in body.get("args", {}).items()]
        f = Function(
            name,
            args,
            reference=body.get("reference"),
            effects=body.get("effects", {}),
            raises={k: v for k, v in body.get("raises", {}).items() if not v.startswith("returns")},
            returns={k: v for k, v in body.get("raises", {}).items() if v.startswith("returns")},
            returned=body.get("returned", "r"),
            where=body.get("where", "True"),
            skip=body.get("skip", {}),
            rtol=body.get("rtol", 1e-12),
            atol=body.get("atol", 0.0),
            check_dtype=body.get("check_dtype", True),
            hypothesis=body.get("property", True),
            why_no_reference=body.get("why_no_reference", ""),
            construct=body.get("construct"),
            setter=body.get("setter", False),
        )
        if f.setter and len(f.args) != 1:
            raise ValueError(f"{rel}/gate.toml: [{name}] is a setter: declare its one argument, the value")
        if not f.verified and not f.why_no_reference:
            raise ValueError(
                f"{rel}/gate.toml: [{name}] has neither `reference`/`effects` nor "
                "`why_no_reference`"
            )
        for case, reason in f.skip.items():
            if not str(reason).strip():
                raise ValueError(f"{rel}/gate.toml: [{name}] skips {case!r} without a reason")
        for a in f.args:
            if a.kind == "index" and a.of not in {b.name for b in f.args}:
                raise ValueError(f"{rel}/gate.toml: [{name}] index of unknown argument {a.of!r}")
        functions[name] = f
    return Declaration(rel, module, functions, not_functions)


def listings() -> list[dict]:
    """Every listing, from ci/listings.py (its metadata says which are broken)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "ci" / "listings.py"), "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def exported(module) -> tuple[list[str], list[str]]:
    """(functions, classes) that a module exports."""
    funcs, others = [], []
    for name in dir(module):
        if name.startswith("_"):
            continue
        obj = getattr(module, name)
        if isinstance(obj, type):
            others.append(name)
        elif callable(obj):
            funcs.append(name)
    return funcs, others


def members(cls) -> list[str]:
    """The public methods and properties of a class, as "Class.member"."""
    return [f"{cls.__name__}.{m}" for m in dir(cls) if not m.startswith("_")]


def declared_classes(decl: Declaration) -> set[str]:
    return {name.split(".")[0] for name in decl.functions if "." in name}


def gated(decl: Declaration, module) -> list[str]:
    """What the gate must cover: functions, and the members of each class
    that the declaration gates (the others need a reason in [not_functions])."""
    funcs, others = exported(module)
    for name in others:
        if name in declared_classes(decl) or name not in decl.not_functions:
            funcs += members(getattr(module, name))
    return funcs


def problems(decl: Declaration, module) -> list[str]:
    """What is wrong with a declaration, compared with what the module exports."""
    import inspect

    out = []
    _, others = exported(module)
    funcs = gated(decl, module)
    where = f"{decl.listing}/gate.toml"
    if missing := sorted(set(funcs) - set(decl.functions)):
        out.append(f"{where} does not declare {missing}")
    if stale := sorted(set(decl.functions) - set(funcs)):
        out.append(f"{where} declares {stale}, which {decl.module} does not export")
    if types := sorted(set(others) - set(decl.not_functions) - declared_classes(decl)):
        out.append(f"{where}: declare the members of {types} as [Class.member], "
                   "or say in [not_functions] why they need no gate")
    for name, f in decl.functions.items():
        if name not in funcs:
            continue
        if f.construct:
            cls = getattr(module, name.split(".")[0])
            attr = inspect.getattr_static(cls, f.member)
            is_property = hasattr(attr, "__set__") and not callable(attr)
            if is_property != (f.setter or not f.args) and (f.setter or f.args):
                out.append(f"{decl.module}.{name}: {where} declares "
                           f"{'a property' if not is_property else 'a method'}, the class has "
                           f"{'a property' if is_property else 'a method'}")
            if is_property:
                continue
        try:
            sig = inspect.signature(getattr(module, name) if not f.construct
                                    else getattr(getattr(module, name.split(".")[0]), f.member))
        except (TypeError, ValueError):
            continue  # a C function without a text signature
        params = list(sig.parameters)
        if f.construct and params[:1] == ["self"]:
            params = params[1:]
        if params != [a.name for a in f.args]:
            out.append(f"{decl.module}.{name}: {where} declares {[a.name for a in f.args]}, "
                       f"the signature is {params}")
            continue
        for a in f.args:
            has_default = sig.parameters[a.name].default is not inspect.Parameter.empty
            if a.optional != has_default:
                out.append(f"{decl.module}.{name}({a.name}): mark it `?` in {where} "
                           "exactly when it has a default")
    return out


# --------------------------------------------------------------------------
# The matrix


@dataclass(frozen=True)
class Case:
    function: str
    name: str  # e.g. "dtype:a", "fortran:m", "alias:a,out"
    expect: str  # what passes, in words (for the report)


DIMS = [7, 5, 3]  # sizes given to the 1st, 2nd, 3rd distinct dim name
FLOATS = {"float16", "float32", "float64", "complex64", "complex128"}


def is_float(arg: Arg) -> bool:
    return arg.kind == "array" and all(d in FLOATS for d in arg.dtypes)


def ndim_of(arg: Arg) -> int | None:
    return None if arg.dims is None else len(arg.dims)


def cases(f: Function) -> list[Case]:
    out = [Case(f.name, "valid", "returns, verified")]
    if not f.setter and f.args:  # `obj.x = value` cannot take a second value
        out.append(Case(f.name, "extra-arg", "TypeError"))
    arrays = [a for a in f.args if a.kind in ("array", "record")]
    for a in arrays:
        n = ndim_of(a)
        out += [
            Case(f.name, f"dtype:{a.name}", "TypeError/ValueError naming the dtype, or verified"),
            Case(f.name, f"object:{a.name}", "TypeError/ValueError, or verified"),
            Case(f.name, f"list:{a.name}", "TypeError, or the same result as for an array"),
            Case(f.name, f"none:{a.name}", "TypeError"),
            Case(f.name, f"scalar:{a.name}", "TypeError/ValueError"),
        ]
        if n is not None:
            out.append(Case(f.name, f"ndim+1:{a.name}", "TypeError/ValueError naming the dimensions"))
            if n >= 1:
                out.append(Case(f.name, f"ndim-1:{a.name}", "TypeError/ValueError naming the dimensions"))
        for i in range(n if n is not None else 2):
            out.append(Case(f.name, f"empty{i}:{a.name}", "ValueError, or verified"))
        if is_float(a):
            out += [
                Case(f.name, f"nan:{a.name}", "verified (NaN where NumPy has NaN), or ValueError"),
                Case(f.name, f"inf:{a.name}", "verified, or ValueError"),
            ]
        if n is None or n >= 2:
            out.append(Case(f.name, f"fortran:{a.name}", "same as contiguous, or ValueError"))
        out += [
            Case(f.name, f"reversed:{a.name}", "same as contiguous, or ValueError"),
            Case(f.name, f"strided:{a.name}", "same as contiguous, or ValueError"),
            Case(f.name, f"misaligned:{a.name}", "same as aligned, or ValueError"),
            Case(f.name, f"readonly:{a.name}",
                 "TypeError/ValueError, array unchanged" if a.writes else "same as writeable"),
        ]
        shared = {d for b in arrays if b is not a for d in (b.dims or [])}
        if not a.writes and not set(a.dims or []) & shared:
            # A read-only view of 2**40 elements (zero strides): an output of
            # its size cannot be allocated. (A written or shape-tied argument
            # would fail for that reason first.)
            out.append(Case(f.name, f"huge:{a.name}", "MemoryError/ValueError, or verified"))
        if a.writes:
            for b in arrays:
                if b is not a and set(b.dtypes) & set(a.dtypes):
                    out.append(Case(f.name, f"alias:{b.name},{a.name}", "error, or verified on copies"))
                    out.append(Case(f.name, f"overlap:{b.name},{a.name}", "error, or verified on copies"))
    # Arrays that share a dim name must agree on it.
    seen: dict[str, str] = {}
    for a in arrays:
        for d in a.dims or []:
            if d in seen and seen[d] != a.name:
                out.append(Case(f.name, f"mismatch:{seen[d]},{a.name}", "ValueError naming the shapes"))
            seen.setdefault(d, a.name)
    for a in f.args:
        if a.kind in ("int", "size", "index"):
            out += [
                Case(f.name, f"negative:{a.name}", "OverflowError/ValueError/IndexError"),
                Case(f.name, f"float:{a.name}", "TypeError"),
                Case(f.name, f"bigint:{a.name}", "OverflowError/ValueError/MemoryError/IndexError"),
            ]
            if a.kind == "size":
                out.append(Case(f.name, f"huge:{a.name}", "MemoryError/ValueError/OverflowError"))
                out.append(Case(f.name, f"toomuch:{a.name}", "MemoryError"))
            if a.kind == "index":
                out.append(Case(f.name, f"past-end:{a.name}", "IndexError"))
            if a.kind == "int" and a.lo is not None and a.lo > -1:
                out.append(Case(f.name, f"below:{a.name}", "ValueError"))
            if a.kind == "int" and a.hi is not None:
                out.append(Case(f.name, f"above:{a.name}", "ValueError"))
        elif a.kind == "str":
            out += [
                Case(f.name, f"bogus:{a.name}", "ValueError naming the choices"),
                Case(f.name, f"notstr:{a.name}", "TypeError"),
            ]
        elif a.kind == "float":
            out += [
                Case(f.name, f"nan:{a.name}", "verified, or ValueError"),
                Case(f.name, f"notfloat:{a.name}", "TypeError"),
            ]
        elif a.kind == "any":
            out.append(Case(f.name, f"nodtype:{a.name}", "TypeError"))
        if a.kind not in ("any", "array", "record") and not a.optional:
            out.append(Case(f.name, f"none:{a.name}", "TypeError"))
    return [c for c in out if c.name not in f.skip and c.name.split(":")[0] not in f.skip]


# --------------------------------------------------------------------------
# Expected errors, by the kind of case (before the ':'); a declaration's
# `raises` overrides them per case.

ANY = r"\S"
DEFAULT_ERRORS = {
    "extra-arg": ("TypeError", r"argument|takes|expected"),
    "dtype": ("TypeError|ValueError", r"(?i)dtype|type mismatch|from=\w+, to=\w+|float|int"),
    "object": ("TypeError|ValueError", r"(?i)object|dtype|type mismatch|float64|int64"),
    "list": ("TypeError", r"(?i)list|ndarray|array"),
    "none": ("TypeError", r"(?i)none|expected"),
    "scalar": ("TypeError|ValueError", r"(?i)float|ndarray|array|dim|scalar"),
    "ndim+1": ("TypeError|ValueError", r"(?i)dim|ndim|shape|\d-d"),
    "ndim-1": ("TypeError|ValueError", r"(?i)dim|ndim|shape|\d-d"),
    "empty0": ("ValueError", r"(?i)empty|zero|at least|size|length"),
    "empty1": ("ValueError", r"(?i)empty|zero|at least|size|length"),
    "empty2": ("ValueError", r"(?i)empty|zero|at least|size|length"),
    "nan": ("ValueError", r"(?i)nan|finite"),
    "inf": ("ValueError", r"(?i)inf|finite"),
    "fortran": ("ValueError|TypeError", r"(?i)contiguous|layout|order|stride"),
    "reversed": ("ValueError|TypeError", r"(?i)contiguous|layout|order|stride"),
    "strided": ("ValueError|TypeError", r"(?i)contiguous|layout|order|stride"),
    "misaligned": ("ValueError|TypeError", r"(?i)align"),
    "readonly": ("ValueError|TypeError", r"(?i)writ|read-only|readonly"),
    "huge": ("MemoryError|ValueError|OverflowError|TypeError",
             r"(?i)alloc|memory|contiguous|too (large|big)|overflow|exceed|stride"),
    "alias": ("ValueError|TypeError", r"(?i)borrow|alias|same|overlap"),
    "overlap": ("ValueError|TypeError", r"(?i)borrow|alias|same|overlap"),
    "mismatch": ("ValueError", r"(?i)shape|length|differ|match|size|elements"),
    "negative": ("OverflowError|ValueError|IndexError", r"(?i)negative|unsigned|range|at least|must"),
    "float": ("TypeError", r"(?i)float|int|integer"),
    "bigint": ("OverflowError|ValueError|MemoryError|IndexError", r"(?i)overflow|too (large|big)|range|memory|alloc|at most|bounds|exceed"),
    "past-end": ("IndexError", r"(?i)index|range|bounds"),
    "below": ("ValueError", r"(?i)at least|must|range|positive"),
    "above": ("ValueError", r"(?i)at most|must|range|large"),
    "bogus": ("ValueError", r"bogus|must be|one of"),
    "notstr": ("TypeError", r"(?i)str|int"),
    "notfloat": ("TypeError", r"(?i)float|str|number"),
    "nodtype": ("TypeError", r"(?i)dtype"),
    "toomuch": ("MemoryError", r"(?i)alloc|memory"),
}

# Cases where a verified return is as good as the exception.
MAY_RETURN = {
    "dtype", "object", "list", "empty0", "empty1", "empty2", "nan", "inf", "fortran",
    "reversed", "strided", "readonly", "huge", "alias", "overlap", "valid",
    "scalar",
}


def expected_error(f: Function, case: str) -> tuple[list[str], str]:
    kind = case.split(":")[0]
    spec = f.raises.get(case) or f.raises.get(kind)
    if spec:
        types, _, regex = spec.partition(":")
        return [t.strip() for t in types.split("|")], regex.strip() or ANY
    types, regex = DEFAULT_ERRORS[kind]
    return types.split("|"), regex


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
        names = target.split(",")
        a = self.arg(names[-1])
        v = args.get(a.name)
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


# --------------------------------------------------------------------------
# Judging one call


def same(np, got, exp, rtol, atol, check_dtype, path="result") -> str | None:
    """None when `got` matches `exp`, else what differs."""
    if isinstance(exp, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(exp):
            return f"{path}: got {got!r}, expected {exp!r}"
        for i, (g, e) in enumerate(zip(got, exp)):
            if d := same(np, g, e, rtol, atol, check_dtype, f"{path}[{i}]"):
                return d
        return None
    if exp is None or isinstance(exp, (str, np.dtype)):
        return None if got == exp else f"{path}: got {got!r}, expected {exp!r}"
    if isinstance(exp, np.ndarray) and exp.ndim > 0:
        if not isinstance(got, np.ndarray):
            return f"{path}: got a {type(got).__name__}, expected an ndarray"
        if got.shape != exp.shape:
            return f"{path}: shape {got.shape}, expected {exp.shape}"
        if check_dtype and got.dtype != exp.dtype:
            return f"{path}: dtype {got.dtype}, expected {exp.dtype}"
    g, e = np.asarray(got), np.asarray(exp)
    if g.shape != e.shape:
        return f"{path}: shape {g.shape}, expected {e.shape}"
    if e.dtype.names:
        ok = g.dtype == e.dtype and all(
            np.allclose(g[n], e[n], rtol=rtol, atol=atol, equal_nan=True) for n in e.dtype.names
        )
    elif e.dtype.kind in "biu" and g.dtype.kind in "biu":
        ok = np.array_equal(g, e)
    else:
        try:
            ok = np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        except TypeError:
            ok = np.array_equal(g, e)
    if ok:
        return None
    return f"{path}: values differ:\n  got      {g!r}\n  expected {e!r}"


def snapshot(np, args: dict) -> dict:
    """Copies of the arrays a call could change (read-only ones cannot)."""
    return {k: v.copy() for k, v in args.items() if isinstance(v, np.ndarray) and v.flags.writeable}


def judge(np, module, f: Function, case: str) -> tuple[bool, str]:
    """Run one case; (passed, what happened)."""
    import warnings

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NaN in, NaN out: not news here
        return judge_quietly(np, module, f, case)


def target(np, module, f: Function):
    """(what to call, the instance or None). A method is called on a fresh
    instance; a setter assigns its value and returns what the getter then
    reads; a read-only property is read."""
    import inspect

    if not f.construct:
        return getattr(module, f.name), None
    obj = eval(f.construct, {"np": np, "module": module, **vars(module)})  # noqa: S307
    if f.setter:
        def assign(value):
            setattr(obj, f.member, value)
            return getattr(obj, f.member)

        return assign, obj
    if not f.args and not callable(inspect.getattr_static(type(obj), f.member)):
        return (lambda: getattr(obj, f.member)), obj
    return getattr(obj, f.member), obj


def judge_quietly(np, module, f: Function, case: str) -> tuple[bool, str]:
    import copy

    fn, obj = target(np, module, f)
    inputs = Inputs(np, module, f)
    args, oracle = inputs.bent(case)
    kind = case.split(":")[0]
    before = snapshot(np, args)
    originals = {
        k: (v if not v.flags.writeable else v.copy()) if isinstance(v, np.ndarray) else copy.copy(v)
        for k, v in args.items()
    }
    call = list(args.values()) + ([object()] if kind == "extra-arg" else [])
    try:
        got = fn(*call)
    except BaseException as e:  # noqa: BLE001 - PanicException is a BaseException
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        message = " ".join(str(e).split())
        what = f"raised {type(e).__name__}: {message}"
        if kind == "valid":
            return False, f"{what} (for valid input)"
        types, regex = expected_error(f, case)
        names = {c.__name__ for c in type(e).__mro__}
        if not names & set(types):
            return False, f"{what}; expected {' or '.join(types)}"
        declared = case in f.raises or kind in f.raises
        if not isinstance(e, Exception) and not declared:
            return False, f"{what}; a {type(e).__name__} is not an Exception: `except Exception` misses it"
        if not message or not re.search(regex, message):
            return False, f"{what}; the message should match {regex!r}"
        for name, old in before.items():
            if same(np, args[name], old, 0, 0, True) is not None:
                return False, f"{what}, but changed {name} before raising"
        return True, what
    # It returned.
    if kind not in MAY_RETURN and case not in f.returns and kind not in f.returns:
        if kind == "misaligned":
            return False, (
                f"returned {short(got)} for misaligned data: a Rust reference to it is undefined "
                "behaviour even where the CPU forgives it; check `is_aligned()` first, or "
                "declare `raises.misaligned = \"returns: why\"` if the code never forms one"
            )
        return False, f"returned {short(got)}; expected an exception"
    got = eval(f.returned, {"r": got, "np": np})  # noqa: S307
    if oracle == "layout":
        expect_args = inputs.valid()
        try:
            expected = eval(f.returned, {"r": fn(*expect_args.values()), "np": np})  # noqa: S307
        except Exception as e:  # noqa: BLE001
            return False, f"returned {short(got)} but the contiguous call raised {e!r}"
        if d := same(np, got, expected, 1e-12, 1e-12, f.check_dtype):
            return False, f"returned a different result than for a contiguous copy: {d}"
        for a in f.args:
            if a.writes:
                if d := same(np, np.asarray(args[a.name]), expect_args[a.name], 1e-12, 1e-12, True, a.name):
                    return False, f"wrote a different {a.name} than for a contiguous copy: {d}"
        return True, f"returned {short(got)}, the same as for a contiguous copy"
    if oracle == "reference" and f.verified:
        env = {"np": np, "math": math, "module": module, "obj": obj, **originals}
        if "ndimage" in (f.reference or "") + "".join(f.effects.values()):
            import scipy.ndimage

            env["ndimage"] = scipy.ndimage
        if f.reference is not None:
            try:
                expected = eval(f.reference, env)  # noqa: S307 - declarations are ours
            except Exception as e:  # noqa: BLE001
                return False, f"returned {short(got)}, but the reference raised {e!r}: declare the error"
            if d := same(np, got, expected, f.rtol, f.atol, f.check_dtype):
                return False, d
        for name, expr in f.effects.items():
            expected = eval(expr, dict(env))  # noqa: S307
            if d := same(np, np.asarray(args[name]), expected, f.rtol, f.atol, f.check_dtype, name):
                return False, d
        return True, f"returned {short(got)}, verified against the reference"
    if kind == "valid":
        return True, f"returned {short(got)} (no reference: {f.why_no_reference})"
    return False, f"returned {short(got)}, and nothing verifies it: expected an exception"


def short(x) -> str:
    r = repr(x).replace("\n", " ")
    return r if len(r) < 80 else r[:77] + "..."


# --------------------------------------------------------------------------
# The worker process, and the client that drives it


def worker(module_name: str) -> None:
    import faulthandler
    import importlib
    import os

    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the module prints goes to stderr, not into the protocol
    faulthandler.enable()
    import numpy as np

    module = importlib.import_module(module_name)
    decls: dict[str, Declaration] = {}
    for line in sys.stdin:
        req = json.loads(line)
        if req["listing"] not in decls:
            decls[req["listing"]] = load(ROOT / req["listing"])
        f = decls[req["listing"]].functions[req["function"]]
        print(f"--- {req['function']} {req['case']}", file=sys.stderr, flush=True)
        try:
            ok, detail = judge(np, module, f, req["case"])
        except Exception as e:  # noqa: BLE001 - a harness error fails the case
            import traceback

            ok, detail = False, "the gate itself failed:\n" + traceback.format_exc()
        proto.write(json.dumps({"ok": ok, "detail": detail}) + "\n")
        proto.flush()


class Worker:
    """A Python process that imports one module and runs cases on request."""

    def __init__(self, module, env=None, timeout=30.0):
        self.module = module
        self.env = env
        self.timeout = timeout
        self.proc = None

    def start(self):
        import queue
        import threading

        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "worker", self.module],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, text=True,
            env=self.env,
        )
        # A thread reads the answers, so that waiting for one can time out
        # on every platform (select() on a pipe does not work on Windows).
        self.answers = queue.Queue()
        out = self.proc.stdout

        def read():
            for line in out:
                self.answers.put(line)
            self.answers.put("")  # the process ended

        threading.Thread(target=read, daemon=True).start()

    def stderr_tail(self, lines=25):
        self.err.seek(0)
        return "".join(self.err.readlines()[-lines:])

    def run(self, listing, function, case):
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self.err.seek(0)
        self.err.truncate()
        req = {"listing": listing, "function": function, "case": case}
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        import queue

        try:
            line = self.answers.get(timeout=self.timeout)
        except queue.Empty:
            self.proc.kill()
            self.proc.wait()
            return False, f"HANG: no answer in {self.timeout:.0f} s\n{self.stderr_tail()}"
        if not line:
            code = self.proc.wait()
            if code < 0:
                how = f"signal {signal.Signals(-code).name}"
            else:  # Windows reports a crash as a status like 0xC0000005
                how = f"exit status {code}" + (f" ({code:#x})" if code > 255 else "")
            return False, f"CRASH: the process died ({how})\n{self.stderr_tail()}"
        answer = json.loads(line)
        return answer["ok"], answer["detail"]

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def main(argv: list[str]) -> int:
    if argv[:1] == ["worker"]:
        worker(argv[1])
        return 0
    if argv[:1] == ["cases"]:
        for lst in listings():
            if lst["broken"] or (argv[1:] and lst["path"] not in argv[1:]):
                continue
            decl = load(ROOT / lst["path"])
            for f in decl.functions.values():
                for c in cases(f):
                    print(f"{decl.module}.{f.name}  {c.name:24}  {c.expect}")
        return 0
    if argv[:1] == ["summary"]:
        decls = [load(ROOT / l["path"]) for l in listings() if not l["broken"]]
        n_f = sum(len(d.functions) for d in decls)
        n_c = sum(len(cases(f)) for d in decls for f in d.functions.values())
        n_p = sum(1 for d in decls for f in d.functions.values() if f.verified and f.hypothesis)
        print(f"{len(decls)} listings declare {n_f} functions: {n_c} bad-input cases, "
              f"{n_p} property tests against NumPy or SciPy")
        return 0
    if argv[:1] == ["run"] and len(argv) == 3:
        # gate.py run LISTING FUNCTION: the matrix for one function, in this
        # process, as a Markdown table (the Introduction shows one).
        import importlib

        import numpy as np

        decl = load(ROOT / argv[1])
        module = importlib.import_module(decl.module)
        f = decl.functions[argv[2]]
        print(f"| case | what `{decl.module}.{f.name}` did | passes? |")
        print("|---|---|---|")
        bad = 0
        for c in cases(f):
            ok, detail = judge(np, module, f, c.name)
            bad += not ok
            detail = detail.replace("|", "\\|").replace("\n", " ")
            print(f"| `{c.name}` | {detail} | {'yes' if ok else '**no**'} |")
        return 1 if bad else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
