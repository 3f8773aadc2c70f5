#!/usr/bin/env python3
"""Every sentence that reads a measured number holds for the numbers of this build.

  claims.py SITE              check (ci/book.sh: SITE is book/html, just built)
  claims.py --list SITE       every claim of the chapters, with its value
  claims.py --names SITE      every number the pages of SITE carry
  --src DIR                   the chapters (default: src/, the ones SUMMARY.md links to)

A page's numbers change with each run of a benchmark, and the machine that
runs it. A sentence that interprets them ("NumPy wins", "1.5× faster",
"within the noise", "the remedy is ...") is either printed by the script
that measured them, from the same numbers, or it is guarded: the prose
carries a claim right after the sentence, in an HTML comment,

    ... the frozen model skips the borrow check. <!-- claim: ch10.one.mutable > ch10.one.frozen -->

and this check evaluates every claim against the numbers of the same build,
and fails, naming the file, the line and the sentence, when one is false or
names a number that no page carries.

Where the numbers come from: every report of a benchmark ends with
`<!-- numbers NAME {"key": value, ...} -->` (listings/benchkit.py,
`numbers`), which mdBook copies into the page: the numbers of the very run
whose table the page shows. They are named NAME.key. A Python `timeit`
line in a page's output ("500 loops, best of 5: 473 usec per loop") gives
PAGE.timeit.N, its time per loop in seconds, N counting from 1 down the
page (quick-start.html: quick_start.timeit.1). The same name on two pages
must have the same value (two pages showing two runs of one benchmark fail).

A claim is a comparison in a small language: names, numbers, + - * / **,
< <= > >= == !=, and, or, not, parentheses, abs(), min(), max(). It belongs
to the sentence it follows (a comment alone after a heading belongs to the
heading).

A false claim fails the check, with one exception outside CI: when the
benchmark's own numbers say that other work crowded its run (its load
average at the start, NAME.run.load, above its number of cores,
NAME.run.cores), a false claim is a warning that says so, because the
numbers, not the sentence, are then what is off. With CI=true it fails
like any other. With --remeasure FILE, the NAMEs of the benchmark runs that
the false claims read go to FILE: ci/book.sh measures those again, once,
rebuilds the pages and checks every claim again before it fails.

Wording that usually reads a number ("faster", "slower", "wins", "beats",
"pays off", "noise", "the remedy", "as fast as", "1.5×", "3 times as") must
carry a claim, or a `<!-- no-claim: REASON -->` that says why no number of
the build backs it ("valgrind's documented slowdown, not measured here").
Words in double quotes are mentioned, not used, and do not count. A
sentence can read a number without these words: the list only catches the
usual ones, so guard every sentence that reads a number.
"""

import argparse
import ast
import difflib
import html
import json
import operator
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# --- the numbers of the built pages -------------------------------------------

NUMBERS_RE = re.compile(r"<!--\s*numbers\s+([A-Za-z]\w*)\s+(\{.*?\})\s*-->", re.S)
TIMEIT_RE = re.compile(r"\b\d+ loops?, best of \d+: ([0-9.]+) (nsec|usec|msec|sec) per loop")
UNITS = {"nsec": 1e-9, "usec": 1e-6, "msec": 1e-3, "sec": 1.0}
SKIP_PAGES = {"print.html", "404.html", "toc.html"}


def page_prefix(page):
    return re.sub(r"\W", "_", page.stem).lower()


def site_numbers(site):
    """({name: value}, {name: page}, [problem]) from every page of SITE."""
    values, where, problems = {}, {}, []
    for page in sorted(Path(site).rglob("*.html")):
        if page.name in SKIP_PAGES:
            continue
        text = page.read_text(errors="replace")
        rel = page.relative_to(site)
        found = []
        for m in NUMBERS_RE.finditer(text):
            try:
                data = json.loads(html.unescape(m.group(2)))
            except ValueError as e:
                problems.append(f"{rel}: the numbers of {m.group(1)} are not JSON ({e})")
                continue
            found += [(f"{m.group(1)}.{k}", v) for k, v in data.items()]
        for i, m in enumerate(TIMEIT_RE.finditer(text), 1):
            found.append((f"{page_prefix(page)}.timeit.{i}", float(m.group(1)) * UNITS[m.group(2)]))
        for name, value in found:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                if not isinstance(value, bool):
                    problems.append(f"{rel}: {name} is {value!r}, not a number")
                    continue
            if name in values and values[name] != value:
                problems.append(f"{name} is {values[name]!r} on {where[name]} and {value!r} on {rel}: the two "
                                "pages show different runs of one benchmark (build the book again)")
                continue
            values[name] = value
            where.setdefault(name, rel)
    return values, where, problems


# --- the claims of the chapters ---------------------------------------------------

COMMENT_RE = re.compile(r"<!--(.*?)-->", re.S)
CLAIM_RE = re.compile(r"\s*(no-claim|claim)\s*:(.*)\Z", re.S)
TRIGGER_RE = re.compile(
    r"\b(faster|fastest|slower|slowest|speed-?ups?|outruns?|outperforms?|beats?|wins?|pays? off|"
    r"remedy|noise|as (?:fast|slow)|does better|do better)\b"
    r"|\d(?:\.\d+)?×(?!\s?[\dA-Za-z])"                      # 1.5× (not 1000×1000, 1 × N)
    r"|\b\d+(?:\.\d+)? times (?:as|faster|slower|more|less)\b", re.I)
FENCE_RE = re.compile(r"^\s*(```+|~~~+)")
LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
SKIP_LINE_RE = re.compile(r"^\s*(<!--\s*cmdrun\b|\{\{#|</?(details|summary|div)\b|<span class=)")
SENTENCE_END_RE = re.compile(r"[.!?][)\"'\]*_]*\s+(?=[A-Z0-9(\[`*\"'<])")


def chapters(src):
    """The chapters SUMMARY.md in SRC links to, or every *.md in SRC without one."""
    summary = Path(src) / "SUMMARY.md"
    if summary.exists():
        names = re.findall(r"\]\(([^)]+\.md)\)", summary.read_text())
        return [Path(src) / n for n in dict.fromkeys(names) if (Path(src) / n).exists()]
    return sorted(Path(src).glob("*.md"))


class Block:
    """A paragraph, a list item, a table row or a heading: its text joined into
    one line, and for each character the line of the file it came from."""

    def __init__(self, kind):
        self.kind, self.text, self.lines = kind, "", []

    def add(self, text, line):
        if self.text:
            self.text += " "
            self.lines.append(line)
        self.text += text
        self.lines += [line] * len(text)


def blocks(text):
    """The prose blocks of a chapter, in order (code, includes, cmdrun lines,
    captions and other HTML lines are not prose)."""
    out, cur, fence = [], None, None
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE_RE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence, cur = m.group(1), None
            continue
        stripped = re.sub(r"^\s*(>\s?)+", "", line)
        if not stripped.strip() or SKIP_LINE_RE.match(stripped):
            cur = None
            continue
        if stripped.startswith("#"):
            cur = Block("heading")
            cur.add(stripped.lstrip("#").strip(), n)
            out.append(cur)
            cur = None
            continue
        if stripped.lstrip().startswith("|"):
            if not re.fullmatch(r"[\s|:-]+", stripped):
                row = Block("row")
                row.add(stripped.strip(), n)
                out.append(row)
            cur = None
            continue
        if LIST_RE.match(stripped) or cur is None:
            cur = Block("text")
            out.append(cur)
            stripped = LIST_RE.sub("", stripped, count=1)
        cur.add(stripped.strip(), n)
    return out


def unquote(text):
    """TEXT with the inside of every `inline code` span blanked out (same length)."""
    return re.sub(r"(`+)(.+?)\1", lambda m: m.group(1) + "x" * len(m.group(2)) + m.group(1), text)


def mask(text):
    """TEXT with inline code, comments, link targets and tags blanked out
    (same length), so that neither their words nor their dots count."""
    text = COMMENT_RE.sub(lambda m: " " * len(m.group(0)), unquote(text))
    # A word in quotes is mentioned, not used: "faster" is not a claim.
    text = re.sub(r'"([^"]{1,40})"', lambda m: '"' + "x" * len(m.group(1)) + '"', text)
    text = re.sub(r"\]\(([^)]*)\)", lambda m: "](" + "x" * len(m.group(1)) + ")", text)
    text = re.sub(r"\]\[[^\]]*\]", lambda m: " " * len(m.group(0)), text)
    return re.sub(r"<[^>]*>", lambda m: " " * len(m.group(0)), text)


def sentences(masked):
    """[(start, end)] of the sentences of a masked block."""
    spans, start = [], 0
    for m in SENTENCE_END_RE.finditer(masked):
        spans.append((start, m.start() + 1))
        start = m.end()
    if masked[start:].strip():
        spans.append((start, len(masked)))
    return [(s, e) for s, e in spans if masked[s:e].strip()]


class Sentence:
    def __init__(self, path, block, start, end):
        self.path, self.block, self.start, self.end = path, block, start, end
        self.line = block.lines[start] if block.lines else 0
        self.text = " ".join(COMMENT_RE.sub(" ", block.text[start:end]).split())
        self.marks = []  # (kind, body, line)


def read_claims(paths):
    """([Sentence], [problem]): every sentence that carries a claim or a
    no-claim, and a problem for each sentence whose wording reads a number
    without one."""
    marked, problems = [], []
    for path in paths:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        every = []  # (Sentence, masked text, kind of block)
        previous = None  # the last sentence of the blocks so far
        for block in blocks(path.read_text()):
            masked = mask(block.text)
            found = [Sentence(rel, block, s, e) for s, e in sentences(masked)]
            every += [(s, masked[s.start:s.end], block.kind) for s in found]
            for m in COMMENT_RE.finditer(unquote(block.text)):  # not one shown as `code`
                line = block.lines[m.start()]
                body = block.text[m.start(1):m.end(1)]
                c = CLAIM_RE.match(body)
                if not c:
                    if re.match(r"\s*(no-)?claims?\b", body):
                        problems.append(f"{rel}:{line}: `<!--{body}-->` is not "
                                        "`<!-- claim: EXPR -->` or `<!-- no-claim: REASON -->`")
                    continue
                kind, body = c.group(1), " ".join(c.group(2).split())
                before = len(masked[:m.start()].rstrip())
                # The sentence the comment follows; alone in its block, the
                # last sentence before it (a heading's, say).
                owner = next((s for s in reversed(found) if s.start < before), None) if before else previous
                if owner is None:
                    problems.append(f"{rel}:{line}: a {kind} that follows no sentence")
                elif not body:
                    problems.append(f"{rel}:{line}: an empty {kind}: "
                                    + ("name the numbers and the condition" if kind == "claim" else "say why"))
                else:
                    owner.marks.append((kind, body, line))
            if found:
                previous = found[-1]
        for s, text, kind in every:
            if s.marks:
                marked.append(s)
                continue
            t = TRIGGER_RE.search(text)
            if t and kind != "heading":
                problems.append(
                    f"{rel}:{s.line}: this sentence reads like an interpretation of a measured number "
                    f"(\"{t.group(0)}\"), but carries no claim:\n    {s.text}\n  Put "
                    "`<!-- claim: EXPR -->` right after it (the numbers: claims.py --names book/html), "
                    "let the benchmark print it, or, if no number of the build backs it, say why with "
                    "`<!-- no-claim: REASON -->`.")
    return marked, problems


# --- evaluating a claim ---------------------------------------------------------

NAME_RE = re.compile(r"\b[A-Za-z_]\w*(?:\.\w+)+")
OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
       ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_,
       ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
       ast.Eq: operator.eq, ast.NotEq: operator.ne}
FUNCS = {"abs": abs, "min": min, "max": max}


# A bench script keeps its measurement (target/cache/bench-*.json) and bookrun
# keeps the page's output: measuring again takes both steps.
AGAIN = ("Measure again when the machine is quieter: run the benchmark with --fresh (it stores the new run), "
         "then BOOKRUN_NO_CACHE=1 bash ci/book.sh (which runs every output of the book again).")


class ClaimError(Exception):
    pass


def names_in(expr):
    return list(dict.fromkeys(NAME_RE.findall(expr)))


def evaluate(expr, values):
    """The value of EXPR with the numbers VALUES; ClaimError if it cannot be
    evaluated, names an unknown number or is not a comparison."""
    slots = {}

    def slot(m):
        slots.setdefault(m.group(0), f"_n{len(slots)}")
        return slots[m.group(0)]

    try:
        tree = ast.parse(NAME_RE.sub(slot, expr), mode="eval")
    except SyntaxError as e:
        raise ClaimError(f"cannot read `{expr}`: {e.msg}") from None
    unknown = [n for n in slots if n not in values]
    if unknown:
        hints = []
        for n in unknown:
            close = difflib.get_close_matches(n, values, n=3, cutoff=0.6)
            prefix = n.split(".")[0] + "."
            known = sorted(v for v in values if v.startswith(prefix))
            hint = (f"did you mean {', '.join(close)}?" if close else
                    f"{len(known)} numbers start with {prefix}" if known else
                    f"no page carries numbers named {prefix}*")
            hints.append(f"{n} ({hint})")
        raise ClaimError("names a number that no page of this build carries: " + "; ".join(hints))
    env = {v: values[k] for k, v in slots.items()}

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
            return node.value
        if isinstance(node, ast.Name) and node.id in env:
            return env[node.id]
        if isinstance(node, ast.Name) and node.id in ("True", "False"):
            return node.id == "True"
        if isinstance(node, ast.BoolOp):
            vals = [ev(v) for v in node.values]
            return all(vals) if isinstance(node.op, ast.And) else any(vals)
        if isinstance(node, ast.UnaryOp) and type(node.op) in OPS:
            return OPS[type(node.op)](ev(node.operand))
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            try:
                return OPS[type(node.op)](ev(node.left), ev(node.right))
            except (ZeroDivisionError, OverflowError) as e:
                raise ClaimError(f"`{expr}`: {e}") from None
        if isinstance(node, ast.Compare) and all(type(o) in OPS for o in node.ops):
            left = ev(node.left)
            for op, right in zip(node.ops, node.comparators):
                right = ev(right)
                if not OPS[type(op)](left, right):
                    return False
                left = right
            return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCS
                and not node.keywords and node.args):
            return FUNCS[node.func.id](*(ev(a) for a in node.args))
        raise ClaimError(f"`{expr}`: `{ast.unparse(node)}` is not part of the claim language "
                         "(names, numbers, + - * / **, comparisons, and/or/not, abs/min/max)")

    result = ev(tree)
    if not isinstance(result, bool):
        raise ClaimError(f"`{expr}` is a number ({result!r}), not a comparison")
    return result


def show(values, expr):
    return ", ".join(f"{n} = {values[n]:.4g}" if not isinstance(values[n], bool) else f"{n} = {values[n]}"
                     for n in names_in(expr) if n in values)


def crowded(expr, values):
    """The runs whose numbers EXPR reads that other work crowded: more
    runnable processes than cores when they started (NAME.run.load and
    NAME.run.cores, from benchkit's `numbers`), as 'NAME (load L on C cores)'."""
    out = []
    for prefix in dict.fromkeys(n.split(".")[0] for n in names_in(expr)):
        load, cores = values.get(f"{prefix}.run.load"), values.get(f"{prefix}.run.cores")
        if load is not None and cores and load > cores:
            out.append(f"{prefix} (load average {load:g} on {cores} cores)")
    return out


def check(site, src, strict=None, false_runs=None):
    """(claims, numbers, problems, warnings). A false claim is a problem; on a
    run that other work crowded it is only a warning, unless STRICT (by
    default: CI=true), where it is a problem too. FALSE_RUNS, a set, gets
    the NAME of every benchmark run (`numbers NAME`) that a false claim reads."""
    if strict is None:
        strict = os.environ.get("CI") == "true"
    values, _, problems = site_numbers(site)
    marked, found = read_claims(chapters(src))
    problems += found
    # A one-chapter preview (ci/book.sh --chapter, never in CI) ran only that
    # chapter's outputs: the other chapters' claims have no numbers to read.
    only = os.environ.get("BOOKRUN_ONLY")
    warnings, claims = [], 0
    for s in marked:
        if only and (ROOT / s.path).resolve() != (ROOT / only).resolve():
            continue
        for kind, body, line in s.marks:
            if kind != "claim":
                continue
            claims += 1
            try:
                ok = evaluate(body, values)
            except ClaimError as e:
                if only and "no page of this build carries" in str(e):
                    continue  # a preview: another chapter's numbers did not run
                problems.append(f"{s.path}:{line}: the claim of this sentence {e}:\n    {s.text}")
                continue
            if ok:
                continue
            if false_runs is not None:
                false_runs.update(n.split(".")[0] for n in names_in(body)
                                  if n in values and f"{n.split('.')[0]}.run.cores" in values)
            report = (f"{s.path}:{line}: this sentence is false for the numbers of this build:\n    {s.text}\n"
                      f"  claim: {body}\n  where: {show(values, body)}\n")
            busy = crowded(body, values)
            if busy and not strict:
                warnings.append(report + f"  The run was crowded by other work: {', '.join(busy)}. {AGAIN} "
                                "With CI=true this fails the build.")
            else:
                problems.append(report + "  Rewrite the sentence (or let the benchmark print it from its "
                                f"numbers). If other work disturbed this run: {AGAIN}")
    return claims, len(values), problems, warnings


def where_key(problem):
    """Sort key: a problem that names FILE:LINE by file and line, the others first."""
    m = re.match(r"(\S+?):(\d+):", problem)
    return (m.group(1), int(m.group(2))) if m else ("", 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site", type=Path)
    ap.add_argument("--src", type=Path, default=ROOT / "src")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true")
    group.add_argument("--names", action="store_true")
    ap.add_argument("--remeasure", type=Path, metavar="FILE",
                    help="write the NAMEs of the benchmark runs that false claims read to FILE, one a line")
    a = ap.parse_args()
    if not a.site.is_dir():
        sys.exit(f"claims: {a.site} is not a folder: build the book first (bash ci/book.sh)")
    if a.names:
        values, where, problems = site_numbers(a.site)
        for n in sorted(values):
            print(f"{n} = {values[n]!r}  ({where[n]})")
        print("\n".join(problems), file=sys.stderr)
        return 1 if problems else 0
    if a.list:
        values, _, _ = site_numbers(a.site)
        marked, _ = read_claims(chapters(a.src))
        for s in marked:
            for kind, body, line in s.marks:
                try:
                    verdict = "holds" if kind == "no-claim" or evaluate(body, values) else "FALSE"
                except ClaimError as e:
                    verdict = f"ERROR: {e}"
                print(f"{s.path}:{line}: [{kind}] {body}  -> {verdict}"
                      + (f" ({show(values, body)})" if kind == "claim" else "") + f"\n    {s.text}")
        return 0
    false_runs = set()
    claims, numbers, problems, warnings = check(a.site, a.src, false_runs=false_runs)
    if a.remeasure:
        a.remeasure.write_text("".join(f"{n}\n" for n in sorted(false_runs)) if problems else "")
    problems.sort(key=where_key)
    warnings.sort(key=where_key)
    if warnings:
        print(f"claims: warning: {len(warnings)} claim(s) false on a crowded run:\n", file=sys.stderr)
        print("\n\n".join(warnings) + "\n", file=sys.stderr)
    if problems:
        print(f"claims: {len(problems)} problem(s) with the sentences that read a number:\n", file=sys.stderr)
        print("\n\n".join(problems), file=sys.stderr)
        return 1
    held = claims - len(warnings)
    print(f"claims: {held} claims in the chapters hold for the {numbers} numbers of this build"
          + (f"; {len(warnings)} false on a crowded run (warnings above)" if warnings else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
