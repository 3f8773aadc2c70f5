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
    src = list(Path(os.path.expanduser("~/.cargo/registry/src")).glob(f"*/numpy-{numpy_crate}"))
    if not src:
        pytest.skip("the pinned crates' sources are not in ~/.cargo/registry")
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
