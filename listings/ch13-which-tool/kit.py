"""Chapter 13: the bad-input kit of chapter 11 (listing 11-1's npkit.py, used
as a library) against every tool's version of the five kernels.

    python listings/ch13-which-tool/kit.py [--details]

Each kernel gets one declaration, the same for every tool (its arguments
and NumPy's answer), and the kit's own defaults for what each bad input
should do: a clear exception of the expected type whose message says what
is wrong, or a return equal to NumPy's. Each tool's five kernels are
imported through a small module that gives them the common names, and the
cases run in the kit's child process, so a crash or a hang fails one case
and names it. Prints a Markdown table (one row per kind of input, one
column per tool) and, with --details, every case that did not pass; last,
the counts for the chapter's claims in an HTML comment (`numbers ch13kit`).
"""

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "ch11-testing" / "listing-11-01" / "tests"))
import npkit  # noqa: E402
import tools  # noqa: E402

# The spec of each kernel, as chapter 11's declarations write it.
SPEC = {
    "ewma": {
        "args": {"x": "float64[n]", "alpha": "float = 0.3"},
        # The loop itself, in Python: out[i] = alpha * x[i] + (1 - alpha) * out[i - 1].
        "reference": ("np.array(list(__import__('itertools').accumulate("
                      "x, lambda p, v: alpha * v + (1 - alpha) * p)), dtype=np.float64)"),
        "atol": 1e-14,
    },
    "cube": {"args": {"a": "float64[n]"}, "reference": "a * a * a"},
    "uniform_filter3": {"args": {"a": "float64[n,k]"}, "atol": 1e-14,
                        # The mean of each window, by definition (scipy's uniform_filter, a
                        # running sum, would spread a NaN along its row).
                        "reference": "ndimage.generic_filter(a.astype(np.float64), np.mean, size=3, mode='reflect')"},
    "morlet": {"args": {"x": "float64[n]"}, "reference": "np.cos(5 * x) * np.exp(-0.5 * x * x)", "rtol": 1e-13},
    "histogram": {
        "args": {"x": "float64[n]", "nbins": "size 1.. = 16", "lo": "float = -4.0", "hi": "float = 4.0"},
        "reference": ("np.bincount(np.minimum(((x[(x >= lo) & (x <= hi)] - lo) * (nbins / (hi - lo)))"
                      ".astype(np.intp), nbins - 1), minlength=nbins)"),
        # Nothing to allocate, so a 2**40-element view is read to the end: minutes. The
        # chapter's Ctrl-C section runs it instead.
        "skip": {"huge:x": "reads all 2**40 elements"},
    },
}

# A correct result for misaligned data is right in every tool but Rust, where
# a reference to it would be undefined behaviour (chapter 1): the Rust
# versions refuse it, which passes too.
for _spec in SPEC.values():
    _spec.setdefault("raises", {})["misaligned"] = "returns: only a Rust reference to it is undefined behaviour"

# The kinds of case, in the order of the table, with the words of its rows.
ROWS = [
    ("valid", "valid input (the answer checked against NumPy's)"),
    ("dtype", "another dtype (`int64`)"),
    ("object", "an object array"),
    ("list", "a list"),
    ("none", "`None` for any argument"),
    ("scalar", "a number for the array"),
    ("ndim+1", "one dimension too many"),
    ("ndim-1", "one dimension too few"),
    ("empty", "empty (a zero-length dimension)"),
    ("nan", "NaN in the data, or for `alpha`, `lo`, `hi`"),
    ("inf", "±inf in the data"),
    ("layout", "Fortran order, reversed, strided"),
    ("misaligned", "misaligned data"),
    ("readonly", "a read-only array"),
    ("huge", "a 2**40-element view of one number (8 TiB to copy), or 2**62 bins"),
    ("ints", "bad `nbins`: negative, 1.5, 2**64, 2**40"),
    ("notfloat", "a string for `alpha`, `lo`, `hi`"),
    ("extra-arg", "one argument too many"),
]


def row_of(case):
    kind, _, target = case.partition(":")
    if kind.startswith("empty"):
        return "empty"
    if kind in ("fortran", "reversed", "strided"):
        return "layout"
    if kind in ("negative", "float", "bigint", "toomuch") or (kind == "huge" and target == "nbins"):
        return "huge" if kind == "huge" else "ints"
    return kind


def verdict(ok, detail):
    """One word for a case's outcome."""
    if ok:
        return "ok"
    if detail.startswith("CRASH"):
        return "crash"
    if detail.startswith("HANG"):
        return "hang"
    if detail.startswith("returned") and "different result" not in detail:
        return "returns"
    if detail.startswith("result: dtype"):  # the right values, as another dtype
        return "dtype"
    if detail.startswith(("result:", "out:")) or "different result" in detail:
        return "wrong"
    return "unclear"


def run():
    """{tool: [(kernel, case, verdict, detail)]}."""
    results = {}
    with tempfile.TemporaryDirectory() as shims:
        for tool in tools.TOOLS:
            name = f"kit_{tool.lower()}"
            Path(shims, f"{name}.py").write_text(tools.shim(tool))
            decl = npkit.declare(name, SPEC, source="chapter 13's kit.py")
            env = dict(os.environ, PYTHONPATH=os.pathsep.join([shims, *[p for p in sys.path if p]]))
            worker = npkit.Worker(name, env=env, timeout=60)
            try:
                out = []
                for kernel in tools.KERNELS:
                    f = decl.functions[kernel]
                    for case in npkit.cases(f):
                        ok, detail = worker.run(f, case.name)
                        out.append((kernel, case.name, verdict(ok, detail), detail))
                results[tool] = out
            finally:
                worker.close()
    return results


WORDS = {"ok": "✓", "returns": "returns", "unclear": "unclear error", "dtype": "another dtype",
         "wrong": "wrong result", "crash": "crash", "hang": "hang"}


def cell(entries):
    """'✓' when every case of the row passed, else what the others did, with counts."""
    counts = {}
    for _, _, v, _ in entries:
        counts[v] = counts.get(v, 0) + 1
    if not entries:
        return "–"
    if set(counts) == {"ok"}:
        return "✓"
    bad = [f"{WORDS[v]} ({n})" for v, n in sorted(counts.items()) if v != "ok"]
    return f"{counts.get('ok', 0)}/{len(entries)} ✓; " + ", ".join(bad)


def table(results):
    lines = ["| input | " + " | ".join(tools.TOOLS) + " |", "|---|" + "---:|" * len(tools.TOOLS)]
    for key, words in ROWS:
        cells = [cell([e for e in results[t] if row_of(e[1]) == key]) for t in tools.TOOLS]
        lines.append(f"| {words} | " + " | ".join(cells) + " |")
    totals = []
    for t in tools.TOOLS:
        ok = sum(1 for e in results[t] if e[2] == "ok")
        totals.append(f"**{ok}/{len(results[t])}**")
    lines.append("| all cases passed | " + " | ".join(totals) + " |")
    return "\n".join(lines)


def details(results):
    lines = []
    for t in tools.TOOLS:
        failed = [e for e in results[t] if e[2] != "ok"]
        lines.append(f"<details><summary>{t}: the {len(failed)} cases that did not pass</summary>\n")
        lines.append("| kernel | case | what happened |\n|---|---|---|")
        for kernel, case, v, detail in failed:
            text = " ".join(detail.split())
            text = text if len(text) <= 160 else text[:157] + "..."
            lines.append(f"| `{kernel}` | `{case}` | {WORDS[v]}: `{text.replace('|', '/').replace('`', '')}` |")
        lines.append("\n</details>\n")
    return "\n".join(lines)


LEGEND = ("Each cell counts the cases of its row over the five kernels: ✓ when each passed (NumPy's answer, "
          "or a clear exception of the expected type), else how many passed and what the others did: "
          "*returns* an answer where the kit expects an error, an *unclear error* (another exception type, "
          "or a message that does not say what is wrong), *another dtype* for the right values, a *wrong result*, "
          "a *crash* or a *hang*.")


def numbers(results):
    """The counts for the chapter's claims, as benchkit's numbers line
    carries a benchmark's (nothing here is timed: no load to record)."""
    values = {}
    for t in tools.TOOLS:
        key = t.lower()
        values[f"passed.{key}"] = sum(1 for e in results[t] if e[2] == "ok")
        values[f"cases.{key}"] = len(results[t])
        for v in WORDS:
            if v != "ok":
                values[f"{v}.{key}"] = sum(1 for e in results[t] if e[2] == v)
    return f"<!-- numbers ch13kit {json.dumps(values, sort_keys=True)} -->"


def main():
    results = run()
    print(table(results))
    print()
    print(LEGEND)
    print()
    if "--details" in sys.argv[1:]:
        print(details(results))
    print(numbers(results))


if __name__ == "__main__":
    main()
