"""The book's documentation checks can fail: links, anchors, versions, spelling."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "ci"
sys.path.insert(0, str(CI / "checks"))
from check_links import pinned_versions  # noqa: E402

def run(*args, **kw):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, **kw)


def refs():
    out = run(CI / "checks" / "doc_links.py", "refs")
    assert out.returncode == 0, out.stderr
    return dict(line[1:].split("]: ", 1) for line in out.stdout.splitlines())


def test_doc_links_take_their_versions_from_the_locks():
    crates, python = pinned_versions()
    (pyo3,) = crates["pyo3"]
    (numpy_crate,) = crates["numpy"]
    links = refs()
    assert links["pyo3-guide"] == f"https://pyo3.rs/v{pyo3}/"
    assert links["numpy-api"] == f"https://docs.rs/numpy/{numpy_crate}/numpy/"
    assert links["maturin-pypi"] == f"https://pypi.org/project/maturin/{python['maturin']}/"
    minor = ".".join(python["numpy"].split(".")[:2])
    assert links["numpy-c-api"] == f"https://numpy.org/doc/{minor}/reference/c-api/index.html"


def book(tmp_path, body):
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text(f"<html><body><h1 id='top'>Top</h1>{body}</body></html>")
    (html / "a.html").write_text("<html><body><h2 id='good-anchor'>Good</h2></body></html>")
    return run(CI / "checks" / "check_links.py", html)


def test_good_links_pass(tmp_path):
    good = refs()["pyo3-guide"]
    p = book(tmp_path, f"<a href='a.html#good-anchor'>x</a><a href='#top'>t</a><a href='{good}'>g</a>")
    assert p.returncode == 0, p.stderr
    assert "all resolve" in p.stdout


@pytest.mark.parametrize("href, message", [
    ("missing.html", "broken link 'missing.html': "),
    ("a.html#no-such-anchor", "broken anchor 'a.html#no-such-anchor': a.html has no id 'no-such-anchor'"),
    ("#nowhere", "broken anchor '#nowhere': index.html has no id 'nowhere'"),
    ("http://docs.python.org/ext/ext.html", "external link http://docs.python.org/ext/ext.html is http, not https"),
    ("https://127.0.0.1/x", "points at a local or numeric host"),
    ("https://pyo3.rs/v0.1.0/", "version 0.1.0 of pyo3"),
    ("https://docs.rs/numpy/latest/numpy/", "must name the pinned version, not 'latest'"),
    ("https://numpy.org/doc/1.26/reference/c-api/index.html", "version 1.26 of NumPy"),
    ("https://pypi.org/project/maturin/0.1.0/", "version 0.1.0 of maturin"),
])
def test_bad_links_fail(tmp_path, href, message):
    p = book(tmp_path, f"<a href='{href}'>bad</a>")
    assert p.returncode == 1
    assert message in p.stderr, p.stderr
    if href == "missing.html":
        assert f"{tmp_path / 'html' / 'missing.html'} does not exist" in p.stderr


def test_pyo3_guide_page_and_rustdoc_items_must_exist_in_the_pinned_source(tmp_path):
    crates, _ = pinned_versions()
    (pyo3,) = crates["pyo3"]
    (numpy_crate,) = crates["numpy"]
    # Where check_links.py looks: $CARGO_HOME (hosted CI's rust image says
    # /usr/local/cargo), else ~/.cargo.
    registry = Path(os.environ.get("CARGO_HOME") or os.path.expanduser("~/.cargo")) / "registry" / "src"
    src = list(registry.glob(f"*/numpy-{numpy_crate}")) + list(registry.glob(f"*/pyo3-{pyo3}"))
    if len(src) < 2:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the pinned crates' sources are not in {registry}: the listings should have been built")
        pytest.skip(f"the pinned crates' sources are not in {registry} (build the listings first)")
    p = book(tmp_path, f"<a href='https://pyo3.rs/v{pyo3}/no-such-page.html'>x</a>"
                       f"<a href='https://docs.rs/numpy/{numpy_crate}/numpy/struct.NoSuchArray.html'>y</a>"
                       f"<a href='https://docs.rs/numpy/{numpy_crate}/numpy/nomodule/index.html'>z</a>")
    assert p.returncode == 1
    assert f"no page no-such-page.html in the PyO3 {pyo3} guide" in p.stderr
    assert f"struct NoSuchArray is not defined in numpy {numpy_crate}'s source" in p.stderr
    assert f"module numpy::nomodule is not in numpy {numpy_crate}'s source" in p.stderr


needs_hunspell = pytest.mark.skipif(
    not shutil.which("hunspell") and os.environ.get("CI") != "true",
    reason="hunspell not installed (ci/setup.sh installs it as root)")


@needs_hunspell
def test_spellcheck_catches_any_misspelt_word_in_prose_only(tmp_path):
    md = tmp_path / "chapter.md"
    md.write_text(textwrap.dedent("""\
        # A chapter

        NumPy arrays go in, a florbulated result comes out.
        The code `frobnicatez()` and [a link](https://example.org/qwxzt) are not prose.

        ```rust
        let zzqv = 1;
        ```

        <!-- cmdrun ../ci/chapters/bookrun raw -- echo xqzzv -->
        """))
    p = run(CI / "checks" / "spellcheck.py", md)
    assert p.returncode == 1
    assert f"{md}:3: unknown word 'florbulated'" in p.stderr, p.stderr
    for word in ("frobnicatez", "qwxzt", "zzqv", "xqzzv"):
        assert word not in p.stderr


@needs_hunspell
def test_spellcheck_passes_the_book():
    p = run(CI / "checks" / "spellcheck.py")
    assert p.returncode == 0, p.stderr
    assert "all known" in p.stdout


def test_the_rotten_book_of_the_chapter_fails_once_per_rotten_link():
    p = run(CI / "checks" / "check_links.py", CI / "tests" / "fixtures" / "rotten-book")
    assert p.returncode == 1
    assert "4 problem(s) in 2 pages" in p.stderr
    for what in ("broken anchor 'chapter.html#build': chapter.html has no id 'build' (ids there include: building)", "broken link 'chaptre.html'",
                 "http://docs.python.org/ext/ext.html is http, not https", "version 0.20.0 of pyo3"):
        assert what in p.stderr
    assert "chapter.html#building" not in p.stderr


@needs_hunspell
def test_spellcheck_fixture():
    p = run(CI / "checks" / "spellcheck.py", CI / "tests" / "fixtures" / "misspelt.md")
    assert p.returncode == 1
    assert "misspelt.md:4: unknown word 'reproducable'; did you mean reproducible" in p.stderr
    assert "1 unknown word(s)" in p.stderr


# --- the chapters' text against SUMMARY.md and listings/ (book_listings.page_problems) ---

def load(name, path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


GOOD_CHAPTER = textwrap.dedent("""\
    # The skeleton

    Listing 1-2 is a crate; [chapter 2](ch02-two.md) debugs it, and the
    Guide's chapter 13 and chapter 14 of *Guide to NumPy* are another book's.

    <span class="filename" data-listing="listings/ch01-one/listing-01-02">Filename: src/lib.rs</span>

    ```rust,skt-pymodule
    {{#include ../listings/ch01-one/listing-01-02/src/lib.rs}}
    ```

    <span class="caption" data-listing="listings/ch01-one/listing-01-02">Listing 1-2: the skeleton</span>

    <span class="broken">Broken on purpose: the names differ</span>
    <span class="filename" data-listing="listings/ch01-one/listing-01-03">Filename: src/lib.rs</span>

    <!-- skeptic: a fragment -->
    ```rust,ignore
    {{#include ../listings/ch01-one/listing-01-03/src/lib.rs:part}}
    ```

    ```text
    chapter 99 inside a code block is output, not a reference
    ```
    """)


def planted_book(tmp_path, chapter=GOOD_CHAPTER, extra=None):
    root = tmp_path / "book"
    (root / "src").mkdir(parents=True)
    (root / "src" / "SUMMARY.md").write_text(textwrap.dedent("""\
        # Summary

        [Introduction](introduction.md)

        - [One](ch01-one.md)
        - [Two](ch02-two.md)
        - [Three, a draft]()

        ---

        [Contributing](contributing.md)
        """))
    for name in ("introduction.md", "ch02-two.md", "contributing.md", "404.md"):
        (root / "src" / name).write_text("# A page\n")
    (root / "src" / "ch01-one.md").write_text(chapter)
    for name, toml in (("listing-01-02", '[package]\nname = "skeleton"\n'),
                       ("listing-01-03", '[package]\nname = "renamed"\n\n[package.metadata.book]\n'
                                         'broken-on-purpose = "the names differ"\n')):
        crate = root / "listings" / "ch01-one" / name
        (crate / "src").mkdir(parents=True)
        (crate / "Cargo.toml").write_text(toml)
        (crate / "src" / "lib.rs").write_text("// ANCHOR: part\nfn f() {}\n// ANCHOR_END: part\n")
    for name, text in (extra or {}).items():
        (root / "src" / name).write_text(text)
    mod = load("book_listings_pages", CI / "listing-tools" / "book_listings.py")
    return mod.page_problems(root / "src", root / "listings")


def test_a_page_that_keeps_the_conventions_passes(tmp_path):
    assert planted_book(tmp_path) == []


@pytest.mark.parametrize("fault, message", [
    ("See chapter 5.", "'chapter 5': there is no chapter 5 in SUMMARY.md (1 to 3)"),
    ("Chapter 3 will say more.", "'Chapter 3': chapter 3 is a draft in SUMMARY.md"),
    ("As [chapter 2](ch01-one.md#x) shows.", "says chapter 2, which is ch02-two.md, not ch01-one.md"),
    ("Listing 1-7 does it.", "'listing 1-7': there is no listings/ch01-*/listing-01-07"),
    ("Listings 1-2 and 2-1 agree.", "'listing 2-1': there is no listings/ch02-*/listing-02-01"),
    ('<span class="filename">Filename: listings/ch01-one/listing-01-02/src/lib.rs</span>\n\n'
     "```rust,ignore\n{{#include ../listings/ch01-one/listing-01-02/src/lib.rs:part}}\n```",
     "a filename under listings/ needs data-listing"),
    ('<span class="filename">Filename: src/lib.rs</span>\n\n'
     "```rust,skt-pymodule\n{{#include ../listings/ch01-one/listing-01-02/src/lib.rs}}\n```",
     'this block shows listings/ch01-one/listing-01-02/src/lib.rs: write <span class="filename" '
     'data-listing="listings/ch01-one/listing-01-02">Filename: src/lib.rs</span>'),
    ('<span class="filename" data-listing="listings/ch01-one/listing-01-02">Filename: lib.rs</span>\n\n'
     "```rust,skt-pymodule\n{{#include ../listings/ch01-one/listing-01-02/src/lib.rs}}\n```",
     "but its filename line says listings/ch01-one/listing-01-02: lib.rs"),
    ("```rust\n{{#include ../listings/ch01-one/listing-01-02/src/lib.rs}}\n```",
     "the whole of ../listings/ch01-one/listing-01-02/src/lib.rs is shown in ```rust: write "
     "```rust,skt-pymodule"),
    ("<!-- skeptic: why -->\n```rust,ignore\n{{#include ../listings/ch01-one/listing-01-02/src/lib.rs:all}}\n```",
     "is shown in ```rust,ignore"),
    ('<span class="caption">Listing 1-2: no folder named</span>', 'the caption of listing 1-2 needs data-listing'),
    ('<span class="caption" data-listing="listings/ch01-one/listing-01-02">Listing 1-3: wrong</span>',
     "caption says listing 1-3 but data-listing is listings/ch01-one/listing-01-02"),
    ('<span class="caption" data-listing="listings/ch01-one/listing-01-09">Listing 1-9: gone</span>',
     'data-listing="listings/ch01-one/listing-01-09" is not a folder'),
    ('<span class="broken">Broken on purpose: why</span>\n\n```rust,skt-pymodule\nfn main() {}\n```',
     "put the broken-on-purpose badge directly above the filename line"),
    ('<span class="broken">Broken on purpose: it is not</span>\n'
     '<span class="filename" data-listing="listings/ch01-one/listing-01-02">Filename: src/lib.rs</span>\n\n'
     "<!-- skeptic: a fragment -->\n```rust,ignore\n{{#include ../listings/ch01-one/listing-01-02/src/lib.rs:part}}\n```",
     "listings/ch01-one/listing-01-02 is not broken on purpose (no [package.metadata.book] "
     "broken-on-purpose), but has the badge"),
])
def test_each_planted_fault_in_a_page_is_caught(tmp_path, fault, message):
    problems = planted_book(tmp_path, GOOD_CHAPTER + "\n" + fault + "\n")
    assert any(message in p for p in problems), problems


def test_a_listing_broken_on_purpose_without_its_badge_is_caught(tmp_path):
    chapter = GOOD_CHAPTER.replace('<span class="broken">Broken on purpose: the names differ</span>\n', "")
    problems = planted_book(tmp_path, chapter)
    assert problems == ['src/ch01-one.md: listings/ch01-one/listing-01-03 is broken on purpose: put '
                        '<span class="broken">Broken on purpose: why</span> directly above the filename '
                        'line of its first block that shows the fault'], problems


def test_a_chapter_missing_from_summary_is_caught(tmp_path):
    problems = planted_book(tmp_path, extra={"appendix-forgotten.md": "# Forgotten\n"})
    assert problems == ["src/appendix-forgotten.md is not in SUMMARY.md: link it there "
                        "(mdbook would not build it, and no check would read it)"]


def test_a_literal_include_directive_on_a_page_fails_the_book(tmp_path):
    check_book = load("check_book_pages", CI / "checks" / "check_book.py")
    html = tmp_path / "html"
    html.mkdir()
    (html / "ch01-skeleton.html").write_text(
        "<pre><code>{{#include ../listings/ch01-skeleton/listing-01-02/src/lib.rs}}</code></pre>")
    (html / "ch02.html").write_text("<p>{{#rustdoc_include ../x.rs:all}}</p><p>{{ not a directive }}</p>")
    (html / "contributing.html").write_text("<code>{{#include ../listings/...}}</code>")  # teaches it
    (html / "print.html").write_text("<code>{{#include ../listings/...}}</code>")
    problems = check_book.directive_problems(html)
    assert len(problems) == 2, problems
    assert problems[0].startswith("ch01-skeleton.html shows the directive "
                                  "`{{#include ../listings/ch01-skeleton/listing-01-02/src/lib.rs}}`")
    assert problems[1].startswith("ch02.html shows the directive `{{#rustdoc_include ../x.rs:all}}`")

