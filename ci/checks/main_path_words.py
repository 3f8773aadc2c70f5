#!/usr/bin/env python3
"""Count the prose words of the book's main path.

  main_path_words.py              the main path: every page before part two
                                  in SUMMARY.md (Introduction, quick start,
                                  part one's chapters), one line a page, then
                                  the total
  main_path_words.py FILE.md...   these pages only
  main_path_words.py --git REV    the main path as it was at REV (its
                                  SUMMARY.md and pages, read with git show)

What counts is what a reader reads as text on the rendered page: paragraphs,
lists, tables and headings, inline code included. What does not: fenced
code blocks and `{{#include}}` directives (listings), HTML comments
(cmdrun directives, whose output is a command's, and claim markers), the
whole of every `<details>` block (collapsed on the page), HTML tags and
link destinations. A word is a run of characters without spaces that holds
a letter or a digit.

Nothing fails: the numbers are for the record (issue 27 asked the main path
to shrink by a fifth), not a check.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"

FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
WORD_RE = re.compile(r"\S*[A-Za-z0-9]\S*")


def main_path(summary):
    """The pages of SUMMARY.md before its first part heading after the
    numbered chapters begin ("# Beyond the Cookbook")."""
    pages, numbered = [], False
    for line in summary.splitlines():
        if line.startswith("# ") and numbered:
            break
        if line.startswith("- "):
            numbered = True
        m = re.search(r"\]\(([^)]+\.md)\)", line)
        if m:
            pages.append(m.group(1))
    return pages


def prose(text):
    """The text of a page that counts (see the docstring)."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"<details>.*?</details>", " ", text, flags=re.S)
    out, fence = [], None
    for line in text.splitlines():
        m = FENCE_RE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                    and line.strip() == m.group(1):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        line = re.sub(r"\\?\{\{#[^}]*\}\}", " ", line)
        line = re.sub(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", " ", line)  # link definitions
        line = re.sub(r"\]\([^)\s]*\)", "] ", line)  # link destinations
        line = re.sub(r"\]\[[^\]]*\]", "] ", line)  # reference labels
        line = re.sub(r"</?[A-Za-z][^>]*>", " ", line)  # tags
        line = re.sub(r"^\s*\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$", " ", line)  # table rules
        line = re.sub(r"[|#*_>]", " ", line)  # Markdown markup
        out.append(line)
    return "\n".join(out)


def count(text):
    return len(WORD_RE.findall(prose(text)))


def git_show(rev, path):
    return subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def main(argv):
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    if argv[:1] == ["--git"]:
        rev = argv[1]
        pages = [(p, git_show(rev, f"src/{p}")) for p in main_path(git_show(rev, "src/SUMMARY.md"))]
    elif argv:
        pages = [(a, Path(a).read_text()) for a in argv]
    else:
        pages = [(p, (SRC / p).read_text()) for p in main_path((SRC / "SUMMARY.md").read_text())]
    total = 0
    for name, text in pages:
        n = count(text)
        total += n
        print(f"{n:7,}  {name}")
    print(f"{total:7,}  total")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
