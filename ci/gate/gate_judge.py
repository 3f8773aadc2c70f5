"""Running one case and judging what happened: a clear exception, or a
verified return (part of the robustness gate, see gate.py)."""

from __future__ import annotations

import math
import re

from gate_cases import MAY_RETURN, UFUNC_MAY_RETURN, expected_error
from gate_decl import Function
from gate_inputs import Inputs

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
    if kind not in may_return and case not in f.returns and kind not in f.returns:
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
        expected = eval(f.reference, {"np": np, "math": math, **originals})  # noqa: S307
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
