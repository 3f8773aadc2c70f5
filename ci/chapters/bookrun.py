#!/usr/bin/env python3
"""Run a command for the book and print its output as Markdown.

Every `<!-- cmdrun ... -->` in src/ goes through this script, because
mdbook-cmdrun never fails a build: on its own, a failing command just leaves
a hole or an error line in the page. bookrun instead

* checks the exit status (0, or the one given with --expect), and stops a
  command that runs longer than BOOKRUN_TIMEOUT seconds (default 900),
* merges stderr into stdout in the order the program wrote them,
* normalises what would differ between machines (paths, thread ids,
  addresses, timings),
* wraps the output in a code fence,
* prints a visible note instead of running the command when a tool it
  needs (--needs NAME, see ci/chapters/tools.py) is missing; with CI=true
  that fails instead,
* records the result in $BOOKRUN_LOG, which ci/book.sh reads after mdbook
  has finished, so any failure fails the book command,
* keeps each output in target/cache/bookrun/ with the list of what it read
  (see "Dependencies" below), so that it runs again only when one of those
  changed: a prose edit reruns nothing, a changed listing reruns only the
  outputs that depend on it. BOOKRUN_NO_CACHE=1 runs everything.

Dependencies of an output. Besides the machinery (this folder), the lock
and the toolchain, which every output depends on:
  * the files and folders its arguments, --cwd and --deps name: a listing
    folder counts by its build stamp (ci/listing-tools/book_listings.py:
    its sources and the toolchain), any other folder by the files git would
    commit in it, a file by its contents;
  * what its Python processes read while it ran, traced (an audit hook that
    ci/chapters/bookrun_trace.py puts in .venv): every file of src/, ci/ and
    listings/ they opened or imported, and every listing module they
    imported from the virtualenv (by that listing's build stamp).
A command that reads a file by other means (a shell script, rustc) names
it with --deps.

Usage (paths are relative to the chapter file, where cmdrun runs):
  bookrun session FILE.py          a REPL transcript of FILE.py (ci/chapters/pysession.py)
  bookrun shell [--cwd DIR] [--expect N] [--grep RE] [--drop RE] [--show TEXT] -- CMD...
                                   `$ CMD` and its output, as a console block
  bookrun raw -- CMD...            CMD's stdout inserted as Markdown
Options of every mode: --needs TOOL (repeatable; @TOOL@ in CMD becomes the
tool's path, in --show its name), --deps PATH (repeatable; `--deps tools:`
for an output that depends on which tools are here).
  bookrun prepare                  (ci/book.sh) check every cached output of
                                   the chapters once, write the table of those
                                   up to date for the shell wrapper
                                   (target/cache/bookrun/ready.sh), print the
                                   key of the machinery for BOOKRUN_GLOBAL
  bookrun forget NAME...           (ci/book.sh) drop the cached outputs that
                                   carry the numbers of benchmark run NAME
                                   (`<!-- numbers NAME {...} -->`), so the
                                   next build runs them again
"""

import argparse
import hashlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "ci", "listing-tools"))
import tools  # noqa: E402

CACHE = os.path.join(ROOT, "target", "cache", "bookrun")
READY = os.path.join(CACHE, "ready")
STAMPS = os.path.join(ROOT, "target", "stamps")
# Where a traced read counts as a dependency; everything else in the
# repository is generated (target/, book/, .venv/, .tools/) or machinery.
WATCHED = ("src", "ci", "listings")


def cargo_home():
    return os.environ.get("CARGO_HOME") or os.path.join(os.path.expanduser("~"), ".cargo")


def normalise(text):
    """Remove what depends on the machine, the run or the clone's location."""
    home = os.path.expanduser("~")
    venv = os.environ.get("VIRTUAL_ENV", os.path.join(ROOT, ".venv"))
    base = sysconfig.get_config_var("prefix") or sys.base_prefix
    for path, name in (
        # A --scratch copy is shown as the folder it copies.
        (os.path.join(ROOT, "target", "scratch", ""), ""),
        (os.path.join(venv, ""), ".venv/"),
        (os.path.join(ROOT, ""), ""),
        (ROOT, "."),
        (os.path.join(sys.base_prefix, ""), "<python>/"),
        (os.path.join(base, ""), "<python>/"),
    ):
        text = text.replace(path, name)
    # Crate sources, wherever CARGO_HOME is: shown as rustup's default place.
    text = re.sub(re.escape(cargo_home()) + r"/registry/src/[^/]+/", "~/.cargo/registry/src/…/", text)
    # Only where a path starts: a folder called "root" inside a path must
    # not become "~" when HOME is /root.
    text = re.sub(r"(?<![\w.-])" + re.escape(home) + "/", "~/", text)
    # Rust prints the OS thread id of a panicking thread.
    text = re.sub(r"(thread '[^']*') \(\d+\) panicked", r"\1 (<tid>) panicked", text)
    # Paths into the Rust standard library name the compiler's commit.
    text = re.sub(r"/rustc/[0-9a-f]{40}/", "/rustc/<commit>/", text)
    text = re.sub(r"\b0x[0-9a-f]{8,16}\b", "0x…", text)
    text = re.sub(r"/tmp/\.tmp\w+/", "/tmp/…/", text)
    text = re.sub(r"\bin \d+(\.\d+)?s\b", "in …s", text)
    return text


STARTED = time.monotonic()


def log(status, detail="", args=None):
    entry = {
        "seconds": round(time.monotonic() - STARTED, 2),
        "status": status,
        "cwd": os.path.relpath(os.getcwd(), ROOT),
        "args": sys.argv[1:] if args is None else args,
        "detail": detail[-4000:],
    }
    path = os.environ.get("BOOKRUN_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")


def fail(message, output=""):
    log("fail", message + "\n" + output)
    # Visible in the page too, in case someone builds without ci/book.sh.
    print(f"\n**BOOK BUILD ERROR** (bookrun): {message}\n\n```text\n{output}\n```\n")
    print(f"bookrun: {message}\n{output}", file=sys.stderr)
    sys.exit(1)


# --- running, traced ------------------------------------------------------

TRACER = "bookrun_trace"


def install_tracer():
    """Put the audit hook in the virtualenv bookrun runs under (a module and
    a .pth line that imports it); it does nothing unless BOOKRUN_TRACE is set."""
    site = sysconfig.get_paths()["purelib"]
    if not site.startswith(sys.prefix) or sys.prefix == sys.base_prefix:
        return False  # not in a virtualenv: nothing of ours to write into
    src = os.path.join(HERE, TRACER + ".py")
    with open(src, "rb") as f:
        code = f.read()
    dest = os.path.join(site, "_" + TRACER + ".py")
    pth = os.path.join(site, "_" + TRACER + ".pth")
    try:
        with open(dest, "rb") as f:
            same = f.read() == code
    except OSError:
        same = False
    if not same:
        with open(dest + ".tmp", "wb") as f:
            f.write(code)
        os.replace(dest + ".tmp", dest)
    if not os.path.exists(pth):
        with open(pth, "w") as f:
            f.write(f"import _{TRACER}\n")
    return True


def timeout_seconds():
    return float(os.environ.get("BOOKRUN_TIMEOUT") or 900)


def run(cmd, cwd=None, trace=None):
    env = dict(os.environ)
    env.pop("RUST_BACKTRACE", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("COLUMNS", "80")
    env["NO_COLOR"] = "1"
    env["CARGO_TERM_COLOR"] = "never"
    # pytest-run-parallel (in the lock for chapter 11) loads itself into every
    # pytest and adds a line to its header ("Collected 0 items to run in
    # parallel") that would show in every pytest output of the book: off here;
    # a page that uses it loads it with `-p run-parallel`.
    env["PYTEST_ADDOPTS"] = ("-p no:run-parallel " + env.get("PYTEST_ADDOPTS", "")).strip()
    if trace:
        env["BOOKRUN_TRACE"] = trace
        env["BOOKRUN_ROOT"] = ROOT
    # Its own process group, so that a command past its time limit is
    # stopped with everything it started.
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, errors="replace", start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout_seconds())
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        fail(f"`{shlex.join(cmd)}` ran for more than {timeout_seconds():.0f}s (BOOKRUN_TIMEOUT) and was "
             "stopped", out[-3000:])
    return p.returncode, out


# --- dependencies -----------------------------------------------------------

def rel(path):
    return os.path.relpath(os.path.realpath(path), os.path.realpath(ROOT))


def cwd_label(cwd):
    """CWD relative to the repository (as the shell wrapper writes it), or absolute outside it."""
    r = rel(cwd)
    return r if inside(r) else os.path.realpath(cwd)


def inside(relpath):
    return not relpath.startswith("..") and not os.path.isabs(relpath)


def listing_of(relpath):
    """The listing folder (listings/chNN-x/listing-NN-MM) that holds RELPATH, or None."""
    parts = relpath.split(os.sep)
    if len(parts) >= 3 and parts[0] == "listings" and parts[1].startswith("ch") \
            and parts[2].startswith(("listing-", "no-listing-")):
        return os.path.join(*parts[:3])
    return None


_git_files = None


def git_files():
    """Every file git would commit under src/, ci/ and listings/ (tracked, or
    new and not ignored): what a dependency on a folder means."""
    global _git_files
    if _git_files is None:
        p = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", *WATCHED],
                           cwd=ROOT, capture_output=True)
        if p.returncode:
            sys.exit(f"bookrun: `git ls-files` failed in {ROOT}: {p.stderr.decode(errors='replace').strip()}")
        _git_files = sorted(f for f in p.stdout.decode().split("\0") if f)
    return _git_files


def file_digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return "missing"


_digests = {}


def digest(dep):
    """The current state of one dependency ("listing:", "tree:", "dir:" or "file:" + path)."""
    if dep in _digests:
        return _digests[dep]
    kind, _, path = dep.partition(":")
    if kind == "tools":
        d = hashlib.sha256(tools.availability().encode()).hexdigest()
    elif kind == "listing":
        stamp = os.path.join(STAMPS, path.split(os.sep, 1)[1].replace(os.sep, "__") + ".sha")
        d = "stamp " + file_digest(stamp) if os.path.exists(stamp) else digest("tree:" + path)
    elif kind == "dir":
        # The names in the folder (as git sees them), not their contents.
        prefix = path.rstrip(os.sep) + "/"
        names = sorted({f[len(prefix):].split("/")[0] for f in git_files() if f.startswith(prefix)})
        d = hashlib.sha256("\0".join(names).encode()).hexdigest()
    elif kind == "tree":
        h = hashlib.sha256()
        prefix = path.rstrip(os.sep) + "/"
        for f in git_files():
            if f.startswith(prefix):
                h.update(f.encode() + b"\0" + file_digest(os.path.join(ROOT, f)).encode())
        d = h.hexdigest()
    else:
        d = file_digest(os.path.join(ROOT, path))
    _digests[dep] = d
    return d


def dep_of_path(relpath, named=False):
    """The dependency that RELPATH (relative to ROOT, inside it) stands for.
    A path read while the command ran counts inside src/, ci/ and listings/
    only (target/ holds caches); a path the directive names counts anywhere
    in the repository (a build log under target/, say)."""
    if not inside(relpath) or relpath == ".":
        return None
    top = relpath.split(os.sep)[0]
    if top not in WATCHED and not (named and top not in (".git", ".venv", ".tools")):
        return None
    listing = listing_of(relpath)
    full = os.path.join(ROOT, relpath)
    if listing == relpath:
        return "listing:" + relpath
    if os.path.isdir(full):
        return "tree:" + relpath if top in WATCHED else None
    return "file:" + relpath


_modules = None


def listing_modules():
    """{top-level module name: listing folder} for every listing."""
    global _modules
    if _modules is None:
        import book_listings
        _modules = {}
        for d in book_listings.listings():
            try:
                name = book_listings.module_name(d)
            except (OSError, KeyError):
                continue
            _modules[name.split(".")[0]] = "listing:" + os.path.relpath(d, ROOT)
    return _modules


def named_deps(args, cwd):
    """The dependencies that the directive's arguments name."""
    deps = set()
    if inside(rel(cwd)) and listing_of(rel(cwd)):
        deps.add("listing:" + listing_of(rel(cwd)))
    for a in args:
        for word in re.split(r"[\s=]+", a):
            if not word or word.startswith("-") or word in (".", "..") or ("/" not in word and "." not in word):
                continue
            for base in (cwd, ROOT):
                full = os.path.normpath(os.path.join(base, word))
                if os.path.exists(full):
                    d = dep_of_path(rel(full), named=True)
                    if d:
                        deps.add(d)
                    break
    return deps


def traced_deps(trace):
    deps = set()
    try:
        with open(trace) as f:
            lines = f.read().splitlines()
    except OSError:
        return deps
    site = os.path.realpath(sysconfig.get_paths()["purelib"])
    for line in lines:
        kind, _, what = line.partition(" ")
        if kind == "import":
            d = listing_modules().get(what.split(".")[0])
            if d:
                deps.add(d)
        elif kind == "open":
            real = os.path.realpath(what)
            if real.startswith(site + os.sep):
                d = listing_modules().get(os.path.relpath(real, site).split(os.sep)[0].split(".")[0])
                if d:
                    deps.add(d)
                continue
            d = dep_of_path(rel(real))
            if d and not os.path.isdir(real):
                deps.add(d)
        elif kind == "dir":
            r = rel(what)
            if inside(r) and r.split(os.sep)[0] in WATCHED:
                deps.add("dir:" + r)
    return deps


# --- the cache ----------------------------------------------------------------

MACHINERY = ("bookrun", "bookrun.py", "bookrun_trace.py", "pysession.py", "tools.py")


def global_key():
    """What every output depends on: this machinery, the interpreter, the
    toolchain and the lock."""
    h = hashlib.sha256()
    for name in MACHINERY:
        h.update(name.encode() + b"\0" + file_digest(os.path.join(HERE, name)).encode())
    h.update(file_digest(os.path.join(ROOT, "ci", "requirements.lock")).encode())
    base = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    h.update((sys.version + base).encode())
    try:
        h.update(subprocess.run(["rustc", "-vV"], capture_output=True).stdout)
    except OSError:
        h.update(b"no rustc")
    return h.hexdigest()[:32]


def cache_key(argv, cwd, glob=None):
    """The key of a directive: its arguments, its folder (relative to the
    repository) and the global key."""
    glob = glob or os.environ.get("BOOKRUN_GLOBAL") or global_key()
    h = hashlib.sha256()
    h.update(b"".join(a.encode() + b"\0" for a in argv))
    h.update(cwd_label(cwd).encode() + b"\0" + glob.encode() + b"\0")
    return h.hexdigest()[:32]


def cached(key):
    """The cached output of KEY when every dependency it recorded is unchanged, else None."""
    try:
        with open(os.path.join(CACHE, key + ".json")) as f:
            entry = json.load(f)
    except (OSError, ValueError):
        return None
    if any(digest(d) != v for d, v in entry["deps"].items()):
        return None
    return entry["output"]


def store(key, output, deps):
    os.makedirs(READY, exist_ok=True)
    entry = {"deps": {d: digest(d) for d in sorted(deps)}, "output": output}
    tmp = os.path.join(CACHE, key + ".json.tmp")
    with open(tmp, "w") as f:
        json.dump(entry, f, indent=1)
    os.replace(tmp, os.path.join(CACHE, key + ".json"))
    mark_ready(key, output)


def mark_ready(key, output):
    os.makedirs(READY, exist_ok=True)
    tmp = os.path.join(READY, key + ".md.tmp")
    with open(tmp, "w") as f:
        f.write(output)
    os.replace(tmp, os.path.join(READY, key + ".md"))


# --- directives ---------------------------------------------------------------

def parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--needs", action="append", default=[], metavar="TOOL")
    common.add_argument("--deps", action="append", default=[], metavar="PATH")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("session", parents=[common])
    s.add_argument("file")
    sh = sub.add_parser("shell", parents=[common])
    sh.add_argument("--cwd")
    sh.add_argument("--expect", type=int, default=0)
    sh.add_argument("--grep", help="keep only the lines that match this regex")
    sh.add_argument("--drop", help="drop the lines that match this regex (e.g. cargo's progress lines)")
    sh.add_argument("--show", help="the command as the page shows it")
    sh.add_argument("--scratch", action="store_true",
                    help="run in a copy of --cwd under target/scratch/, for a command that writes where it runs "
                         "(`maturin build --out target/wheels`): nothing is written into the listing")
    sh.add_argument("cmd", nargs="+")
    r = sub.add_parser("raw", parents=[common])
    r.add_argument("cmd", nargs="+")
    sub.add_parser("prepare", help="check the chapters' cached outputs; print the global key")
    sub.add_parser("warm", help="run ahead of the book every output that measures no time (ci/test.sh)")
    f = sub.add_parser("forget", help="drop the cached outputs that carry the numbers of these benchmark runs")
    f.add_argument("names", nargs="+")
    c = sub.add_parser("chapter", help="the page that --chapter N names (ci/book.sh --chapter)")
    c.add_argument("name")
    c.add_argument("--listings", action="store_true", help="print the listings its outputs need instead")
    return ap


def missing_tools(a):
    return [t for t in a.needs if tools.find(t) is None]


def main():
    a = parser().parse_args()
    if a.mode == "prepare":
        return prepare()
    if a.mode == "warm":
        return warm()
    if a.mode == "chapter":
        return chapter(a.name, a.listings)
    if a.mode == "forget":
        return forget(a.names)

    missing = missing_tools(a)
    if missing:
        what = ", ".join(missing)
        if os.environ.get("CI") == "true":
            fail(f"this output needs {what}, which is missing (CI=true wants every output)",
                 "\n".join(tools.note(t) for t in missing))
        sys.stdout.write(tools.note(missing[0]))
        log("note", what)
        return
    for t in a.needs:
        # @TOOL@ is the tool's path in the command, its name in --show.
        if hasattr(a, "cmd"):
            a.cmd = [c.replace(f"@{t}@", tools.find(t)) for c in a.cmd]
        if getattr(a, "show", None):
            a.show = a.show.replace(f"@{t}@", tools.label(t))

    use_cache = os.environ.get("BOOKRUN_NO_CACHE") != "1"
    key = cache_key(sys.argv[1:], os.getcwd())
    if use_cache:
        out = cached(key)
        if out is not None:
            mark_ready(key, out)
            sys.stdout.write(out)
            log("cached")
            return
    fd, trace = tempfile.mkstemp(prefix="bookrun-trace-")
    os.close(fd)
    try:
        traced = install_tracer()
        out = produce(a, trace if traced else None)
        named = a.cmd if a.mode != "session" else [a.file]
        deps = named_deps(named, a_cwd(a)) | named_deps(a.deps, os.getcwd()) | traced_deps(trace)
        deps |= {d for d in a.deps if d == "tools:"}
    finally:
        os.unlink(trace)
    if use_cache:
        store(key, out, deps)
    sys.stdout.write(out)
    log("ran", "deps: " + " ".join(sorted(deps)))


def a_cwd(a):
    return os.path.abspath(getattr(a, "cwd", None) or os.getcwd())


def produce(a, trace):
    """The Markdown for one directive; fails the run (exit 1) on a bad status."""
    if a.mode == "session":
        code, out = run([sys.executable, os.path.join(HERE, "pysession.py"), a.file], trace=trace)
        out = normalise(out)
        if code != 0:
            fail(f"session {a.file} exited with status {code}", out)
        return fence("pycon", out) + "\n"
    elif a.mode == "shell":
        code, out = run(a.cmd, cwd=scratch_copy(a.cwd) if a.scratch else a.cwd, trace=trace)
        out = normalise(out)
        if code != a.expect:
            fail(f"`{shlex.join(a.cmd)}` exited with status {code}, expected {a.expect}", out)
        if a.grep:
            kept = [line for line in out.splitlines() if re.search(a.grep, line)]
            if not kept:
                fail(f"--grep {a.grep!r} matched nothing in the output of `{shlex.join(a.cmd)}`", out)
            out = "\n".join(kept)
        if a.drop:
            out = "\n".join(line for line in out.splitlines() if not re.search(a.drop, line))
        shown = a.show or shlex.join(a.cmd)
        return fence("console", f"$ {shown}\n{out}") + "\n"
    code, out = run(a.cmd, trace=trace)
    if code != 0:
        fail(f"`{shlex.join(a.cmd)}` exited with status {code}", out)
    return normalise(out) + "\n"


def scratch_copy(folder):
    """target/scratch/<folder>: the files of FOLDER as git sees them, copied
    over what an earlier run left there (its outputs stay, so the next
    directive finds the wheel the last one built)."""
    import shutil
    if not folder:
        fail("--scratch needs --cwd")
    r = rel(folder)
    if not inside(r):
        fail(f"--scratch: {folder} is outside the repository")
    dest = os.path.join(ROOT, "target", "scratch", r)
    prefix = r.rstrip(os.sep) + "/"
    for f in git_files():
        if f.startswith(prefix):
            target = os.path.join(dest, f[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, f), target)
    return dest


def fence(lang, body):
    body = body.rstrip("\n")
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}{lang}\n{body}\n{ticks}\n"


# --- prepare: one pass over every directive before mdbook runs --------------

DIRECTIVE_RE = re.compile(r"<!--[ ]*cmdrun (.*?)-->")


def directives():
    """(chapter file, argv after `bookrun`) of every bookrun directive in src/."""
    import book_listings
    out = []
    for ch in book_listings.chapter_files():
        if not ch.exists():
            continue
        for m in DIRECTIVE_RE.finditer(ch.read_text()):
            words = shlex.split(m.group(1))
            if words and words[0].endswith("ci/chapters/bookrun"):
                out.append((ch, words[1:]))
    return out


def sh_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def write_table(path, entries):
    """The shell function `bookrun_ready KEY` that sets $file to the output
    of the directive whose folder and arguments, a line each, are KEY (the
    shell wrapper builds KEY the same way), and $what to how the wrapper
    logs it (cached, or note); every word is quoted, so glob characters in
    an argument match themselves."""
    lines = [f"        {sh_quote(chr(10).join(words))}) file={sh_quote(file)} what={what} ;;"
             for words, file, what in entries]
    with open(path + ".tmp", "w") as f:
        f.write("# Written by ci/chapters/bookrun.py prepare: the outputs that are up to date.\n"
                "bookrun_ready() {\n    case $1 in\n" + "".join(line + "\n" for line in lines) +
                "        *) file= ;;\n    esac\n}\n")
    os.replace(path + ".tmp", path)


def chapter(name, listings=False):
    """Print src/FILE.md for `--chapter NAME`: a chapter number (5, 05), a
    page's name (quick-start, ch05-examples) or its file. With LISTINGS,
    print instead the listing folders a preview of it builds (see
    preview_listings)."""
    import book_listings
    pages = [os.path.relpath(ch, ROOT) for ch in book_listings.chapter_files()]
    stem = os.path.basename(name).removesuffix(".md")
    found = [p for p in pages if os.path.basename(p)[:-3] == stem]
    if not found and stem.isdigit():
        found = [p for p in pages if os.path.basename(p).startswith(f"ch{int(stem):02d}-")]
    if len(found) != 1:
        sys.exit(f"ci/book.sh --chapter {name}: no such page; give a chapter number or one of: "
                 + ", ".join(os.path.basename(p)[:-3] for p in pages))
    if listings:
        print("\n".join(preview_listings(found[0])))
    else:
        print(found[0])


LISTING_RE = re.compile(r"listings/(ch\d\d)-[\w-]+/")


def preview_listings(page):
    """The listing folders (relative to the repository) that a preview of
    PAGE builds: those of its own chapter (ch05-examples: listings/ch05-*/),
    and those of every chapter whose files its outputs name (chapter 7 runs
    listing 5-2's benchmark, which imports chapter 5's modules). A page of no
    chapter of its own (the Introduction, an appendix) builds them all."""
    import book_listings
    own = re.match(r"(ch\d\d)-", os.path.basename(page))
    quick = os.path.basename(page) == "quick-start.md"
    if not own and not quick:
        return [rel(d) for d in book_listings.listings()]
    chapters = {own.group(1)} if own else set()
    for ch, argv in directives():
        if rel(ch) == page:
            chapters |= set(LISTING_RE.findall(" ".join(argv)))
    return [rel(d) for d in book_listings.listings() if d.parent.name[:4] in chapters]


def missing_tools_quiet(a):
    try:
        return missing_tools(a)
    except KeyError:
        return ["unknown"]


def preview_note(only):
    return ('<div class="not-run">\n\n**Not built in this preview:** `bash ci/book.sh --chapter` built the '
            f"outputs of `{only}` only. Build the whole book with `bash ci/book.sh` to see this one.\n\n</div>\n")


def prepare():
    """Check every directive of the chapters against the cache, once, before
    mdbook runs, and write target/cache/bookrun/ready.sh: a shell function
    that gives the shell wrapper, for each directive whose recorded
    dependencies are unchanged and whose tools are here, the file of its
    output (ready/KEY.md). Prints the global key (ci/book.sh exports it as
    BOOKRUN_GLOBAL, so bookrun.py need not compute it again)."""
    glob = global_key()
    os.makedirs(READY, exist_ok=True)
    for f in os.listdir(READY):
        os.unlink(os.path.join(READY, f))
    branches = []
    stale = 0
    keys = set()
    use_cache = os.environ.get("BOOKRUN_NO_CACHE") != "1"
    ap = parser()
    only = os.environ.get("BOOKRUN_ONLY")
    for ch, argv in directives() if use_cache or only else []:
        try:
            a = ap.parse_args(argv)
        except SystemExit:
            continue  # bookrun itself reports it when mdbook runs the directive
        cwd = os.path.realpath(ch.parent)
        key = cache_key(argv, cwd, glob)
        keys.add(key)
        if only and rel(ch) != only:
            # A one-chapter preview (ci/book.sh --chapter): the others' outputs
            # are a note, unless they happen to be up to date.
            out = cached(key) if use_cache and not missing_tools_quiet(a) else None
            if out is None:
                out, what = preview_note(only), "note"
            else:
                what = "cached"
            mark_ready(key, out)
            branches.append(([cwd, *argv], os.path.join(READY, key + ".md"), what))
            continue
        try:
            if missing_tools(a):
                continue
        except KeyError:
            continue  # an unknown tool: bookrun fails on it when mdbook runs the directive
        out = cached(key)
        if out is None:
            stale += 1
            continue
        mark_ready(key, out)
        branches.append(([cwd, *argv], os.path.join(READY, key + ".md"), "cached"))
    write_table(os.path.join(CACHE, "ready.sh"), branches)
    # Outputs of directives that no longer exist, or of older machinery.
    if use_cache:
        for f in os.listdir(CACHE):
            if f.endswith(".json") and f[:-5] not in keys:
                os.unlink(os.path.join(CACHE, f))
    print(glob)
    print(f"bookrun: {len(branches)} outputs ready, {stale} to run", file=sys.stderr)


def forget(names):
    """Drop every cached output that carries `<!-- numbers NAME {` for one of
    NAMES (ci/book.sh, when a claim is false: those benchmarks measure again)."""
    marks = [f"<!-- numbers {n} {{" for n in names]
    dropped = 0
    for f in sorted(os.listdir(CACHE)) if os.path.isdir(CACHE) else []:
        if not f.endswith(".json"):
            continue
        path = os.path.join(CACHE, f)
        try:
            with open(path) as fh:
                output = json.load(fh)["output"]
        except (OSError, ValueError, KeyError):
            continue
        if any(m in output for m in marks):
            os.unlink(path)
            dropped += 1
    print(f"bookrun: forgot {dropped} output(s) of {', '.join(names)}", file=sys.stderr)


# A Python file that reads the clock makes an output that needs a quiet
# machine: the benchmarks (benchkit) and chapter 8's first-touch timing.
CLOCK_RE = re.compile(r"\b(benchkit|perf_counter|timeit|monotonic)\b")


def measures(argv, cwd):
    """Whether a directive's output is a measurement: a Python file it names
    reads the clock."""
    a = parser().parse_args(argv)
    base = os.path.join(cwd, a.cwd) if getattr(a, "cwd", None) else cwd
    names = [a.file] if a.mode == "session" else a.cmd
    for word in names:
        for part in shlex.split(word) if " " in word else [word]:
            if part.endswith(".py"):
                path = os.path.join(base, part)
                try:
                    with open(path, encoding="utf-8") as f:
                        if CLOCK_RE.search(f.read()):
                            return True
                except OSError:
                    pass
    return False


def warm():
    """Run, ahead of the book, every directive whose output measures no
    time, as mdbook-cmdrun would (in the chapter's folder, through this
    script), so that its output is in the cache when ci/book.sh runs. ci/test.sh
    does this beside the tests, where a core would be idle; the book step,
    which runs alone on a quiet machine, is then left with the measurements.
    A directive that fails here is not cached: the book runs it again and
    fails with its message there. Never fails itself."""
    glob = global_key()
    env = dict(os.environ, BOOKRUN_GLOBAL=glob, BOOKRUN_LOG=os.path.join(ROOT, "target", "bookrun-warm.log"))
    for var in ("BOOKRUN_READY", "BOOKRUN_ONLY", "BOOKRUN_NO_CACHE"):
        env.pop(var, None)
    open(env["BOOKRUN_LOG"], "w").close()
    ap = parser()
    ran = skipped = failed = 0
    start = time.monotonic()
    for ch, argv in directives():
        cwd = os.path.realpath(ch.parent)
        try:
            a = ap.parse_args(argv)
            if missing_tools(a) or measures(argv, cwd):
                skipped += 1
                continue
        except (SystemExit, KeyError):
            continue  # the book reports it
        if cached(cache_key(argv, cwd, glob)) is not None:
            continue
        p = subprocess.run([sys.executable, os.path.abspath(__file__), *argv], cwd=cwd, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
        ran += 1
        if p.returncode != 0:
            failed += 1
            print(f"bookrun warm: {rel(ch)}: `{shlex.join(argv)[:120]}` failed (status {p.returncode}); "
                  f"the book runs it again and reports it", file=sys.stderr)
    print(f"bookrun warm: ran {ran} outputs ahead of the book in {time.monotonic() - start:.0f}s "
          f"({failed} failed, {skipped} left to the book: measurements, or a tool missing)")


if __name__ == "__main__":
    main()
