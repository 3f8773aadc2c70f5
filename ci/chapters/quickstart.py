#!/usr/bin/env python3
"""Run the quick start (listings/ch00-quick-start/steps.sh) as a reader would.

  quickstart.py run [--fresh]   run every step in an empty folder; print the transcript
  quickstart.py show BLOCK      one block (`## BLOCK` in steps.sh) as a console block,
                                from the cache (running the steps first if needed)
  quickstart.py show timing     one sentence: the run's machine time, and whether
                                its `maturin develop` compiled PyO3 and rust-numpy

The steps run in one bash, in an empty folder (target/quickstart/work, emptied
first), with the book's own virtualenv taken off PATH, so the reader's
commands make their own. A `#: write DEST SOURCE` line copies a file of the
listing folder into the project, as the reader would type it.

Two things a reader would not see are hidden: each block builds into its own
shared cargo target dir (target/quickstart/<block>, shown as `ewma/target`),
so a warm run compiles nothing, and cargo's progress lines are left out.

The transcript is cached in target/cache/quickstart-<hash>.json by a hash of
the steps, the files, this script and the tool versions; `--fresh` ignores
the cache. ci/tests/test_quickstart.py runs the same steps and checks them.
"""

import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LISTING = ROOT / "listings" / "ch00-quick-start"
STEPS = LISTING / "steps.sh"
BASE = ROOT / "target" / "quickstart"
WORK = BASE / "work"
CACHE = ROOT / "target" / "cache"
MARK = "\x1e"
# cargo's and pip's progress lines: they differ between a cold and a warm run.
PROGRESS = re.compile(r"^\s*(Compiling|Downloaded|Downloading|Updating|Locking|Blocking|Fresh|"
                      r"Checking|Building \[|Unpacking|Looking in links:|Using cached )")


def blocks():
    """[(name, [line, ...])] from steps.sh: commands and `#: write` lines."""
    out = []
    for line in STEPS.read_text().splitlines():
        if line.startswith("## "):
            out.append((line[3:].strip(), []))
        elif line.startswith("#: ") or (line.strip() and not line.startswith("#")):
            if not out:
                raise SystemExit(f"{STEPS}: a command before the first `## block` line")
            out[-1][1].append(line)
    return out


def tool_versions():
    out = []
    for cmd in (["rustc", "-V"], ["cargo", "-V"], ["python3", "-VV"]):
        p = subprocess.run(cmd, capture_output=True, text=True, env=reader_env())
        out.append(p.stdout.strip())
    return out


def key():
    h = hashlib.sha256()
    # The inputs of the run: the steps and the files they write.
    sources = [c.split()[-1] for _, cmds in blocks() for c in cmds if c.startswith("#: ")]
    for f in [STEPS, *(LISTING / s for s in sources)]:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    h.update(Path(__file__).read_bytes())
    h.update("\n".join(tool_versions()).encode())
    return h.hexdigest()[:16]


def reader_env():
    """The environment without the book's virtualenv, as in a reader's shell."""
    env = dict(os.environ)
    venv = env.pop("VIRTUAL_ENV", None)
    parts = env.get("PATH", "").split(os.pathsep)
    book_bins = {str(ROOT / ".venv" / "bin")} | ({os.path.join(venv, "bin")} if venv else set())
    env["PATH"] = os.pathsep.join(p for p in parts if p not in book_bins)
    for name in ("PYTHONHOME", "PYTHONPATH", "CARGO_TARGET_DIR", "RUST_BACKTRACE", "PIP_REQUIRE_VIRTUALENV"):
        env.pop(name, None)
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONUNBUFFERED="1", NO_COLOR="1",
               CARGO_TERM_COLOR="never", PIP_PROGRESS_BAR="off")
    return env


def script():
    """One bash script: a marker line before each command, so the output
    can be split again; `set -e` stops at the first failure."""
    lines = ["set -eo pipefail", "exec 2>&1"]
    for name, cmds in blocks():
        lines.append(f"export CARGO_TARGET_DIR={shlex.quote(str(BASE / name))}")
        for cmd in cmds:
            shown = cmd
            if cmd.startswith("#: "):
                words = shlex.split(cmd[3:])
                if len(words) != 3 or words[0] != "write":
                    raise SystemExit(f"{STEPS}: unknown directive {cmd!r}")
                dest, source = words[1], LISTING / words[2]
                if not source.is_file():
                    raise SystemExit(f"{STEPS}: {cmd!r}: no file {source}")
                cmd = f"mkdir -p \"$(dirname {shlex.quote(dest)})\" && cp {shlex.quote(str(source))} {shlex.quote(dest)}"
            lines.append(f"printf '%s%s\\n' \"$EPOCHREALTIME\" {shlex.quote(MARK + name + MARK + shown)}")
            lines.append(cmd)
    lines.append(f"printf '%s%s\\n' \"$EPOCHREALTIME\" {shlex.quote(MARK + 'end' + MARK)}")
    return "\n".join(lines) + "\n"


def normalise(text):
    for name, _ in blocks():
        text = text.replace(str(BASE / name), "ewma/target")
    text = text.replace(str(WORK) + "/", "~/").replace(str(WORK), "~")
    text = re.sub(r"\bin (\d+m )?\d+(\.\d+)?s\b", "in …s", text)
    text = re.sub(r"size=\d+ sha256=[0-9a-f]+", "size=… sha256=…", text)
    text = re.sub(r"/pip-ephem-wheel-cache-\w+/", "/pip-ephem-wheel-cache-…/", text)
    text = re.sub(r"(/wheels)/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]+", r"\1/…", text)
    return text


def run():
    """Run every step; return {"ok", "failed", "steps": [[block, cmd, output]]}."""
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    p = subprocess.run(["bash", "-c", script()], cwd=WORK, env=reader_env(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    steps, current, compiled = [], None, {}
    for line in p.stdout.split("\n"):  # not splitlines(): it splits at \x1e too
        if m := re.match(r"^([\d.]+)" + MARK + "(.*?)" + MARK + "(.*)$", line):
            at, name, cmd = float(m[1]), m[2], m[3]
            if steps:
                steps[-1][3] = round(at - steps[-1][4], 1)
            current = [name, cmd, [], None, at]
            steps.append(current)
        elif current is not None:
            if re.match(r"^\s*Compiling ", line):
                compiled[current[0]] = compiled.get(current[0], 0) + 1
            if not PROGRESS.match(line):
                current[2].append(line)
    finished = bool(steps) and steps[-1][0] == "end"
    seconds = {f"{b}: {c}": t for b, c, _, t, _ in steps if b != "end"}
    steps = [[b, c, normalise("\n".join(o))] for b, c, o, _, _ in steps if b != "end"]
    failed = None if p.returncode == 0 and finished else (steps[-1][1] if steps else "bash")
    return {"ok": failed is None, "failed": failed, "status": p.returncode, "steps": steps, "seconds": seconds,
            "compiled": compiled}


def cached(fresh=False):
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"quickstart-{key()}.json"
    with open(CACHE / "quickstart.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists() and not fresh:
            return json.loads(path.read_text())
        result = run()
        if result["ok"]:
            path.write_text(json.dumps(result, indent=1, ensure_ascii=False))
        return result


def fence(body):
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}console\n{body.rstrip()}\n{ticks}"


def show(block, result):
    parts = []
    for b, cmd, out in result["steps"]:
        if b != block:
            continue
        if cmd.startswith("#: "):
            continue  # the page shows the files themselves
        parts.append(f"$ {cmd}" + (f"\n{out.rstrip()}" if out.strip() else ""))
    if not parts:
        raise SystemExit(f"quickstart: no commands in block {block!r} of {STEPS}")
    return fence("\n".join(parts))


def timing(result):
    """One sentence for the page: the machine time of the whole run, read from
    the run, and whether cargo compiled PyO3 and rust-numpy in it."""
    seconds = result.get("seconds", {})
    total = sum(seconds.values())
    develop = sum(t for k, t in seconds.items() if k.startswith("develop: maturin develop"))
    crates = result.get("compiled", {}).get("develop", 0)
    said = (f"On the machine that built this page, every command on it took {total:.0f} seconds in all, "
            f"{develop:.0f} of them in `maturin develop --release`")
    if crates:
        said += f", which compiled {crates} crates, PyO3 and rust-numpy among them."
    else:
        said += (", with PyO3 and rust-numpy already compiled by an earlier run: your first build "
                 "compiles them too, once.")
    return said + " Downloads, typing and reading are yours to add.\n"


def transcript(result):
    return "\n".join(f"[{b}] $ {c}\n{o}".rstrip() for b, c, o in result["steps"])


def main():
    args = sys.argv[1:]
    if args[:1] == ["run"]:
        result = cached(fresh="--fresh" in args)
        print(transcript(result))
        if not result["ok"]:
            print(f"quickstart: failed at `{result['failed']}` (status {result['status']})", file=sys.stderr)
            return 1
        return 0
    if len(args) == 2 and args[0] == "show":
        result = cached()
        if not result["ok"]:
            print(transcript(result))
            print(f"quickstart: failed at `{result['failed']}` (status {result['status']})", file=sys.stderr)
            return 1
        print(timing(result) if args[1] == "timing" else show(args[1], result))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
