"""The bad-input matrix: which cases each declared function gets, and what
error each case expects by default (part of the robustness gate, see gate.py)."""

from __future__ import annotations

from dataclasses import dataclass

from gate_decl import Arg, Function

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
    "scalar",
}
UFUNC_MAY_RETURN = {"misaligned", "ndim+1", "out", "where", "alias-out", "overlap-out", "broadcast"}


def expected_error(f: Function, case: str) -> tuple[list[str], str]:
    kind = case.split(":")[0]
    spec = f.raises.get(case) or f.raises.get(kind)
    if spec:
        types, _, regex = spec.partition(":")
        return [t.strip() for t in types.split("|")], regex.strip() or ANY
    types, regex = (UFUNC_ERRORS.get(kind) if f.kind == "ufunc" else None) or DEFAULT_ERRORS[kind]
    return types.split("|"), regex
