"""npkit: bad input, crash isolation and property tests for a NumPy extension.

Copy this one file into your project's tests/ folder, then declare what each
exported function takes, in a TOML file (chapter 11 of "NumPy Extensions in
Rust" teaches the language; the book checks its own listings with this file):

    module = "mymodule"
    [cube]
    args.a = "float64[n]"       # a 1-D float64 array of length n
    reference = "a ** 3"        # NumPy's answer, for every valid input

then, in a test file:

    import npkit
    DECL = npkit.load("tests/npkit.toml")   # or npkit.declare("mymodule", {...})

    @pytest.mark.parametrize("function,case", npkit.matrix(DECL))
    def test_bad_input(function, case, npkit_run):
        ok, detail = npkit_run(DECL, function, case)
        assert ok, detail

    @pytest.mark.parametrize("function", npkit.with_reference(DECL))
    def test_matches_numpy(function):
        npkit.check_reference(DECL, function)

and register it as a pytest plugin (`pytest_plugins = ["npkit"]` in your
conftest.py, or `from npkit import npkit_run` in the test file).

What it does, section by section:
1. Declarations: each argument as a short spec (`float64[n]`, `int 1..9 = 3`,
   `str a|b`, `float64[n] or None`, `sequence 1..32 of float64[n]`, ...),
   the NumPy expression that gives the right answer (with `helpers`, Python
   functions it may call), and where the defaults are wrong for you
   (`raises`, `skip`). A class is declared member by member
   (`[Model.predict]`), its constructor as `[Model.__new__]`. A name that
   starts with `_` is gated when it is declared (a package's private core).
2. The matrix: for each function, the bad and awkward inputs (wrong dtype
   and ndim, a list, None, empty, NaN and inf, Fortran order, reversed and
   strided views, misaligned, read-only, aliased output, huge broadcast
   views, unallocatable sizes, bad integers and strings), and the error each
   one expects by default. Constructors, methods and setters get the same.
3. Inputs: the arguments of one call, valid or bent by one case.
4. Judging: a case passes with a clear exception (an `Exception`, of the
   expected type, with a message that says what is wrong, no argument
   changed) or a verified return (equal to the reference, or to the same
   call on a contiguous copy).
5. Isolation: cases run in a child process, so a crash or a hang fails one
   case and names it.
6. Property tests: Hypothesis draws shapes, values and layouts and compares
   each call with the reference.
7. The pytest plugin: the `npkit_run` fixture.

Needs numpy, and hypothesis for section 6; scipy only if a reference uses
`ndimage`.
"""

from __future__ import annotations

import json
import math
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

# ==========================================================================
# 1. Declarations


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
    none_ok: bool = False  # array: `... or None`, None is a valid value
    seq: tuple[int, int] | None = None  # array: `sequence LO..HI of ...`, a tuple of arrays


ARRAY_RE = re.compile(
    r"^(?P<dtypes>[a-z0-9|]+)\[(?P<dims>[^\]]*)\]"
    r"(?:\s+in\s+(?P<lo>-?\d+)\.\.(?P<hi>-?\d+))?(?P<writes>\s+writes)?(?P<none>\s+or\s+None)?$"
)
SEQUENCE_RE = re.compile(r"^sequence\s+(?P<lo>\d+)\.\.(?P<hi>\d+)\s+of\s+(?P<item>.+)$")
INT_RE = re.compile(r"^(?P<kind>int|size)(?:\s+(?P<lo>-?\d+)?\.\.(?P<hi>-?\d+)?)?(?:\s*=\s*(?P<default>-?\d+))?$")


def parse_arg(name: str, spec: str) -> Arg:
    spec = spec.strip()
    optional = False
    if spec.endswith("?"):  # the argument has a default in the signature
        optional, spec = True, spec[:-1].rstrip()
    if m := SEQUENCE_RE.match(spec):  # a tuple of arrays, each as the item spec says
        arg = parse_arg(name, m["item"])
        if arg.kind != "array" or arg.writes or arg.none_ok:
            raise ValueError(f"argument {name!r}: a sequence holds read-only arrays: {spec!r}")
        arg.seq = (int(m["lo"]), int(m["hi"]))
        if not 0 <= arg.seq[0] <= arg.seq[1]:
            raise ValueError(f"argument {name!r}: {spec!r} needs 0 <= LO <= HI")
    elif m := ARRAY_RE.match(spec):
        dims = m["dims"].strip()
        arg = Arg(
            name,
            "record" if m["dtypes"] == "record" else "array",
            dtypes=m["dtypes"].split("|"),
            dims=None if dims == "*" else [d.strip() for d in dims.split(",") if d.strip()],
            writes=bool(m["writes"]),
            lo=int(m["lo"]) if m["lo"] is not None else None,
            hi=int(m["hi"]) if m["hi"] is not None else None,
            none_ok=bool(m["none"]),
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
    kind: str = "function"  # or "ufunc": a numpy.ufunc object, args = its inputs
    types: list[str] = field(default_factory=list)  # ufunc: its loops, as in `.types`
    # A member of a class: name is "Class.member"; `construct` makes the
    # instance (a Python expression over np and the module's names); a
    # `setter` is a property whose one argument is the value assigned.
    # "Class.__new__" is the constructor itself, `Class(...)`: it needs no
    # `construct`, and its return value is the new instance.
    construct: str | None = None
    setter: bool = False
    body: dict = field(default_factory=dict)  # the declaration, for the child process
    helpers: str = ""  # Python code whose names the reference may use

    @property
    def member(self) -> str | None:
        return self.name.split(".", 1)[1] if "." in self.name else None

    @property
    def verified(self) -> bool:
        return self.reference is not None or bool(self.effects)





@dataclass
class Declaration:
    module: str  # the module to import
    functions: dict[str, Function]
    not_functions: dict[str, str]  # exported names that are not functions -> why
    source: str = ""  # where it was declared, for messages


FUNCTION_KEYS = {
    "args", "reference", "effects", "raises", "skip", "rtol", "atol", "returned", "where",
    "check_dtype", "property", "why_no_reference", "kind", "types", "helpers",
}
MEMBER_KEYS = FUNCTION_KEYS | {"construct", "setter"}



def function(name: str, body: dict, where: str = "") -> Function:
    """One function (or `Class.member`) from its declaration, a dict."""
    where = where or name
    unknown = set(body) - (MEMBER_KEYS if "." in name else FUNCTION_KEYS)
    if unknown:
        raise ValueError(f"{where}: [{name}] has unknown keys {sorted(unknown)}")
    args = [parse_arg(a, s) for a, s in body.get("args", {}).items()]
    raises = body.get("raises", {})
    f = Function(
        name,
        args,
        reference=body.get("reference"),
        effects=body.get("effects", {}),
        raises={k: v for k, v in raises.items() if not v.startswith("returns")},
        returns={k: v for k, v in raises.items() if v.startswith("returns")},
        returned=body.get("returned", "r"),
        where=body.get("where", "True"),
        skip=body.get("skip", {}),
        rtol=body.get("rtol", 1e-12),
        atol=body.get("atol", 0.0),
        check_dtype=body.get("check_dtype", True),
        hypothesis=body.get("property", True),
        why_no_reference=body.get("why_no_reference", ""),
        kind=body.get("kind", "function"),
        types=body.get("types", []),
        construct=body.get("construct"),
        setter=body.get("setter", False),
        body=body,
        helpers=body.get("helpers", ""),
    )
    if f.kind not in ("function", "ufunc"):
        raise ValueError(f"{where}: [{name}] kind must be \"function\" or \"ufunc\"")
    if f.member == "__new__" and (f.construct or f.setter):
        raise ValueError(f"{where}: [{name}] is the constructor: it takes no `construct` or `setter`")
    if f.setter and len(f.args) != 1:
        raise ValueError(f"{where}: [{name}] is a setter: declare its one argument, the value")
    if not f.verified and not f.why_no_reference:
        raise ValueError(f"{where}: [{name}] has neither `reference`/`effects` nor `why_no_reference`")
    for case, reason in f.skip.items():
        if not str(reason).strip():
            raise ValueError(f"{where}: [{name}] skips {case!r} without a reason")
    for a in f.args:
        if a.kind == "index" and a.of not in {b.name for b in f.args}:
            raise ValueError(f"{where}: [{name}] index of unknown argument {a.of!r}")
    return f


def declare(module: str, table: dict, source: str = "") -> Declaration:
    """A module's declaration: {name: body} for each function, {Class:
    {member: body}} for the members of a class (each with `construct`; the
    constructor, member `__new__`, needs none), and an optional
    "not_functions" table of exported names that need no checks."""
    table = dict(table)
    source = source or f"the declaration of {module}"
    not_functions = table.pop("not_functions", {})
    # Python code (a string) whose functions every reference and `where` may
    # call: write there what the function promises, edge by edge, when no
    # NumPy expression says it exactly.
    helpers = table.pop("helpers", "")
    if not isinstance(helpers, str):
        raise ValueError(f"{source}: `helpers` must be a string of Python code")
    functions = {}
    for name, body in table.items():
        if not isinstance(body, dict):
            raise ValueError(f"{source}: [{name}] must be a table")
        if helpers and body and set(body) & FUNCTION_KEYS:
            body = {"helpers": helpers, **body}
        if body and not set(body) & FUNCTION_KEYS and all(isinstance(v, dict) for v in body.values()):
            for member, sub in body.items():
                if "construct" not in sub and member != "__new__":
                    raise ValueError(f"{source}: [{name}.{member}] needs `construct = \"...\"`, "
                                     "the expression that makes the instance")
                sub = {"helpers": helpers, **sub} if helpers else sub
                functions[f"{name}.{member}"] = function(f"{name}.{member}", sub, source)
        else:
            functions[name] = function(name, body, source)
    return Declaration(module, functions, not_functions, source)


def load(path) -> Declaration:
    """A declaration kept in a TOML file: `module = "..."`, then a [table]
    per function (the book keeps one, gate.toml, beside each crate)."""
    import tomllib
    from pathlib import Path

    data = tomllib.loads(Path(path).read_text())
    module = data.pop("module", None)
    if not module:
        raise ValueError(f"{path}: `module = \"...\"` is missing")
    return declare(module, data, source=str(path))


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
    """The public methods and properties of a class, as "Class.member", and
    its constructor, "Class.__new__", when it takes arguments: what it is
    given is input like any other (and often copied)."""
    return [f"{cls.__name__}.{m}" for m in dir(cls) if not m.startswith("_")] + (
        [f"{cls.__name__}.__new__"] if constructor_params(cls) else [])


def constructor_params(cls) -> list[str]:
    """The names `Class(...)` takes ([] when it takes none, or states no
    signature: a pyo3 class without `#[new]` cannot be made from Python)."""
    import inspect

    try:
        return list(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        return []


def declared_classes(decl: Declaration) -> set[str]:
    return {name.split(".")[0] for name in decl.functions if "." in name}


def gated(decl: Declaration, module) -> list[str]:
    """What the gate must cover: functions, and the members of each class
    that the declaration gates (the others need a reason in [not_functions])."""
    funcs, others = exported(module)
    for name in others:
        if name in declared_classes(decl) or name not in decl.not_functions:
            funcs += members(getattr(module, name))
    # A private function (`_core._hist1d`) is gated when it is declared: the
    # compiled core of a package is all `_` names, and its callers' input.
    funcs += [n for n in decl.functions if n.startswith("_") and not n.startswith("__")
              and "." not in n and callable(getattr(module, n, None))]
    return funcs


def problems(decl: Declaration, module) -> list[str]:
    """What is wrong with a declaration, compared with what the module exports."""
    import inspect

    out = []
    _, others = exported(module)
    funcs = gated(decl, module)
    where = decl.source
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
        if f.kind == "ufunc":
            out += ufunc_problems(decl, f, getattr(module, name))
            continue
        cls = getattr(module, name.split(".")[0]) if f.member else None
        if f.member and f.member != "__new__":
            attr = inspect.getattr_static(cls, f.member)
            is_property = hasattr(attr, "__set__") and not callable(attr)
            if is_property != (f.setter or not f.args) and (f.setter or f.args):
                out.append(f"{decl.module}.{name}: {where} declares "
                           f"{'a property' if not is_property else 'a method'}, the class has "
                           f"{'a property' if is_property else 'a method'}")
            if is_property:
                continue
        # The constructor's signature is the class's: inspect.signature(cls).
        fn = getattr(module, name) if not cls else cls if f.member == "__new__" else getattr(cls, f.member)
        if getattr(fn, "__text_signature__", None) == "($self, object, /)":
            # CPython 3.13+ gives a C function taking one argument (METH_O)
            # that states no signature this placeholder: only the count is
            # known (before 3.13, inspect.signature raises for it).
            if len(f.args) != 1:
                out.append(f"{decl.module}.{name}: {where} declares {[a.name for a in f.args]}, "
                           "the function takes one argument")
            continue
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            continue  # a C function without a text signature
        params = list(sig.parameters)
        if f.member and params[:1] == ["self"]:
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


def ufunc_problems(decl: Declaration, f: Function, obj) -> list[str]:
    """A `kind = "ufunc"` export: a numpy.ufunc with the declared inputs and loops."""
    import numpy as np

    where = decl.source
    if not isinstance(obj, np.ufunc):
        return [f"{decl.module}.{f.name}: {where} says kind = \"ufunc\", but it is a {type(obj).__name__}"]
    out = []
    if obj.nin != len(f.args) or any(a.optional for a in f.args):
        out.append(f"{decl.module}.{f.name}: {where} declares {len(f.args)} inputs, the ufunc has {obj.nin}")
    if not f.types or obj.types != f.types:
        out.append(f"{decl.module}.{f.name}: declare `types = {obj.types}` in {where}")
    return out


# ==========================================================================
# 2. The matrix


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


def stretched(a: Arg, arrays: list[Arg]) -> list[int]:
    """Which axes of `a` the huge case stretches: those of its own dims, not
    a fixed size (`float64[n,3]`) nor a name that another array argument
    shares (`x: float64[n,k]` and `y: float64[n]` must agree on n), which
    keep their valid size. Every axis when `a` takes any ndim."""
    if a.dims is None:
        return list(range(2))  # the valid value of `float64[*]` is 2-D
    shared = {d for b in arrays if b is not a for d in (b.dims or [])}
    return [i for i, d in enumerate(a.dims) if not d.isdigit() and d not in shared]


def cases(f: Function) -> list[Case]:
    out = [Case(f.name, "valid", "returns, verified")]
    if not f.setter and f.args:  # `obj.x = value` cannot take a second value
        out.append(Case(f.name, "extra-arg", "TypeError"))
    arrays = [a for a in f.args if a.kind in ("array", "record")]
    if f.kind == "ufunc":
        # NumPy's machinery must do its part: refuse what no loop takes, write
        # out= (aliased or overlapping an input), honour where=, broadcast.
        out += [
            Case(f.name, "out", "returns out, verified"),
            Case(f.name, "where", "out written only where the mask is True"),
            Case(f.name, "out-dtype", "NumPy's TypeError: cannot cast the output"),
        ]
        for a in arrays:
            out += [
                Case(f.name, f"uncastable:{a.name}", "NumPy's TypeError: no loop for the input types"),
                Case(f.name, f"alias-out:{a.name}", "out=the input, verified"),
                Case(f.name, f"overlap-out:{a.name}", "out overlaps the input, verified"),
                Case(f.name, f"broadcast:{a.name}", "a zero-stride view, verified"),
            ]
    for a in arrays:
        n = ndim_of(a)
        out += [
            Case(f.name, f"dtype:{a.name}", "TypeError/ValueError naming the dtype, or verified"),
            Case(f.name, f"object:{a.name}", "TypeError/ValueError, or verified"),
            Case(f.name, f"list:{a.name}", "TypeError, or the same result as for an array"),
            Case(f.name, f"none:{a.name}", "returns, verified (None is allowed)" if a.none_ok else "TypeError"),
            Case(f.name, f"scalar:{a.name}", "TypeError/ValueError"),
        ]
        if a.seq:  # the sequence itself; the cases above bend every array in it
            lo, hi = a.seq
            out.append(Case(f.name, f"aslist:{a.name}", "the same result for a list as for a tuple"))
            out.append(Case(f.name, f"notseq:{a.name}", "TypeError naming the sequence"))
            if lo > 0:
                out.append(Case(f.name, f"few:{a.name}", f"ValueError/TypeError: fewer than {lo} arrays"))
            out.append(Case(f.name, f"many:{a.name}", f"ValueError/TypeError: more than {hi} arrays"))
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
        if not a.writes and stretched(a, arrays):
            # A read-only view of 2**40 elements or more (zero strides): an
            # output or a copy of its size cannot be allocated. Only its own
            # dims grow, so that it still passes the shape checks.
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
    "notseq": ("TypeError", r"(?i)sequence|iterable|list|tuple"),
    "few": ("ValueError|TypeError", r"(?i)at least|empty|hold|length|few|must|sequence"),
    "many": ("ValueError|TypeError", r"(?i)at most|many|hold|length|must|sequence"),
}
# None for a whole sequence: its message may name the sequence instead.
SEQUENCE_NONE = ("TypeError", r"(?i)none|expected|sequence|iterable")

# What NumPy's ufunc machinery says, for a `kind = "ufunc"` export.
NO_LOOP = r"not supported for the input types|did not contain a loop"
UFUNC_ERRORS = {
    "extra-arg": ("TypeError", r"ArrayType|positional arguments"),
    "object": ("TypeError", NO_LOOP),
    "none": ("TypeError", NO_LOOP),
    "uncastable": ("TypeError", NO_LOOP),
    "out-dtype": ("TypeError", r"Cannot cast ufunc '\w+' output"),
    "ndim-1": ("ValueError", r"(?i)core dimension|enough dimensions"),
}

# Cases where a verified return is as good as the exception.
MAY_RETURN = {
    "dtype", "object", "list", "empty0", "empty1", "empty2", "nan", "inf", "fortran",
    "reversed", "strided", "readonly", "huge", "alias", "overlap", "valid",
    "scalar", "aslist",
}
UFUNC_MAY_RETURN = {"misaligned", "ndim+1", "out", "where", "alias-out", "overlap-out", "broadcast"}


def expected_error(f: Function, case: str) -> tuple[list[str], str]:
    kind = case.split(":")[0]
    spec = f.raises.get(case) or f.raises.get(kind)
    if spec:
        types, _, regex = spec.partition(":")
        return [t.strip() for t in types.split("|")], regex.strip() or ANY
    types, regex = (UFUNC_ERRORS.get(kind) if f.kind == "ufunc" else None) or DEFAULT_ERRORS[kind]
    target = case.partition(":")[2]
    if kind == "none" and any(a.name == target and a.seq for a in f.args):
        types, regex = SEQUENCE_NONE
    return types.split("|"), regex


# ==========================================================================
# 3. Inputs


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
        self.element: int | None = None  # while bending: which array of each sequence
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
        """Valid arguments: the same values on every call with the same sizes.
        A sequence is a tuple of arrays (while a case bends its arrays one at
        a time, `self.element` picks the one to bend)."""
        key = tuple(sorted((sizes or self.sizes).items()))
        if key not in self.cache:
            self.cache[key] = self.fresh(sizes)

        def copied(k, v):
            if isinstance(v, tuple):
                return copied(k, v[self.element]) if self.element is not None else tuple(x.copy() for x in v)
            return v.copy() if hasattr(v, "copy") else v
        return {k: copied(k, v) for k, v in self.cache[key].items()}

    def fresh(self, sizes=None) -> dict:
        out = {}
        for a in self.f.args:
            if a.seq:  # two arrays when it may hold two
                n = min(max(a.seq[0], 2), a.seq[1])
                out[a.name] = tuple(self.fill(a, self.shape(a, sizes)) for _ in range(n))
            elif a.kind in ("array", "record"):
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
        'reference' (the declaration), 'layout' (the valid call) or 'none'.
        A case on a sequence bends every array in it the same way; `none`,
        `aslist`, `notseq`, `few` and `many` act on the sequence itself."""
        kind, _, target = case.partition(":")
        seqs = {a.name: a for a in self.f.args if a.seq}
        if not seqs:
            return self._bent(case)
        whole = self.valid()
        a = seqs.get(target.split(",")[-1])
        if a and kind in ("none", "aslist", "notseq", "few", "many"):
            items = whole[a.name]
            if kind == "none":
                whole[a.name] = None
                return whole, "reference" if a.none_ok else "none"
            if kind == "aslist":
                whole[a.name] = list(items)
                return whole, "layout"
            whole[a.name] = {"notseq": 3, "few": items[: max(a.seq[0] - 1, 0)],
                             "many": items + (items[0],) * (a.seq[1] + 1 - len(items))}[kind]
            return whole, "none"
        parts = {name: [] for name in seqs}
        for i in range(len(next(iter(whole[n] for n in seqs)))):
            self.element = i
            try:
                args, oracle = self._bent(case)
            finally:
                self.element = None
            for name in seqs:
                parts[name].append(args[name])
        for name in seqs:
            args[name] = tuple(parts[name])
        return args, oracle

    def _bent(self, case: str) -> tuple[dict, str]:
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
            return args, "reference" if a.none_ok else "none"
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
            # Its first element, seen 2**40 times over the stretched axes
            # (2**20 x 2**20 for two), the others at their valid size.
            axes = stretched(a, [b for b in self.f.args if b.kind in ("array", "record")])
            shape = list(v.shape)
            for i in axes:
                shape[i] = 2 ** (40 // len(axes))
            args[a.name] = np.broadcast_to(v.reshape(-1)[:1].reshape((1,) * v.ndim), tuple(shape))
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


# ==========================================================================
# 4. Judging one call


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
    """(what to call, the instance or None). A constructor is the class
    itself; a method is called on a fresh instance; a setter assigns its
    value and returns what the getter then reads; a read-only property is read."""
    import inspect

    if f.member == "__new__":
        return getattr(module, f.name.split(".")[0]), None
    if not f.member:
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
    kw = {k: args[k] for k in ("out", "where") if f.kind == "ufunc" and k in args}
    call = [v for k, v in args.items() if k not in kw] + ([object()] if kind == "extra-arg" else [])
    try:
        got = fn(*call, **kw)
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
        target_arg = next((a for a in f.args if a.name == case.partition(":")[2]), None)
        if kind == "none" and target_arg and target_arg.none_ok and not declared:
            return False, f"{what}; None is a valid value of {target_arg.name} (declared `or None`)"
        if not isinstance(e, Exception) and not declared:
            return False, f"{what}; a {type(e).__name__} is not an Exception: `except Exception` misses it"
        if not message or not re.search(regex, message):
            return False, f"{what}; the message should match {regex!r}"
        for name, old in before.items():
            if same(np, args[name], old, 0, 0, True) is not None:
                return False, f"{what}, but changed {name} before raising"
        return True, what
    # It returned.
    may_return = MAY_RETURN | (UFUNC_MAY_RETURN if f.kind == "ufunc" else set())
    target_arg = next((a for a in f.args if a.name == case.partition(":")[2]), None)
    if kind == "none" and target_arg and target_arg.none_ok:
        may_return = may_return | {"none"}
    declared_return = case in f.returns or kind in f.returns
    if oracle == "none" and declared_return and f.reference is not None:
        oracle = "reference"  # declared to return: then it must return the right answer
    if kind not in may_return and not declared_return:
        if kind == "misaligned":
            return False, (
                f"returned {short(got)} for misaligned data: a Rust reference to it is undefined "
                "behaviour even where the CPU forgives it; check `is_aligned()` first, or "
                "declare `raises.misaligned = \"returns: why\"` if the code never forms one"
            )
        return False, f"returned {short(got)}; expected an exception"
    if oracle in ("out", "where"):  # a ufunc's out=: returned, and written as NumPy would
        if got is not kw["out"]:
            return False, f"returned {short(got)}, not the out= array"
        expected = eval(f.reference, {"np": np, "math": math, **helper_names(f), **originals})  # noqa: S307
        if oracle == "where":
            expected = np.where(kw["where"], expected, originals["out"])
        if np.shape(got) != np.shape(expected):  # a gufunc's out= may add loop dimensions
            expected = np.broadcast_to(expected, np.shape(got))
        if d := same(np, got, expected, f.rtol, f.atol, f.check_dtype, "out"):
            return False, d
        return True, f"wrote out= {short(got)}, verified against the reference"
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
        env = {"np": np, "math": math, "module": module, "obj": obj, **helper_names(f), **originals}
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


_HELPERS: dict[str, dict] = {}


def helper_names(f: Function) -> dict:
    """The names that the declaration's `helpers` code defines (run once)."""
    if not f.helpers:
        return {}
    if f.helpers not in _HELPERS:
        names: dict = {}
        exec(compile(f.helpers, f"<helpers of {f.name}>", "exec"), names)  # noqa: S102 - declarations are yours
        _HELPERS[f.helpers] = {k: v for k, v in names.items() if not k.startswith("__")}
    return _HELPERS[f.helpers]


# ==========================================================================
# 5. Isolation: a child process runs the cases


def serve(module_name: str) -> None:
    """The child: import the module, then judge one case per line of stdin
    (a JSON request), answering one JSON line on the original stdout."""
    import faulthandler
    import importlib
    import os

    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the module prints goes to stderr, not into the answers
    faulthandler.enable()  # a crash prints the Python stack to stderr
    import numpy as np

    module = importlib.import_module(module_name)
    proto.write(READY + "\n")  # imported: the cases' clocks start now
    proto.flush()
    for line in sys.stdin:
        req = json.loads(line)
        f = function(req["function"], req["body"])
        print(f"--- {req['function']} {req['case']}", file=sys.stderr, flush=True)
        try:
            ok, detail = judge(np, module, f, req["case"])
        except Exception:  # noqa: BLE001 - a harness error fails the case
            import traceback

            ok, detail = False, "npkit itself failed:\n" + traceback.format_exc()
        proto.write(json.dumps({"ok": ok, "detail": detail}) + "\n")
        proto.flush()


READY = json.dumps({"ready": True})


class Worker:
    """A child process that imports one module and judges cases on request.
    A crash or a hang (no answer in `timeout` seconds) fails that case; the
    next case starts a fresh child."""

    def __init__(self, module: str, env=None, timeout: float = 30.0):
        if env is None:  # the child imports what this process can
            import os

            path = [p for p in sys.path if p] + [os.environ.get("PYTHONPATH", "")]
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(path))
        self.module, self.env, self.timeout = module, env, timeout
        self.proc = None

    def start(self):
        import queue
        import threading

        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "serve", self.module],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, text=True, env=self.env,
        )
        # A thread reads the answers, so that waiting for one can time out
        # on every platform (select() on a pipe does not work on Windows).
        # Each child has a queue of its own: the end of a killed child's
        # output must not reach the next child's queue, where it would read
        # as that child's death.
        answers = self.answers = queue.Queue()
        out = self.proc.stdout

        def read():
            for line in out:
                answers.put(line)
            answers.put("")  # the process ended

        threading.Thread(target=read, daemon=True).start()
        # Importing NumPy and the module can take seconds on a busy machine:
        # wait for the child to say it is ready, so that this time does not
        # count against the first case. A child that dies (or never gets
        # ready) fails that case, with its stderr.
        try:
            first = self.answers.get(timeout=max(120.0, self.timeout))
        except queue.Empty:
            self.proc.kill()
            first = ""
        if first.strip() != READY:
            self.answers.put("")

    def stderr_tail(self, lines=25) -> str:
        self.err.seek(0)
        return "".join(self.err.readlines()[-lines:])

    def run(self, f: Function, case: str) -> tuple[bool, str]:
        """(passed, what happened) for one case of one declared function."""
        import queue

        if self.proc is None or self.proc.poll() is not None:
            self.start()  # with a new, empty stderr file
        else:
            self.err.seek(0)
            self.err.truncate()
        req = {"function": f.name, "body": f.body, "case": case}
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:  # it died starting: its answer is the end of its output
            pass
        try:
            line = self.answers.get(timeout=self.timeout)
        except queue.Empty:
            self.proc.kill()
            self.proc.wait()
            return False, f"HANG: no answer in {self.timeout:.0f} s\n{self.stderr_tail()}"
        if not line:
            try:
                code = self.proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:  # its output ended, but it did not
                self.proc.kill()
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


# ==========================================================================
# 6. Property tests against the reference (Hypothesis)

LAYOUTS = ["C", "fortran", "reversed", "strided"]


def accepted_layouts(np, module, f: Function) -> list[str]:
    """The layouts `f` computes with; a refusal must be a clear error."""
    inputs = Inputs(np, module, f)
    arrays = [a for a in f.args if a.kind in ("array", "record")]
    ok = ["C"]
    for layout in LAYOUTS[1:]:
        if layout == "fortran" and all(ndim_of(a) == 1 for a in arrays):
            continue
        args = inputs.valid()
        for a in arrays:
            v = args[a.name]
            args[a.name] = tuple(relayout(np, x, layout) for x in v) if a.seq else relayout(np, v, layout)
        try:
            with np.errstate(all="ignore"):  # the values are not judged here
                target(np, module, f)[0](*args.values())
        except (ValueError, TypeError) as e:
            _, regex = DEFAULT_ERRORS[layout]
            assert re.search(regex, str(e)), f"{f.name} refused the {layout} layout with {e!r}"
            continue
        ok.append(layout)
    return ok


def strategy(np, module, f: Function, layouts: list[str]):
    """Hypothesis strategy for the arguments of one valid call."""
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

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
        return st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=8 * dtype.itemsize)

    @st.composite
    def calls(draw):
        needs_items = any(k.startswith("empty") for k in list(f.raises) + list(f.skip)) or any(
            a.kind == "index" for a in f.args)
        lo = 1 if needs_items else 0
        sizes = {}
        for a in f.args:
            for d in a.dims or []:
                if d not in sizes:
                    sizes[d] = int(d) if d.isdigit() else draw(st.integers(lo, 9), label=f"dim {d}")
        layout = draw(st.sampled_from(layouts), label="layout")
        args = {}
        for a in f.args:
            if a.none_ok and draw(st.booleans(), label=f"{a.name} is None"):
                args[a.name] = None
            elif a.seq:  # a tuple of arrays of one shape, dtypes drawn apart
                count = draw(st.integers(a.seq[0], min(a.seq[1], a.seq[0] + 2)), label=f"len({a.name})")
                shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=lo, max_side=6)) \
                    if a.dims is None else tuple(sizes[d] for d in a.dims)
                args[a.name] = tuple(
                    relayout(np, draw(hnp.arrays(dtype := np.dtype(draw(st.sampled_from(a.dtypes))), shape,
                                                 elements=elements(a, dtype))), layout)
                    for _ in range(count))
            elif a.kind in ("array", "record"):
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
                args[a.name] = relayout(np, v, layout)
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

    return calls()


def check_reference(decl: Declaration, name: str, max_examples: int = 40) -> int:
    """Compare `name` with its reference on drawn inputs; raises on the first
    difference (Hypothesis shrinks it first). Returns how many examples ran."""
    import importlib

    import numpy as np
    from hypothesis import HealthCheck, assume, given, settings

    module = importlib.import_module(decl.module)
    f = decl.functions[name]
    fn, obj = target(np, module, f)
    env0 = {"np": np, "math": math, "module": module, "obj": obj, **helper_names(f)}
    if "ndimage" in (f.reference or "") + "".join(f.effects.values()):
        import scipy.ndimage

        env0["ndimage"] = scipy.ndimage
    ran = []

    def magnitude(args):  # a bound on sums over the inputs, for the tolerance
        return 1.0 + sum(float(np.abs(v).sum()) for v in args.values()
                         if isinstance(v, np.ndarray) and v.dtype.kind == "f")

    @settings(max_examples=max_examples, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(strategy(np, module, f, accepted_layouts(np, module, f)))
    def check(args):
        assume(eval(f.where, {**env0, **args}))  # noqa: S307 - declarations are yours
        originals = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()}
        with np.errstate(all="ignore"):  # NaN or inf in both is agreement, not news
            got = eval(f.returned, {"r": fn(*args.values()), "np": np})  # noqa: S307
        env = {**env0, **originals}
        atol = max(f.atol, 1e-13 * magnitude(originals))
        if f.reference is not None:
            with np.errstate(all="ignore"):
                expected = eval(f.reference, dict(env))  # noqa: S307
            d = same(np, got, expected, f.rtol, atol, f.check_dtype)
            assert d is None, d
        for arg, expr in f.effects.items():
            with np.errstate(all="ignore"):
                expected = eval(expr, dict(env))  # noqa: S307
            d = same(np, np.asarray(args[arg]), expected, f.rtol, atol, f.check_dtype, arg)
            assert d is None, d
        ran.append(1)

    check()
    assert ran, f"{name}: no example reached the reference: the `where` filter rejects everything"
    return len(ran)


# ==========================================================================
# 7. The pytest plugin


def matrix(decl: Declaration) -> list:
    """pytest parameters (function, case) for every case of every function,
    with ids such as `cube[nan:a]`."""
    import pytest

    return [pytest.param(f.name, c.name, id=f"{f.name}[{c.name}]")
            for f in decl.functions.values() for c in cases(f)]


def with_reference(decl: Declaration) -> list[str]:
    """The functions that a property test can check."""
    return [f.name for f in decl.functions.values() if f.verified and f.hypothesis]


try:
    import pytest

    @pytest.fixture(scope="session")
    def npkit_run():
        """run(decl, function, case) -> (passed, detail), in a child process
        per module (started once, restarted after a crash)."""
        workers: dict[str, Worker] = {}

        def run(decl: Declaration, name: str, case: str) -> tuple[bool, str]:
            w = workers.setdefault(decl.module, Worker(decl.module))
            return w.run(decl.functions[name], case)

        yield run
        for w in workers.values():
            w.close()
except ImportError:  # the child process needs no pytest
    pass


if __name__ == "__main__":  # the child process: python npkit.py serve MODULE
    serve(sys.argv[2])
