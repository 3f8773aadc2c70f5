#!/usr/bin/env python3
"""Run a command for the book and print its output as Markdown.

Every `<!-- cmdrun ... -->` in src/ goes through this script, because
mdbook-cmdrun never fails a build: on its own, a failing command just leaves
a hole or an error line in the page. bookrun instead

* checks the exit status (0, or the one given with --expect),
* merges stderr into stdout in the order the program wrote them,
* normalises what would differ between machines (paths, thread ids,
  addresses, timings),
* wraps the output in a code fence,
* records the result in $BOOKRUN_LOG, which ci/book.sh reads after mdbook
  has finished, so any failure fails the book command,
* keeps each successful output in target/cache/bookrun/, keyed by a hash of
  everything it can depend on: its arguments, the files they name, every
  file of ci/ and listings/ and the listings' build stamps. So a prose edit
  rebuilds the book in seconds, while any change to code or tools runs the
  commands again. BOOKRUN_NO_CACHE=1 runs everything.

Usage (paths are relative to the chapter file, where cmdrun runs):
  bookrun session FILE.py          a REPL transcript of FILE.py (ci/chapters/pysession.py)
  bookrun shell [--cwd DIR] [--expect N] [--grep RE] [--drop RE] [--show TEXT] -- CMD...
                                   `$ CMD` and its output, as a console block
  bookrun raw -- CMD...            CMD's stdout inserted as Markdown
"""

import argparse
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import sysconfig
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def normalise(text):
    """Remove what depends on the machine, the run or the clone's location."""
    home = os.path.expanduser("~")
    venv = os.environ.get("VIRTUAL_ENV", os.path.join(ROOT, ".venv"))
    base = sysconfig.get_config_var("prefix") or sys.base_prefix
    for path, name in (
        (os.path.join(venv, ""), ".venv/"),
        (os.path.join(ROOT, ""), ""),
        (ROOT, "."),
        (os.path.join(sys.base_prefix, ""), "<python>/"),
        (os.path.join(base, ""), "<python>/"),
    ):
        text = text.replace(path, name)
    text = re.sub(re.escape(home) + r"/\.cargo/registry/src/[^/]+/", "~/.cargo/registry/src/…/", text)
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


def log(status, detail=""):
    entry = {
        "seconds": round(time.monotonic() - STARTED, 2),
        "status": status,
        "cwd": os.path.relpath(os.getcwd(), ROOT),
        "args": sys.argv[1:],
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


def run(cmd, cwd=None):
    env = dict(os.environ)
    env.pop("RUST_BACKTRACE", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("COLUMNS", "80")
    env["NO_COLOR"] = "1"
    env["CARGO_TERM_COLOR"] = "never"
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    return p.returncode, p.stdout


CACHE = os.path.join(ROOT, "target", "cache", "bookrun")


def inputs_digest():
    """A hash of every file of ci/ and listings/ (tracked or new) and of the
    listings' build stamps: what any command of the book can depend on,
    except the arguments it is given. ci/book.sh computes it once per build
    and passes it on in BOOKRUN_INPUTS."""
    h = hashlib.sha256()
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "ci", "listings"],
        cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    stamps = os.path.join(ROOT, "target", "stamps")
    names = [os.path.join(ROOT, f.decode()) for f in files if f]
    names += sorted(os.path.join(stamps, f) for f in (os.listdir(stamps) if os.path.isdir(stamps) else []))
    for name in names:
        h.update(name.encode() + b"\0")
        try:
            with open(name, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
        except OSError:
            h.update(b"missing")
    return h.hexdigest()


def cache_key(argv, cwd):
    """The key of this run's output: a hash of its arguments, its folder,
    BOOKRUN_INPUTS (or inputs_digest()) and the files its arguments name,
    but not of the chapters' prose. The shell wrapper `bookrun` computes
    the same key to answer from the cache without starting Python."""
    if os.environ.get("BOOKRUN_KEY"):
        return os.environ["BOOKRUN_KEY"]
    inputs = os.environ.get("BOOKRUN_INPUTS") or inputs_digest()
    h = hashlib.sha256()
    h.update(b"".join(a.encode() + b"\0" for a in argv))
    h.update(cwd.encode() + b"\0" + inputs.encode() + b"\0")
    for a in argv:
        for base in (cwd, ROOT):
            path = os.path.join(base, a)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    h.update(path.encode() + b"\0" + hashlib.sha256(f.read()).hexdigest().encode() + b"\n")
    return h.hexdigest()[:32]


def fence(lang, body):
    body = body.rstrip("\n")
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}{lang}\n{body}\n{ticks}\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("session")
    s.add_argument("file")
    sh = sub.add_parser("shell")
    sh.add_argument("--cwd")
    sh.add_argument("--expect", type=int, default=0)
    sh.add_argument("--grep", help="keep only the lines that match this regex")
    sh.add_argument("--drop", help="drop the lines that match this regex (e.g. cargo's progress lines)")
    sh.add_argument("--show", help="the command as the page shows it")
    sh.add_argument("cmd", nargs="+")
    r = sub.add_parser("raw")
    r.add_argument("cmd", nargs="+")
    sub.add_parser("digest", help="print the hash of ci/ and listings/ (for BOOKRUN_INPUTS)")
    a = ap.parse_args()
    if a.mode == "digest":
        print(inputs_digest())
        return

    use_cache = os.environ.get("BOOKRUN_NO_CACHE") != "1"
    if use_cache:
        key = cache_key(sys.argv[1:], os.getcwd())
        cached = os.path.join(CACHE, key + ".md")
        if os.path.isfile(cached):
            with open(cached) as f:
                sys.stdout.write(f.read())
            log("ok", "cached")
            return
    out = produce(a)
    if use_cache:
        os.makedirs(CACHE, exist_ok=True)
        with open(cached + ".tmp", "w") as f:
            f.write(out)
        os.replace(cached + ".tmp", cached)
    sys.stdout.write(out)
    log("ok")


def produce(a):
    """The Markdown for one directive; fails the run (exit 1) on a bad status."""
    if a.mode == "session":
        code, out = run([sys.executable, os.path.join(HERE, "pysession.py"), a.file])
        out = normalise(out)
        if code != 0:
            fail(f"session {a.file} exited with status {code}", out)
        return fence("pycon", out) + "\n"
    elif a.mode == "shell":
        code, out = run(a.cmd, cwd=a.cwd)
        out = normalise(out)
        if code != a.expect:
            fail(f"`{shlex.join(a.cmd)}` exited with status {code}, expected {a.expect}", out)
        if a.grep:
            kept = [l for l in out.splitlines() if re.search(a.grep, l)]
            if not kept:
                fail(f"--grep {a.grep!r} matched nothing in the output of `{shlex.join(a.cmd)}`", out)
            out = "\n".join(kept)
        if a.drop:
            out = "\n".join(l for l in out.splitlines() if not re.search(a.drop, l))
        shown = a.show or shlex.join(a.cmd)
        return fence("console", f"$ {shown}\n{out}") + "\n"
    code, out = run(a.cmd)
    if code != 0:
        fail(f"`{shlex.join(a.cmd)}` exited with status {code}", out)
    return normalise(out) + "\n"


if __name__ == "__main__":
    main()
