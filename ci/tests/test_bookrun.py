"""bookrun (ci/chapters/bookrun.py and its shell wrapper): exit statuses, the
normalisation of machine-specific text, the notes for missing tools, and
the cache with the dependencies it records. (The whole book's warm loop is
tested by test_book_loop.py, after the book is built.)"""

import importlib.util
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "ci"
WRAPPER = CI / "chapters" / "bookrun"


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def bookrun(monkeypatch):
    for var in ("BOOKRUN_KEY", "BOOKRUN_GLOBAL", "BOOKRUN_NO_CACHE"):
        monkeypatch.delenv(var, raising=False)
    return load("bookrun_under_test", CI / "chapters" / "bookrun.py")


def env_for(tmp_path, **extra):
    env = dict(os.environ, BOOKRUN_LOG=str(tmp_path / "log"), **extra)
    for var in ("BOOKRUN_KEY", "BOOKRUN_NO_CACHE", "CI"):
        env.pop(var, None)
    env.update(extra)
    return env


def run(cmd, cwd=None, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, **kw)


def log_of(tmp_path):
    return [json.loads(line) for line in (tmp_path / "log").read_text().splitlines()]


def test_bookrun_logs_and_fails_on_wrong_exit_status(tmp_path):
    env = env_for(tmp_path, BOOKRUN_NO_CACHE="1")
    p = run([WRAPPER, "shell", "--", "sh", "-c", "echo out; exit 3"], env=env)
    assert p.returncode == 1
    assert "BOOK BUILD ERROR" in p.stdout
    (entry,) = log_of(tmp_path)
    assert entry["status"] == "fail" and "status 3, expected 0" in entry["detail"]
    p = run([WRAPPER, "shell", "--expect", "3", "--", "sh", "-c", "echo out; exit 3"], env=env)
    assert p.returncode == 0
    assert p.stdout == "```console\n$ sh -c 'echo out; exit 3'\nout\n```\n\n"


def test_bookrun_stops_a_command_past_its_time_limit(tmp_path):
    env = env_for(tmp_path, BOOKRUN_NO_CACHE="1", BOOKRUN_TIMEOUT="2")
    p = run([WRAPPER, "shell", "--", "sh", "-c", "echo started; sleep 60 & wait"], env=env, timeout=30)
    assert p.returncode == 1
    assert "ran for more than 2s (BOOKRUN_TIMEOUT)" in p.stderr and "started" in p.stderr
    assert log_of(tmp_path)[-1]["status"] == "fail"


def test_bookrun_normalises_machine_specific_text(bookrun, monkeypatch):
    monkeypatch.delenv("CARGO_HOME", raising=False)
    text = (f"{ROOT}/listings/x.py {os.path.expanduser('~')}/.cargo/registry/src/index.crates.io-abc/pyo3-0.30.1/"
            "src/x.rs thread '<unnamed>' (8903) panicked at 0x7f3a2b1c0d10 Finished in 14.19s")
    assert bookrun.normalise(text) == ("listings/x.py ~/.cargo/registry/src/…/pyo3-0.30.1/src/x.rs "
                                       "thread '<unnamed>' (<tid>) panicked at 0x… Finished in …s")
    text = "at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panicking.rs:581"
    assert bookrun.normalise(text) == "at /rustc/<commit>/library/std/src/panicking.rs:581"
    # A --scratch copy reads as the folder it copies.
    text = f"{ROOT}/target/scratch/listings/ch07-shipping/listing-07-01/target/wheels/x.tar.gz"
    assert bookrun.normalise(text) == "listings/ch07-shipping/listing-07-01/target/wheels/x.tar.gz"


def test_bookrun_finds_crate_sources_wherever_cargo_home_is(bookrun, monkeypatch):
    # The rust images of hosted CI set CARGO_HOME=/usr/local/cargo.
    monkeypatch.setenv("CARGO_HOME", "/usr/local/cargo")
    text = "/usr/local/cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pyo3-0.30.1/src/err/mod.rs:10"
    assert bookrun.normalise(text) == "~/.cargo/registry/src/…/pyo3-0.30.1/src/err/mod.rs:10"


def test_bookrun_replaces_home_only_where_a_path_starts(bookrun, monkeypatch):
    monkeypatch.setenv("HOME", "/root")
    assert bookrun.normalise("x=/root/a and target/debug-python/root/usr/bin") == \
        "x=~/a and target/debug-python/root/usr/bin"


def test_a_missing_tool_gives_a_note_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    cmd = [WRAPPER, "shell", "--needs", "gdb", "--", "sh", "-c", f"touch {marker}; gdb --version"]
    p = run(cmd, env=env_for(tmp_path, BOOK_HIDE_TOOLS="gdb"))
    assert p.returncode == 0, p.stderr
    assert '<div class="not-run">' in p.stdout and "needs gdb" in p.stdout
    assert "Nothing was run" in p.stdout and not marker.exists()
    assert log_of(tmp_path)[-1]["status"] == "note"
    # CI builds the book it publishes: there a missing tool fails the build.
    p = run(cmd, env=env_for(tmp_path, BOOK_HIDE_TOOLS="gdb", CI="true"))
    assert p.returncode == 1 and "needs gdb, which is missing" in p.stderr and not marker.exists()
    assert log_of(tmp_path)[-1]["status"] == "fail"


def test_a_tool_path_replaces_its_placeholder(tmp_path):
    tools = load("tools_under_test", CI / "chapters" / "tools.py")
    if tools.find("linux") is None:
        pytest.skip("the placeholder test uses the `linux` tool")
    p = run([WRAPPER, "shell", "--needs", "linux", "--", "echo", "@linux@"],
            env=env_for(tmp_path, BOOKRUN_NO_CACHE="1"))
    assert p.returncode == 0 and f"\n{sys.platform}\n" in p.stdout, p.stdout


def test_unknown_tools_are_refused(tmp_path):
    p = run([WRAPPER, "shell", "--needs", "gbd", "--", "true"], env=env_for(tmp_path, BOOKRUN_NO_CACHE="1"))
    assert p.returncode != 0 and "unknown tool 'gbd'" in p.stderr


def test_python_symbols_are_read_from_the_elf_symbol_table(tmp_path):
    tools = load("tools_under_test", CI / "chapters" / "tools.py")
    if not sys.platform.startswith("linux"):
        pytest.skip("ELF only")
    exe = tmp_path / "prog"
    src = tmp_path / "prog.c"
    src.write_text("int main(void) { return 0; }\n")
    subprocess.run(["cc", "-o", exe, src], check=True)
    assert tools.elf_has_symtab(exe)
    subprocess.run(["strip", exe], check=True)
    assert not tools.elf_has_symtab(exe)
    assert not tools.elf_has_symtab(src)  # not ELF at all


def test_the_wrapper_answers_from_the_table_of_ready_outputs(tmp_path, bookrun):
    """`prepare` writes a shell function that knows each up-to-date directive
    by its folder and its arguments; the POSIX sh wrapper answers those
    without Python, whatever characters the arguments hold."""
    argv = ["shell", "--grep", "a|b*[c]", "--show", "it's $HOME", "--", "sh", "-c", "exit 9"]
    out = tmp_path / "out.md"
    out.write_text("the ready output\n")
    table = tmp_path / "ready.sh"
    cwd = os.path.realpath(tmp_path)
    bookrun.write_table(str(table), [([cwd, *argv], str(out), "cached"), ([cwd, "raw", "--", "other"], "/nonexistent", "note")])
    env = env_for(tmp_path, BOOKRUN_READY=str(table))
    p = run([WRAPPER, *argv], env=env, cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == "the ready output\n", p.stderr
    assert log_of(tmp_path)[-1]["args"] == ["(ready)"]
    # One argument differs: not in the table, so bookrun.py runs it (and it fails: exit 9).
    p = run([WRAPPER, *argv[:-1], "exit 8"], env=env, cwd=tmp_path)
    assert p.returncode == 1 and "status 8" in p.stderr
    # A glob in the table is not a pattern: "b*" does not match "bxx".
    p = run([WRAPPER, *[w.replace("b*", "bxx") for w in argv]], env=env, cwd=tmp_path)
    assert p.returncode == 1 and "status 9" in p.stderr


def test_the_cache_keeps_an_output_until_what_it_read_changes(tmp_path, bookrun):
    """An output is kept with what it depends on: it runs again when a file it
    read changes, and not when anything else changes."""
    scratch = ROOT / "listings" / f"tmp-bookrun-test-{uuid.uuid4().hex[:8]}"
    scratch.mkdir()
    try:
        (scratch / "data.txt").write_text("one\n")
        (scratch / "other.txt").write_text("unread\n")
        reader = scratch / "read.py"
        reader.write_text("import os, sys\n"
                          "print(open(os.path.join(os.path.dirname(__file__), 'data.txt')).read().strip(),"
                          " os.urandom(4).hex())\n")
        glob = "test-global-" + uuid.uuid4().hex
        env = env_for(tmp_path, BOOKRUN_GLOBAL=glob)
        cmd = [WRAPPER, "raw", "--", "python", reader]
        first = run(cmd, env=env, cwd=ROOT / "src")
        assert first.returncode == 0, first.stderr
        entry = log_of(tmp_path)[-1]
        assert entry["status"] == "ran"
        rel = scratch.relative_to(ROOT)
        assert f"file:{rel}/data.txt" in entry["detail"] and f"file:{rel}/read.py" in entry["detail"]
        assert "other.txt" not in entry["detail"]
        # Unchanged: the cached output, run or not by Python.
        again = run(cmd, env=env, cwd=ROOT / "src")
        assert again.stdout == first.stdout and log_of(tmp_path)[-1]["status"] in ("cached",)
        # The output is kept under bookrun.py's key.
        os.environ["BOOKRUN_GLOBAL"] = glob
        try:
            key = bookrun.cache_key([str(c) for c in cmd[1:]], str(ROOT / "src"))
        finally:
            del os.environ["BOOKRUN_GLOBAL"]
        assert (ROOT / "target" / "cache" / "bookrun" / "ready" / f"{key}.md").read_text() == first.stdout
        # bookrun.py itself (no ready copy): a file it did not read changed,
        # the output is still good; the file it read changed, it runs again
        # (os.urandom differs).
        ready = ROOT / "target" / "cache" / "bookrun" / "ready" / f"{key}.md"
        (scratch / "other.txt").write_text("changed\n")
        ready.unlink()
        assert run(cmd, env=env, cwd=ROOT / "src").stdout == first.stdout
        assert log_of(tmp_path)[-1]["status"] == "cached" and log_of(tmp_path)[-1]["args"] != ["(ready)"]
        ready.unlink()
        (scratch / "data.txt").write_text("two\n")
        third = run(cmd, env=env, cwd=ROOT / "src")
        assert third.stdout.startswith("two ") and log_of(tmp_path)[-1]["status"] == "ran"
    finally:
        for p in sorted(scratch.rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
        scratch.rmdir()


def test_a_failing_command_is_never_cached(tmp_path):
    marker = uuid.uuid4().hex
    bad = [WRAPPER, "shell", "--", "sh", "-c", f"echo {marker}; exit 4"]
    env = env_for(tmp_path, BOOKRUN_GLOBAL="test-" + marker)
    assert run(bad, env=env).returncode == run(bad, env=env).returncode == 1
    assert [e["status"] for e in log_of(tmp_path)] == ["fail", "fail"]


def test_check_book_counts_the_notes_and_fails_on_them_in_ci(tmp_path, monkeypatch):
    check_book = load("check_book_under_test", CI / "checks" / "check_book.py")
    site = tmp_path / "book" / "html"
    site.mkdir(parents=True)
    tools = load("tools_under_test", CI / "chapters" / "tools.py")
    (site / "ch02.html").write_text("<p>text</p>\n" + tools.note("gdb").replace("**Not run here:**",
                                    "<strong>Not run here:</strong>"))
    (site / "print.html").write_text(tools.note("gdb"))
    (site / "ch03.html").write_text("<pre><code>(valgrind is not installed)</code></pre>")
    notes = check_book.notes_in(site)
    assert len(notes) == 1 and notes[0].startswith("book/html/ch02.html: Not run here: this output needs gdb")


def test_warm_leaves_to_the_book_only_the_outputs_that_read_the_clock(bookrun, tmp_path):
    """ci/test.sh runs `bookrun.py warm` beside the tests: a directive whose
    Python file reads the clock (a benchmark) waits for the quiet book step;
    every other one may run early."""
    (tmp_path / "timed.py").write_text("import time\nt = time.perf_counter()\n")
    (tmp_path / "bench.py").write_text("import benchkit as bk\n")
    (tmp_path / "plain.py").write_text("print(sum(range(10)))\n")
    cwd = str(tmp_path)
    assert bookrun.measures(["raw", "--", "python", "timed.py"], cwd)
    assert bookrun.measures(["raw", "--", "python", "bench.py", "--section", "x"], cwd)
    assert bookrun.measures(["session", "timed.py"], cwd)
    assert bookrun.measures(["shell", "--cwd", ".", "--", "sh", "-c", "python timed.py | head"], cwd)
    assert not bookrun.measures(["raw", "--", "python", "plain.py"], cwd)
    assert not bookrun.measures(["shell", "--cwd", ".", "--", "valgrind", "python", "plain.py"], cwd)
    # The book's own benchmarks are among them.
    book = [argv for ch, argv in bookrun.directives() if bookrun.measures(argv, str(ch.parent))]
    assert any("listings/ch05-examples/listing-05-02/bench.py" in " ".join(argv) for argv in book), book
    assert any("first_touch.py" in " ".join(argv) for argv in book), book


def test_a_preview_builds_the_listings_its_chapter_needs(bookrun):
    """`ci/book.sh --chapter N` builds the listings of chapter N and of every
    chapter whose files its outputs name; a page of no chapter, all of them."""
    def of(page):
        return bookrun.preview_listings(page)
    assert of("src/ch02-debugging.md") == ["listings/ch02-debugging/listing-02-01",
                                           "listings/ch02-debugging/listing-02-02"]
    seven = of("src/ch07-shipping.md")
    # Chapter 7 runs listing 5-2's benchmark, which imports chapter 5's C twin.
    assert {"listings/ch05-examples/listing-05-02", "listings/ch05-examples/listing-05-03"} <= set(seven)
    assert not [p for p in seven if not p.startswith(("listings/ch05-", "listings/ch07-"))], seven
    import book_listings
    assert len(of("src/appendix-c-api.md")) == len(book_listings.listings())
