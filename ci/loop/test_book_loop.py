"""The warm loop of a contributor, on the real book (ci/test.sh runs this
after it has built the book once, step 4d):

* a second `bash ci/book.sh` runs no command again and rebuilds no listing
  (nothing the first build did changed what it reads);
* a one-chapter prose edit runs no command either, and the page shows it;
* a changed listing runs again exactly the outputs that recorded a
  dependency on it, and no other;
* a reader without the optional tools (gdb, valgrind, a debug or a
  free-threaded CPython, ...) gets a note in place of each output that
  needs one, and a build that succeeds (BOOK_HIDE_TOOLS hides them).

Each test runs the whole `ci/book.sh` and parses its report lines. It
edits files of the repository and puts them back, so it must not run
beside another build.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "target" / "cache" / "bookrun"
LOG = ROOT / "target" / "bookrun.log"

pytestmark = pytest.mark.skipif(not (ROOT / "book" / "html" / "index.html").exists(),
                                reason="build the book first (bash ci/book.sh): these tests rebuild it")


def build():
    p = subprocess.run(["bash", str(ROOT / "ci" / "book.sh")], cwd=ROOT, capture_output=True, text=True)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-6000:]
    m = re.search(r"^book: (\d+) outputs: (\d+) ran, (\d+) from the cache, (\d+) notes", out, re.M)
    assert m, out[-3000:]
    total, ran, cached, notes = map(int, m.groups())
    rebuilt = re.findall(r"^==> building (\S+)", out, re.M)
    entries = [json.loads(line) for line in LOG.read_text().splitlines() if line.strip()]
    return {"total": total, "ran": ran, "cached": cached, "notes": notes, "rebuilt": rebuilt,
            "ran_args": [e["args"] for e in entries if e["status"] == "ran"], "out": out}


def test_a_second_build_runs_nothing_again():
    build()  # whatever the state, then...
    again = build()
    assert again["rebuilt"] == [], again["rebuilt"]
    assert again["ran"] == 0, again["ran_args"]
    assert again["cached"] + again["notes"] == again["total"] > 80


def test_a_prose_edit_runs_nothing_and_shows_on_the_page():
    chapter = ROOT / "src" / "ch04-documentation.md"
    text = chapter.read_text()
    sentence = "This sentence was added by test_book_loop.py and is removed again."
    build()
    try:
        chapter.write_text(text.replace("\n## ", f"\n{sentence}\n\n## ", 1))
        edited = build()
    finally:
        chapter.write_text(text)
    assert edited["rebuilt"] == [] and edited["ran"] == 0, edited["ran_args"]
    assert sentence in (ROOT / "book" / "html" / "ch04-documentation.html").read_text()
    build()


def recorded_dependents(listing):
    """The cached outputs whose recorded dependencies include LISTING."""
    keys = []
    for f in CACHE.glob("*.json"):
        deps = json.loads(f.read_text())["deps"]
        if f"listing:{listing}" in deps:
            keys.append(f.stem)
    return keys


def test_a_changed_listing_runs_only_its_own_outputs():
    listing = "listings/ch06-mailing-list/listing-06-06"
    build()
    dependents = recorded_dependents(listing)
    assert dependents, f"no output of the book records a dependency on {listing}"
    readme = ROOT / listing / "README.md"
    text = readme.read_text()
    try:
        readme.write_text(text + "\n<!-- an edit by test_book_loop.py -->\n")
        changed = build()
    finally:
        readme.write_text(text)
    assert changed["rebuilt"] == [listing], changed["rebuilt"]
    assert changed["ran"] == len(dependents), (changed["ran_args"], dependents)
    assert 0 < changed["ran"] < changed["total"] / 4
    build()  # back as it was: the README is as before, so is the stamp


def needing_directives():
    """{tool: number of directives that --needs it}, from the chapters."""
    import sys
    sys.path.insert(0, str(ROOT / "ci" / "chapters"))
    import bookrun
    counts = {}
    ap = bookrun.parser()
    for _, argv in bookrun.directives():
        for tool in set(ap.parse_args(argv).needs):
            counts[tool] = counts.get(tool, 0) + 1
    return counts


def test_a_reader_without_the_optional_tools_gets_notes_not_a_failure():
    """Outside CI, an output whose tool is missing is a note on its page and
    the build succeeds, saying how many notes it printed; every other
    output is still there."""
    import os
    counts = needing_directives()
    assert {"gdb", "valgrind", "debug-python", "python-symbols", "freethreaded"} <= set(counts), counts
    build()
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "BOOK_REQUIRE_TOOLS")}
    env["BOOK_HIDE_TOOLS"] = ",".join(counts)
    p = subprocess.run(["bash", str(ROOT / "ci" / "book.sh")], cwd=ROOT, capture_output=True, text=True, env=env)
    out = p.stdout + p.stderr
    try:
        assert p.returncode == 0, out[-6000:]
        m = re.search(r"^book: (\d+) outputs: (\d+) ran, (\d+) from the cache, (\d+) notes", out, re.M)
        assert m, out[-3000:]
        total, ran, cached, notes = map(int, m.groups())
        # A directive that needs several hidden tools gives one note. The
        # table of which tools are here (--deps tools:) is the one output
        # that must run again: what it shows has changed.
        assert notes == len(needing_args()), out[-3000:]
        assert ran == len(availability_args()) and cached == total - notes - ran, out[-3000:]
        assert f"{notes} page output(s) show a note instead" in out
        pages = set(re.findall(r"^book: note: book/html/([\w-]+\.html):", out, re.M))
        assert {"ch02-debugging.html", "ch03-valgrind.html", "ch08-threads.html"} <= pages, pages
        html = (ROOT / "book" / "html" / "ch08-threads.html").read_text()
        assert "Not run here:" in html and "free-threaded CPython" in html
    finally:
        again = build()
    assert again["notes"] == 0 or os.environ.get("CI") != "true", again["out"][-3000:]
    # With the tools back, only their table runs again.
    assert sorted(tuple(a) for a in again["ran_args"]) == sorted(availability_args()), again["ran_args"]


def availability_args():
    """The directives whose output is the list of tools that are here."""
    import sys
    sys.path.insert(0, str(ROOT / "ci" / "chapters"))
    import bookrun
    ap = bookrun.parser()
    return [tuple(argv) for _, argv in bookrun.directives() if "tools:" in ap.parse_args(argv).deps]


def needing_args():
    import sys
    sys.path.insert(0, str(ROOT / "ci" / "chapters"))
    import bookrun
    ap = bookrun.parser()
    return [tuple(argv) for _, argv in bookrun.directives() if ap.parse_args(argv).needs]
