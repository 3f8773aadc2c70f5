#!/usr/bin/env python3
"""After `mdbook build`: fail if any command the book ran failed or was skipped.

mdbook-cmdrun never fails a build. So ci/chapters/bookrun logs every run to
$BOOKRUN_LOG, and this script checks that
  * no run failed,
  * every `<!-- cmdrun -->` directive in a chapter produced a successful run
    (a directive that cmdrun skipped or could not start leaves no log line),
  * no page contains cmdrun's or bookrun's error text,
  * no page carries the note a chapter tool prints instead of its output
    when what it runs is missing (gdb, valgrind, memray, the debug
    interpreter): with CI=true that fails the build, so the book CI
    builds, tests and publishes is complete; elsewhere it is a warning,
  * mdbook itself logged no ERROR or WARN (given its log as argument): it
    reports a broken {{#include}} that way and still exits 0,
  * no page shows a literal {{#include ...}} or {{#rustdoc_include ...}}:
    an escaped `\\{{#include}}` in a chapter puts the directive itself on the
    page, and nothing else notices (the Contributing page, which teaches the
    syntax, and print.html, which repeats it, are exempt).
"""

import html
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "listing-tools"))
from book_listings import ROOT, chapter_files  # noqa: E402

# Pages allowed to show the directive: they document it.
DIRECTIVE_PAGES = {"contributing.html", "print.html"}
DIRECTIVE_RE = re.compile(r"\{\{\s*#(include|rustdoc_include)\b[^}]*\}\}")


def directive_problems(html_root):
    """Every page of html_root that shows an unexpanded include directive."""
    problems = []
    for page in sorted(Path(html_root).rglob("*.html")):
        if page.name in DIRECTIVE_PAGES:
            continue
        for m in DIRECTIVE_RE.finditer(page.read_text(errors="replace")):
            problems.append(f"{page.relative_to(html_root)} shows the directive `{m.group(0)}` "
                            "instead of the file: a chapter escaped it (\\{{#...}}) or mdbook "
                            "could not expand it")
    return problems


# What the chapter tools print in place of their output when a tool is
# missing (ci/chapters/*.py, ci/valgrind/*.py): "(valgrind is not installed
# on the machine that built this page: no report)", "(gdb is not installed
# ...: the session was not run)", "(the debug interpreter is missing ...;
# nothing was run)". Any parenthesised line saying a thing was skipped,
# missing or not run counts.
SKIP_NOTE = re.compile(r"^\s*\(.*\b(not installed|is missing|not run|nothing was run|skipped)\b.*\)\s*$", re.M)


def skip_notes(site):
    """Every skip note in the HTML pages under SITE (book/html: cmdrun runs for
    the html renderer only), as 'page: note'. print.html repeats the others."""
    found = []
    for page in sorted(site.rglob("*.html")) if site.is_dir() else []:
        if page.name == "print.html":
            continue
        text = html.unescape(re.sub(r"<[^>]*>", "", page.read_text(errors="replace")))
        for m in SKIP_NOTE.finditer(text):
            found.append(f"{page.relative_to(site.parent.parent)}: {m[0].strip()}")
    return found


def main():
    log = Path(os.environ["BOOKRUN_LOG"])
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    problems = []
    for e in entries:
        if e["status"] != "ok":
            problems.append(f"a command failed ({e['cwd']}: bookrun {' '.join(e['args'])}):\n{e['detail']}")

    directives = 0
    for ch in chapter_files():
        directives += len(re.findall(r"<!--\s*cmdrun\s", ch.read_text()))
    ok = sum(1 for e in entries if e["status"] == "ok")
    if ok != directives:
        problems.append(f"{directives} cmdrun directives in the chapters but {ok} successful runs")

    for page in (ROOT / "book" / "html").rglob("*.html"):
        text = page.read_text(errors="replace")
        for marker in ("**cmdrun error**", "cmdrun error", "BOOK BUILD ERROR"):
            if marker in text:
                problems.append(f"{page.relative_to(ROOT)} contains '{marker}'")
                break

    problems += directive_problems(ROOT / "book" / "html")
    incomplete = skip_notes(ROOT / "book" / "html")
    if incomplete:
        if os.environ.get("CI") == "true":
            problems += [f"incomplete page (CI=true wants every output): {n}" for n in incomplete]
        else:
            for n in incomplete:
                print(f"book: warning: incomplete page: {n}", file=sys.stderr)
            print("book: warning: these pages show a note instead of an output, because a tool is missing here;"
                  " with CI=true this fails", file=sys.stderr)

    if len(sys.argv) > 1:
        for line in Path(sys.argv[1]).read_text(errors="replace").splitlines():
            if "[ERROR]" in line or "[WARN]" in line:
                problems.append(f"mdbook: {line}")

    for p in problems:
        print("book:", p, file=sys.stderr)
    if problems:
        sys.exit(f"book: {len(problems)} problem(s): the book build failed")
    slow = sorted(entries, key=lambda e: -e.get("seconds", 0))[:3]
    print(f"book: {ok} commands ran for the book, all as expected; slowest: " +
          ", ".join(f"{e.get('seconds', 0):.1f}s ({' '.join(e['args'])[:60]})" for e in slow))


if __name__ == "__main__":
    main()
