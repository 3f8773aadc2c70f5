#!/usr/bin/env python3
"""After `mdbook build`: fail if any command the book ran failed or was skipped.

mdbook-cmdrun never fails a build. So ci/chapters/bookrun logs every run to
$BOOKRUN_LOG, and this script checks that
  * no run failed,
  * every `<!-- cmdrun -->` directive in a chapter produced a successful run
    (a directive that cmdrun skipped or could not start leaves no log line),
  * no page contains cmdrun's or bookrun's error text,
  * no page carries the note bookrun prints instead of an output whose
    tool is missing (--needs, ci/chapters/tools.py): with CI=true that
    fails the build, so the book CI builds, tests and publishes is
    complete; elsewhere the notes are counted and listed,
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


# What bookrun prints in place of an output whose tool is missing
# (ci/chapters/tools.py, note()).
NOTE_RE = re.compile(r'<div class="not-run">(.*?)</div>', re.S)


def notes_in(site):
    """Every note in place of an output (a missing tool, a one-chapter preview) in the HTML pages under SITE (book/html: cmdrun
    runs for the html renderer only), as 'page: note'. print.html repeats the others."""
    found = []
    for page in sorted(site.rglob("*.html")) if site.is_dir() else []:
        if page.name == "print.html":
            continue
        for m in NOTE_RE.finditer(page.read_text(errors="replace")):
            text = " ".join(html.unescape(re.sub(r"<[^>]*>", "", m.group(1))).split())
            found.append(f"{page.relative_to(site.parent.parent)}: {text}")
    return found


def main():
    log = Path(os.environ["BOOKRUN_LOG"])
    entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    problems = []
    for e in entries:
        if e["status"] == "fail":
            problems.append(f"a command failed ({e['cwd']}: bookrun {' '.join(e['args'])}):\n{e['detail']}")

    directives = 0
    for ch in chapter_files():
        directives += len(re.findall(r"<!--\s*cmdrun\s", ch.read_text()))
    counts = {s: sum(1 for e in entries if e["status"] == s) for s in ("ran", "cached", "note")}
    if sum(counts.values()) != directives:
        problems.append(f"{directives} cmdrun directives in the chapters but {sum(counts.values())} outputs "
                        f"({counts['ran']} ran, {counts['cached']} from the cache, {counts['note']} notes): "
                        "a directive that does not call ci/chapters/bookrun, or that cmdrun could not start, "
                        "leaves no log line")

    for page in (ROOT / "book" / "html").rglob("*.html"):
        text = page.read_text(errors="replace")
        for marker in ("**cmdrun error**", "cmdrun error", "BOOK BUILD ERROR"):
            if marker in text:
                problems.append(f"{page.relative_to(ROOT)} contains '{marker}'")
                break

    problems += directive_problems(ROOT / "book" / "html")
    notes = notes_in(ROOT / "book" / "html")
    if notes and os.environ.get("CI") == "true":
        problems += [f"incomplete page (CI=true wants every output): {n}" for n in notes]

    if len(sys.argv) > 1:
        for line in Path(sys.argv[1]).read_text(errors="replace").splitlines():
            if "[ERROR]" in line or "[WARN]" in line:
                problems.append(f"mdbook: {line}")

    for p in problems:
        print("book:", p, file=sys.stderr)
    if problems:
        sys.exit(f"book: {len(problems)} problem(s): the book build failed")
    slow = sorted((e for e in entries if e["status"] == "ran"), key=lambda e: -e.get("seconds", 0))[:3]
    print(f"book: {directives} outputs: {counts['ran']} ran, {counts['cached']} from the cache, "
          f"{counts['note']} notes" + ("; slowest: " + ", ".join(
              f"{e.get('seconds', 0):.1f}s ({' '.join(e['args'])[:60]})" for e in slow) if slow else ""))
    if notes:
        preview = [n for n in notes if "Not built in this preview" in n]
        for n in notes:
            if n not in preview:
                print(f"book: note: {n}", file=sys.stderr)
        why = []
        if len(notes) > len(preview):
            why.append(f"{len(notes) - len(preview)} because a tool is missing on this machine "
                       "(ci/chapters/tools.py)")
        if preview:
            why.append(f"{len(preview)} because this is a preview of one chapter (ci/book.sh --chapter)")
        print(f"book: {len(notes)} page output(s) show a note instead: {'; '.join(why)}. CI builds them all",
              file=sys.stderr)


if __name__ == "__main__":
    main()
