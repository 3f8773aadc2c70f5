"""ci/checks/claims.py can fail: a false claim, a claim naming a number no
page carries, a sentence that reads a number without a claim, two pages
with different runs of one benchmark. The numbers of the test books are
made by listings/benchkit.py's `numbers`, as a bench script makes them.
Nothing here is timed."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "ci" / "checks" / "claims.py"
FIXTURE = ROOT / "ci" / "tests" / "fixtures" / "claims"


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


claims = load("claims", CLAIMS)
bk = load("benchkit", ROOT / "listings" / "benchkit.py")


def run(*args, ci=False):
    """claims.py ARGS, outside CI (a false claim on a crowded run is a warning)
    or, with ci=True, as CI runs it (CI=true: it fails)."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, str(CLAIMS), *map(str, args)], capture_output=True, text=True, env=env)


def book(tmp_path, chapter, pages):
    """A one-chapter book: src/ with CHAPTER as chapter.md, html/ with one
    page per (name, text) of PAGES."""
    src, html = tmp_path / "src", tmp_path / "html"
    src.mkdir()
    html.mkdir()
    (src / "SUMMARY.md").write_text("# Summary\n\n- [Chapter](chapter.md)\n")
    (src / "chapter.md").write_text(textwrap.dedent(chapter))
    for name, text in pages.items():
        (html / name).write_text(f"<html><body><main>{text}</main></body></html>\n")
    return src, html


def numbers(name="bench", load=0.5, **values):
    """A report's last line, as benchkit writes it, for a run that started at
    load average LOAD (os.cpu_count() cores: the test machine's)."""
    return bk.numbers(name, values or {"min": {"rust": 0.002, "numpy": 0.003}, "simd": False, "cores": 2}, load)


def test_the_fixture_fails_once_for_each_kind_of_problem():
    out = run("--src", FIXTURE / "src", FIXTURE / "html")
    assert out.returncode == 1
    err = out.stderr
    assert "claims: 3 problem(s)" in err
    # A claim that is false for the page's numbers: the file, the line, the
    # sentence, the claim and the values.
    assert "src/measured.md:9: this sentence is false for the numbers of this build" in err
    assert "So the Rust function wins on every machine." in err
    assert "claim: demo.min.numpy > 2 * demo.min.rust" in err
    assert "where: demo.min.numpy = 0.0034, demo.min.rust = 0.0021" in err
    # A number that no page carries.
    assert re.search(r"measured\.md:10: the claim of this sentence names a number that no page of this "
                     r"build carries: demo\.peak\.rust \(did you mean demo\.min\.rust\?\)", err)
    # Wording that reads a number, with no claim.
    assert 'measured.md:11: this sentence reads like an interpretation of a measured number ("slower")' in err
    # The claim that holds is not reported.
    assert "measured.md:8:" not in err


def test_claims_that_hold_pass(tmp_path):
    src, html = book(tmp_path, """\
        # Chapter

        Rust is faster here. <!-- claim: bench.min.rust < bench.min.numpy -->
        It is 1.5× as fast, give or take. <!-- claim: 1.4 < bench.min.numpy / bench.min.rust < 1.6 -->
        The CPU had no SIMD loop for it <!-- claim: not bench.simd --> and two cores.
        <!-- claim: bench.cores == 2 -->

        AddressSanitizer is faster than valgrind. <!-- no-claim: what the tools are built for -->
        Here `a faster b` is code, and "faster" is a word we mention.
        """, {"chapter.html": numbers()})
    out = run("--src", src, html)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "claims: 4 claims in the chapters hold for the 6 numbers of this build"


def test_a_false_claim_fails_and_names_its_sentence(tmp_path):
    src, html = book(tmp_path, """\
        # Chapter

        Some text before.
        NumPy's expression differs only by its passes over memory, so it is slower. <!-- claim: bench.min.numpy > bench.min.rust * 2 -->
        """, {"chapter.html": numbers()})
    out = run("--src", src, html)
    assert out.returncode == 1
    assert "chapter.md:4: this sentence is false for the numbers of this build" in out.stderr
    assert "NumPy's expression differs only by its passes over memory, so it is slower." in out.stderr
    assert "Some text before" not in out.stderr  # the sentence, not its paragraph
    assert "bench.min.numpy = 0.003, bench.min.rust = 0.002" in out.stderr


def test_remeasure_names_the_runs_that_false_claims_read(tmp_path):
    # ci/book.sh measures again the runs that --remeasure names, then checks
    # again: only the runs that a false claim reads, never one whose claims
    # all hold, and nothing at all when every claim holds.
    chapter = """\
        # Chapter

        Rust is faster. <!-- claim: bench.min.rust < bench.min.numpy -->
        The other run says so too. <!-- claim: other.min.rust {op} other.min.numpy -->
        """
    pages = {"chapter.html": numbers() + numbers("other")}
    out_file = tmp_path / "runs.txt"
    (tmp_path / "false").mkdir()
    (tmp_path / "true").mkdir()
    src, html = book(tmp_path / "false", chapter.format(op=">"), pages)
    out = run("--remeasure", out_file, "--src", src, html)
    assert out.returncode == 1
    assert out_file.read_text() == "other\n"
    src, html = book(tmp_path / "true", chapter.format(op="<"), pages)
    out = run("--remeasure", out_file, "--src", src, html)
    assert out.returncode == 0, out.stderr
    assert out_file.read_text() == ""


def test_a_claim_after_a_heading_belongs_to_the_heading(tmp_path):
    src, html = book(tmp_path, """\
        # Chapter

        ## When NumPy wins
        <!-- claim: bench.min.numpy < bench.min.rust -->

        Text.
        """, {"chapter.html": numbers()})
    out = run("--src", src, html)
    assert out.returncode == 1
    assert "chapter.md:4: this sentence is false" in out.stderr
    assert "\n    When NumPy wins\n" in out.stderr


def test_unknown_names_and_bad_claims_fail(tmp_path):
    src, html = book(tmp_path, """\
        # Chapter

        One. <!-- claim: bench.min.rsut < 1 -->
        Two. <!-- claim: other.min.rust < 1 -->
        Three. <!-- claim: bench.min.rust -->
        Four. <!-- claim: bench.min.rust.__class__ == 1 -->
        Five. <!-- claim: __import__("os").system("true") == 0 -->
        Six. <!-- claim: bench.min.rust < -->
        Seven. <!-- claim: bench.min.rust / (bench.cores - 2) > 1 -->
        Eight. <!-- claim: -->
        Nine. <!-- claims: bench.min.rust < 1 -->
        """, {"chapter.html": numbers()})
    out = run("--src", src, html)
    assert out.returncode == 1
    err = out.stderr
    assert "chapter.md:3: the claim of this sentence names a number that no page of this build carries: " \
           "bench.min.rsut (did you mean bench.min.rust" in err
    assert "chapter.md:4:" in err and "other.min.rust (did you mean bench.min.rust" in err
    assert "chapter.md:5: the claim of this sentence `bench.min.rust` is a number (0.002), not a comparison" in err
    assert "chapter.md:6:" in err and "names a number that no page" in err.split("chapter.md:6:")[1].split("\n")[0]
    assert "chapter.md:7:" in err and "is not part of the claim language" in err.split("chapter.md:7:")[1].split("\n")[0]
    assert "chapter.md:8: the claim of this sentence cannot read" in err
    assert "chapter.md:9: the claim of this sentence `bench.min.rust / (bench.cores - 2) > 1`: float division by zero" in err
    assert "chapter.md:10: an empty claim" in err
    assert "chapter.md:11: `<!-- claims: bench.min.rust < 1 -->` is not `<!-- claim: EXPR -->`" in err
    assert "claims: 9 problem(s)" in err


def test_comments_in_code_are_not_claims(tmp_path):
    src, html = book(tmp_path, """\
        # Chapter

        Write `<!-- claim: bench.min.rust > 1 -->` after the sentence.

        ```markdown
        It is faster. <!-- claim: bench.nothing > 1 -->
        ```
        """, {"chapter.html": numbers()})
    out = run("--src", src, html)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("sentence", [
    "The remedy is to split the cores.",
    "The Rust ufunc wins at one element.",
    "It runs 2.7× faster than before.",
    "Several accumulators ran at 2.7 times the speed, 3 times as fast.",
    "The difference is within the noise of the machine.",
    "It runs as fast on big arrays.",
    "NumPy's BLAS does better.",
    "Threads pay off at a million elements.",
])
def test_wording_that_reads_a_number_needs_a_claim(tmp_path, sentence):
    src, html = book(tmp_path, f"# Chapter\n\nFirst sentence. {sentence}\n", {"chapter.html": numbers()})
    out = run("--src", src, html)
    assert out.returncode == 1
    assert "chapter.md:3: this sentence reads like an interpretation of a measured number" in out.stderr
    assert f"\n    {sentence}\n" in out.stderr


@pytest.mark.parametrize("sentence", [
    "A 1000×1000 matrix and 1 × N arrays.",
    "Headings are not checked.",
])
def test_dimensions_and_headings_are_not_claims(tmp_path, sentence):
    src, html = book(tmp_path, f"# It runs faster\n\n{sentence}\n", {"chapter.html": numbers()})
    assert run("--src", src, html).returncode == 0


def test_two_pages_with_two_runs_of_one_benchmark_fail(tmp_path):
    src, html = book(tmp_path, "# Chapter\n\nText.\n", {
        "one.html": numbers(),
        "two.html": numbers(min={"rust": 0.0025, "numpy": 0.003}, simd=False, cores=2),
        "print.html": numbers(min={"rust": 9.0, "numpy": 9.0}, simd=False, cores=2),  # repeats the others: skipped
    })
    out = run("--src", src, html)
    assert out.returncode == 1
    assert "bench.min.rust is 0.002 on one.html and 0.0025 on two.html: the two pages show different runs" in out.stderr
    assert "print.html" not in out.stderr


def test_timeit_lines_give_numbers_in_seconds(tmp_path):
    page = ("<pre><code>$ python -m timeit ...\n500 loops, best of 5: 473 usec per loop\n"
            "$ python -m timeit ...\n10 loops, best of 5: 35 msec per loop\n</code></pre>")
    src, html = book(tmp_path, """\
        # Chapter

        The Python loop pays for the interpreter on every element. <!-- claim: quick_start.timeit.2 > 70 * quick_start.timeit.1 -->
        """, {"quick-start.html": page})
    values, _, problems = claims.site_numbers(html)
    assert problems == []
    assert values == {"quick_start.timeit.1": pytest.approx(473e-6), "quick_start.timeit.2": pytest.approx(0.035)}
    assert run("--src", src, html).returncode == 0
    (src / "chapter.md").write_text((src / "chapter.md").read_text().replace("70 *", "80 *"))
    assert "is false for the numbers of this build" in run("--src", src, html).stderr


def test_an_unknown_name_without_a_near_one_says_which_prefixes_exist():
    with pytest.raises(claims.ClaimError, match=r"zz\.q \(no page carries numbers named zz\.\*\)"):
        claims.evaluate("zz.q > 1", {"bench.min.rust": 1.0})
    with pytest.raises(claims.ClaimError, match=r"bench\.zzzzzz \(2 numbers start with bench\.\)"):
        claims.evaluate("bench.zzzzzz > 1", {"bench.min.rust": 1.0, "bench.cores": 2})


def test_evaluate():
    v = {"a.x": 2.0, "a.y": 3.0, "a.flag": True, "a.1e7.z": 4.0}
    assert claims.evaluate("a.x < a.y", v)
    assert claims.evaluate("1 < a.x < a.y <= 3", v)
    assert not claims.evaluate("a.x < 1 < a.y", v)  # chained, as in Python
    assert claims.evaluate("a.flag and not a.x > a.y or False", v)
    assert claims.evaluate("abs(a.x - a.y) == 1 and max(a.x, a.y) == a.y and min(a.x, 1) == 1", v)
    assert claims.evaluate("a.x ** 10 / 2**10 == 1 and -a.x < 0 and a.1e7.z == 4 and 1e-3 < 1", v)
    for bad in ("a.x", "a.x + 1", "a.x < [1][0]", "a.x if a.flag else 1 < 2", "len(a.x) > 1", "a.x < a.nope"):
        with pytest.raises(claims.ClaimError):
            claims.evaluate(bad, v)


def test_benchkit_numbers_round_trip_through_a_page(tmp_path):
    line = bk.numbers("ch09", {"min": {"1e7 elements": {"Rust": 0.5}}, "simd_log64": True, "n": 10}, 1.234)
    assert line.startswith("<!-- numbers ch09 {") and line.endswith("} -->")
    (tmp_path / "page.html").write_text(line)
    values, _, problems = claims.site_numbers(tmp_path)
    assert problems == []
    assert values == {"ch09.min.1e7_elements.rust": 0.5, "ch09.simd_log64": True, "ch09.n": 10,
                      "ch09.run.load": 1.23, "ch09.run.cores": os.cpu_count()}
    with pytest.raises(ValueError):
        bk.numbers("ch 9", {"a": 1}, 0.0)
    with pytest.raises(TypeError):
        bk.numbers("ch09", {"a": "fast"}, 0.0)


def test_a_false_claim_on_a_crowded_run_warns_outside_ci_and_fails_in_ci(tmp_path):
    crowded = 2.0 * os.cpu_count()  # twice as many runnable processes as cores
    src, html = book(tmp_path, """\
        # Chapter

        NumPy is slower here. <!-- claim: bench.min.numpy > 2 * bench.min.rust -->
        """, {"chapter.html": numbers(load=crowded)})
    out = run("--src", src, html)
    assert out.returncode == 0, out.stderr
    assert "claims: warning: 1 claim(s) false on a crowded run" in out.stderr
    assert "chapter.md:3: this sentence is false for the numbers of this build" in out.stderr
    assert f"The run was crowded by other work: bench (load average {crowded:g} on {os.cpu_count()} cores)" \
        in out.stderr
    assert "; 1 false on a crowded run (warnings above)" in out.stdout
    out = run("--src", src, html, ci=True)
    assert out.returncode == 1
    assert "chapter.md:3: this sentence is false for the numbers of this build" in out.stderr
    # A quiet run fails outside CI too (see the tests above); so does a claim
    # whose other run was crowded but whose own was not.
    (html / "chapter.html").write_text(numbers(load=0.5) + numbers("other", load=crowded, x=1.0))
    assert run("--src", src, html).returncode == 1


BUILT = ROOT / "book" / "html"


@pytest.fixture
def built_book():
    """The book as ci/book.sh last built it, if it has the benchmarks' numbers."""
    values, _, _ = claims.site_numbers(BUILT) if BUILT.is_dir() else ({}, None, None)
    if not any(n.startswith("ch09.") for n in values):
        pytest.skip("no built book with the benchmarks' numbers (bash ci/book.sh builds one)")
    return values


def test_a_contradiction_planted_in_the_real_chapters_fails(tmp_path, built_book):
    """Negate a claim of chapter 9 against the built book's numbers: the
    check (as CI runs it) names that sentence and the values of this build.
    Name a number the build does not have: the same."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src", src)
    page = src / "ch09-ufuncs.md"
    text = page.read_text()
    claim = re.search(r"<!-- claim: (.*?) -->", text)
    assert claim, "chapter 9 has a claim to plant against"
    line = text[:claim.start()].count("\n") + 1
    mine = f"src/ch09-ufuncs.md:{line}:"

    def report(out):
        """The paragraph of the check's output about the planted line."""
        return next((p for p in out.stderr.split("\n\n") if mine in p), "")

    # A claim that is false for this build: the one written, negated if it holds.
    planted = f"not ({claim.group(1)})" if claims.evaluate(claim.group(1), built_book) else claim.group(1)
    page.write_text(text.replace(claim.group(0), f"<!-- claim: {planted} -->", 1))
    out = run("--src", src, BUILT, ci=True)
    assert out.returncode == 1
    found = report(out)
    assert "this sentence is false for the numbers of this build" in found
    assert re.search(r"where: ch09\.min\.1e7\.\w+ = ", found), found
    page.write_text(text.replace(claim.group(0), "<!-- claim: ch09.min.1e7.fortran < 1 -->", 1))
    out = run("--src", src, BUILT)
    assert out.returncode == 1
    assert "names a number that no page of this build carries: ch09.min.1e7.fortran" in report(out)
