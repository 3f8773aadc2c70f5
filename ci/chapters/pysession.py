#!/usr/bin/env python3
"""Run a Python file as if it were typed into the interactive interpreter.

Prints a transcript: each top-level statement behind ``>>> `` / ``... ``
prompts, followed by what it printed or returned, exactly as the REPL shows
it (expression values through ``sys.displayhook``, errors as a traceback
from ``<stdin>``). The book embeds these transcripts, so every Python session
on a page is a real run.

Markers, written as a comment at the end of a statement's first line and
removed from the transcript:

``# raises``   the statement must raise (the traceback is part of the page)
``# hide``     run the statement but do not show it

Any other exception is an error: the transcript is printed up to it and the
exit status is 1, so the book build fails instead of showing a surprise.
"""

import ast
import os
import signal
import sys
import traceback

# Python's own SIGINT handler, as the interactive interpreter has it: a
# process started from a background job (`bash ci/book.sh &`, nohup)
# inherits SIGINT ignored, Python then installs no handler, and a session
# that shows Ctrl-C (chapter 8's demo) would wait for a KeyboardInterrupt
# that never comes (run r14 of 2026-12-07, started that way).
signal.signal(signal.SIGINT, signal.default_int_handler)

MARKERS = ("# raises", "# hide")


def statements(source):
    """Yield (source text, marker, compound?, first line number) for each
    top-level statement."""
    lines = source.splitlines()
    tree = ast.parse(source)
    for node in tree.body:
        start = node.lineno - 1
        if getattr(node, "decorator_list", None):
            start = node.decorator_list[0].lineno - 1
        text = lines[start : node.end_lineno]
        marker = None
        first = text[0].rstrip()
        for m in MARKERS:
            if first.endswith(m):
                marker = m[2:]
                text[0] = first[: -len(m)].rstrip()
        yield "\n".join(text), marker, isinstance(node, ast.stmt) and _compound(node), start + 1


def _compound(node):
    return isinstance(
        node,
        (ast.For, ast.While, ast.If, ast.With, ast.Try, ast.FunctionDef,
         ast.ClassDef, ast.AsyncFunctionDef, ast.Match),
    )


def show(text, compound):
    out = []
    for i, line in enumerate(text.splitlines()):
        out.append((">>> " if i == 0 else "... ") + line)
    if compound:
        out.append("... ")
    print("\n".join(out))


def print_exception(exc):
    """Print exc as the REPL does: only frames from <stdin> and beyond."""
    te = traceback.TracebackException.from_exception(exc)
    frames = [f for f in te.stack if f.filename != __file__]
    te.stack = traceback.StackSummary.from_list(frames)
    sys.stdout.write("".join(te.format()))


def main():
    path = sys.argv[1]
    with open(path) as f:
        source = f.read()
    # The demo runs from its own folder, like `python demo.py` would.
    os.chdir(os.path.dirname(os.path.abspath(path)))
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    for text, marker, compound, lineno in statements(source):
        if marker != "hide":
            show(text, compound)
        sys.stdout.flush()
        code = compile(text + "\n", "<stdin>", "single")
        try:
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - PanicException is a BaseException
            sys.stdout.flush()
            sys.stderr.flush()
            print_exception(exc)
            sys.stdout.flush()
            if marker != "raises":
                print(f"pysession: unexpected {type(exc).__name__} in {path}, line {lineno} "
                      "(end the statement's first line with `# raises` if it is meant to raise)",
                      file=sys.stderr)
                return 1
            continue
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        if marker == "raises":
            print(f"pysession: statement marked '# raises' did not raise in {path}, line {lineno}:\n{text}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
