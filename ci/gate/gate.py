"""The robustness gate: every function a listing exports, against bad input.

This file is the command line and the one import the tests use. The gate
is built on the test kit that chapter 11 teaches (listing 11-1's
tests/npkit.py: the argument language, the matrix, the inputs, judging, the
child process, the property tests); what is the book's own lives here:
gate_decl.py (each listing's gate.toml, the list of listings) and
gate_worker.py (the kit's worker, addressed by listing).

Each listing that is not broken on purpose has a `gate.toml` that says what
every exported function takes (see CONTRIBUTING.md, "The robustness gate"),
and so has the quick start's project, whose module the gate builds itself
(gate_decl.quick_start).
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
A crash or a hang fails the case: cases run in the kit's child process
(npkit.Worker), which the test restarts when it dies.

Command line:
  gate.py cases [LISTING...]   print the matrix (one line per case)
  gate.py summary              count listings, functions and cases
  gate.py run LISTING FUNC     run one function's matrix here, as a table
  gate.py worker MODULE        the kit's child process: serve cases on stdin
"""

from __future__ import annotations

import sys

# What the tests use, through `import gate`:
from gate_decl import QUICK_START, ROOT, exported, gated, listings, load, problems, quick_start  # noqa: F401
from gate_worker import Worker, worker  # noqa: F401
from npkit import DEFAULT_ERRORS, Inputs, cases, judge, ndim_of, relayout, same, target  # noqa: F401

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
        n_l = sum(1 for d in decls if d.listing != QUICK_START)
        print(f"{n_l} listings and the quick start declare {n_f} functions: {n_c} bad-input cases, "
              f"{n_p} property tests against NumPy or SciPy")
        return 0
    if argv[:1] == ["run"] and len(argv) == 3:
        # gate.py run LISTING FUNCTION: the matrix for one function, in this
        # process, as a Markdown table (the Introduction shows one).
        import importlib

        import numpy as np

        decl = load(ROOT / argv[1])
        if argv[1].rstrip("/") == QUICK_START:
            quick_start()
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
