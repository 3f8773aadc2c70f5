"""The gate's declarations: each listing's gate.toml, read and checked
against what its module exports (part of the robustness gate, see gate.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
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
    kind: str = "function"  # or "ufunc": a numpy.ufunc object, args = its inputs
    types: list[str] = field(default_factory=list)  # ufunc: its loops, as in `.types`
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
    "check_dtype", "property", "why_no_reference", "kind", "types",
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
            kind=body.get("kind", "function"),
            types=body.get("types", []),
            construct=body.get("construct"),
            setter=body.get("setter", False),
        )
        if f.kind not in ("function", "ufunc"):
            raise ValueError(f"{rel}/gate.toml: [{name}] kind must be \"function\" or \"ufunc\"")
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
    """Every listing, from ci/listing-tools/book_listings.py (its metadata says which are broken)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "ci" / "listing-tools" / "book_listings.py"), "json"],
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
        if f.kind == "ufunc":
            out += ufunc_problems(decl, f, getattr(module, name))
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
        fn = getattr(module, name) if not f.construct else getattr(getattr(module, name.split(".")[0]), f.member)
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


def ufunc_problems(decl: Declaration, f: Function, obj) -> list[str]:
    """A `kind = "ufunc"` export: a numpy.ufunc with the declared inputs and loops."""
    import numpy as np

    where = f"{decl.listing}/gate.toml"
    if not isinstance(obj, np.ufunc):
        return [f"{decl.module}.{f.name}: {where} says kind = \"ufunc\", but it is a {type(obj).__name__}"]
    out = []
    if obj.nin != len(f.args) or any(a.optional for a in f.args):
        out.append(f"{decl.module}.{f.name}: {where} declares {len(f.args)} inputs, the ufunc has {obj.nin}")
    if not f.types or obj.types != f.types:
        out.append(f"{decl.module}.{f.name}: declare `types = {obj.types}` in {where}")
    return out
