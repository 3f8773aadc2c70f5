#!/usr/bin/env python3
"""Spell-check the book's prose with hunspell and the project dictionary.

  spellcheck.py                 check every chapter SUMMARY.md links to
  spellcheck.py FILE.md...      check these files only
  spellcheck.py --words FILE    print the prose words of FILE, one a line
                                (to see what the checker reads)

What is checked: the text of src/SUMMARY.md and of every chapter it links
to, with the Markdown files they `{{#include}}` (CONTRIBUTING.md, say).
What is not: fenced code blocks, `inline code`, HTML comments (cmdrun
directives), {{#include}} lines, tags and attributes, link destinations
and reference labels, bare URLs. Command outputs are not in the sources,
so they are not checked either.

A word passes if hunspell knows it in British or American English (the book
writes British English; quoted names and APIs are often American) or if it
is in ci/checks/dictionary.txt (one word a line, compared without regard
to case). The dictionary is for real technical words and names: NumPy,
PyO3, dtype. Fix a real misspelling instead of adding it.

hunspell and its en_GB and en_US dictionaries are Debian packages that
ci/setup.sh installs. Without them this check says so and is skipped, except
under CI=true, where it fails.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "listing-tools"))
from book_listings import ROOT, SRC, chapter_files  # noqa: E402

DICTIONARY = HERE / "dictionary.txt"
LANGS = "en_GB,en_US"

FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
INCLUDE_RE = re.compile(r"\{\{#(?:include|rustdoc_include)\s+([^}\s]+)\s*\}\}")
# A word: letters, then letters or digits (PyO3, f64), with an apostrophe
# inside (don't, NumPy's). Hyphens and slashes split words.
WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)*")


def strip_inline(line):
    """The prose of one line, outside code blocks: code, URLs, tags removed."""
    # Inline code with any number of backticks.
    line = re.sub(r"(`+)(?:(?!\1).)+?\1", " ", line)
    # Escaped mdBook directives (\{{#include}}) and real ones.
    line = re.sub(r"\\?\{\{#[^}]*\}\}", " ", line)
    # Reference definitions: [label]: URL "title"
    line = re.sub(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", " ", line)
    # Inline links and images: keep the text, drop the destination.
    line = re.sub(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)", "] ", line)
    # Reference links: [text][label] keeps the text.
    line = re.sub(r"\]\[[^\]]*\]", "] ", line)
    # Autolinks and bare URLs, e-mail addresses.
    line = re.sub(r"<(?:https?|mailto):[^>]*>", " ", line)
    line = re.sub(r"\b(?:https?|ftp)://\S+", " ", line)
    line = re.sub(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+", " ", line)
    # HTML tags (their attributes are markup, not prose).
    line = re.sub(r"</?[A-Za-z][^>]*>", " ", line)
    # File names and paths (listings/ch01-skeleton/src/lib.rs, SUMMARY.md):
    # names, not words. A word ending a sentence is not a file name.
    line = re.sub(r"[\w.~-]*/[\w./~-]*", " ", line)
    line = re.sub(r"\b[\w-]+(?:\.[\w-]+)*\.[A-Za-z][A-Za-z0-9]*\b", " ", line)
    # HTML entities.
    line = re.sub(r"&[A-Za-z]+;|&#\d+;", " ", line)
    return line


def prose_lines(path, seen=None):
    """Yield (file, line number, prose) for the file and the .md it includes."""
    seen = seen if seen is not None else set()
    path = path.resolve()
    if path in seen:
        return
    seen.add(path)
    lines = path.read_text().splitlines()
    fence = None
    in_comment = False
    for n, raw in enumerate(lines, 1):
        m = FENCE_RE.match(raw)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and \
                    raw.strip() == m.group(1):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        line = raw
        # HTML comments, possibly over several lines.
        out = ""
        while line:
            if in_comment:
                end = line.find("-->")
                if end < 0:
                    line = ""
                    break
                line = line[end + 3:]
                in_comment = False
            else:
                start = line.find("<!--")
                if start < 0:
                    out += line
                    break
                out += line[:start] + " "
                line = line[start + 4:]
                in_comment = True
        for inc in INCLUDE_RE.finditer(out):
            target = (path.parent / inc.group(1).split(":")[0])
            if target.suffix == ".md" and target.exists():
                yield from prose_lines(target, seen)
        yield path, n, strip_inline(out)


def words_of(text):
    for m in WORD_RE.finditer(text):
        w = m.group(0).replace("’", "'")
        # A possessive or contraction is checked by hunspell as written;
        # a word that ends in an apostrophe (the listings') is plain.
        yield w.strip("'")


def load_dictionary():
    words = set()
    for line in DICTIONARY.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line.lower())
    return words


def hunspell_unknown(words):
    """The subset of words that hunspell does not know."""
    p = subprocess.run(["hunspell", "-d", LANGS, "-l"], input="\n".join(sorted(words)) + "\n",
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"spellcheck: hunspell failed: {p.stderr.strip()}")
    return {w for w in p.stdout.split() if w}


def hunspell_available():
    if not shutil.which("hunspell"):
        return "hunspell is not installed"
    p = subprocess.run(["hunspell", "-D"], input="", capture_output=True, text=True)
    listing = p.stdout + p.stderr
    missing = [lang for lang in LANGS.split(",") if not re.search(rf"/{lang}\b", listing)]
    if missing:
        return f"hunspell dictionaries missing: {', '.join(missing)}"
    return None


def suggestions(word):
    p = subprocess.run(["hunspell", "-d", LANGS, "-a"], input=word + "\n", capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("&"):
            return line.split(":", 1)[1].strip().split(", ")[:4]
    return []


def shown(path):
    path = Path(path).resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(argv):
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    if argv[:1] == ["--words"]:
        for _, n, text in prose_lines(Path(argv[1])):
            for w in words_of(text):
                print(w)
        return 0
    files = [Path(a) for a in argv] if argv else [SRC / "SUMMARY.md"] + chapter_files()
    why = hunspell_available()
    if why:
        if os.environ.get("CI") == "true":
            print(f"spellcheck: {why}; CI=true, so this is an error (ci/setup.sh installs them)",
                  file=sys.stderr)
            return 1
        print(f"spellcheck: SKIPPED: {why} (run ci/setup.sh as root, or "
              "apt-get install hunspell hunspell-en-gb hunspell-en-us)")
        return 0
    dictionary = load_dictionary()
    where = {}
    nwords = 0
    seen = set()
    for f in files:
        for path, n, text in prose_lines(f, seen):
            for w in words_of(text):
                nwords += 1
                low = w.lower()
                if low in dictionary or (low.endswith("'s") and low[:-2] in dictionary):
                    continue
                where.setdefault(w, []).append((path, n))
    unknown = hunspell_unknown(where) if where else set()
    if not unknown:
        print(f"spellcheck: {nwords} words in {len(seen)} files, all known "
              f"(hunspell {LANGS} + {len(dictionary)} words in {DICTIONARY.relative_to(ROOT)})")
        return 0
    for w in sorted(unknown, key=str.lower):
        locs = ", ".join(f"{shown(p)}:{n}" for p, n in where[w][:3])
        more = f" (+{len(where[w]) - 3} more)" if len(where[w]) > 3 else ""
        hint = suggestions(w)
        hint = f"; did you mean {' or '.join(hint)}?" if hint else ""
        print(f"spellcheck: {locs}{more}: unknown word '{w}'{hint}", file=sys.stderr)
    print(f"spellcheck: {len(unknown)} unknown word(s). Fix the spelling, or, if it is a real "
          f"word or name, add it to {DICTIONARY.relative_to(ROOT)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
