#!/usr/bin/env python3
"""Run Python under valgrind memcheck, cache the report, read it back.

Chapter 3's tool, beside valgrind_py.sh (which it runs). For example, in
listing 3-1's folder, after `maturin develop --release`:

  python ../valgrind_report.py baseline          the baseline suppressions: prints the file's path
  python ../valgrind_report.py show --baseline --inputs . -- python exercise.py

One valgrind run of even a small script takes 10-20 s, so each report is
kept in a cache folder and reused while its inputs are the same: the folder
$VALGRIND_REPORT_CACHE, else valgrind/ in $CARGO_TARGET_DIR, else
target/valgrind/ beside this script. The key hashes: the command and its
folder, the files given with --inputs (for a folder with a pyproject.toml:
its files, and the RECORD of the package it installed, so a rebuild counts),
the wrapper valgrind_py.sh, the suppression files, this script, and the
versions of valgrind, Python, rustc and every package installed from an
index. Change any of them and the next call runs valgrind again.

  valgrind_report.py json  [OPTIONS] -- CMD...   the errors as JSON (for tests)
  valgrind_report.py show  [OPTIONS] -- CMD...   the report, trimmed, for the book
  valgrind_report.py check [OPTIONS] -- CMD...   exit 1 unless zero errors and CMD passed
  valgrind_report.py baseline [--show]           make (or reuse) the baseline suppressions

OPTIONS
  --cwd DIR            run CMD there (default: the current folder)
  --inputs PATH...     files or listing folders whose change must rerun valgrind
  --baseline           use the baseline suppressions (see below)
  --supp FILE          another suppression file (repeatable)
  --focus REGEX        show: keep only the records with a frame matching REGEX

The baseline. Python, NumPy, the dynamic loader and rust-numpy itself give
valgrind a few dozen reports that are not bugs of yours (CPython 3.11 reads
an uninitialised digit in int.from_bytes; rust-numpy's borrow-checking
capsule is never freed). `baseline` runs two programs known to be good,
with --gen-suppressions=all: a small pytest + Hypothesis + NumPy test
(known-good/known_good.py) and the exercise.py of a tiny extension that is
not a listing (known-good/ext, which it builds with maturin into the
current virtualenv: pyo3 and rust-numpy's usual paths, nothing kept of its
own). It keeps each suppression with Rust's per-build hash (17h...E) and
machine paths wildcarded, cut where that extension's own code begins; a
leak whose stack, cut there, holds nothing but the allocator is the
extension's and is dropped.
Then it appends known-good/cpython.supp, a few hand-written entries for
reports that lie wholly inside CPython, glibc's dynamic loader or readline
and that the known-good runs miss.

VALGRIND_BASELINE=FILE hands over a baseline made elsewhere from the same
Python and NumPy (the book's CI gives the one its valgrind suite made to
the listings' tests run from the archive): `baseline` returns FILE instead
of making one.

Without valgrind, `show` prints a note (status 0), unless
BOOK_REQUIRE_TOOLS=1 (the book's own CI); the other modes fail.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
WRAPPER = HERE / "valgrind_py.sh"
KNOWN_GOOD = HERE / "known-good"
KNOWN_GOOD_EXT = KNOWN_GOOD / "ext"
KNOWN_GOOD_MODULE = "_valgrind_known_good"
EXTRA = KNOWN_GOOD / "cpython.supp"


def cache_dir():
    """Where reports are kept: $VALGRIND_REPORT_CACHE, else beside cargo's
    build output ($CARGO_TARGET_DIR/valgrind), else target/valgrind here."""
    if os.environ.get("VALGRIND_REPORT_CACHE"):
        return Path(os.environ["VALGRIND_REPORT_CACHE"]).resolve()
    if os.environ.get("CARGO_TARGET_DIR"):
        return Path(os.environ["CARGO_TARGET_DIR"]).resolve() / "valgrind"
    return HERE / "target" / "valgrind"


CACHE = cache_dir()


def from_an_index(dist):
    """Installed from a package index, not built here: no PEP 610 direct_url.json
    (maturin develop and `pip install .` write one)."""
    try:
        return dist.read_text("direct_url.json") is None
    except OSError:
        return True


def versions():
    vg = subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()
    np = subprocess.run([sys.executable, "-c", "import numpy; print(numpy.__version__)"],
                        capture_output=True, text=True).stdout.strip()
    try:
        rustc = subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout.strip()
    except OSError:
        rustc = "no rustc"
    # Every package installed from an index can change what a run reports (a
    # new pytest plugin, say), so a run made before one changed, and the
    # baseline made from one, are not reused after it. (The packages built
    # here are hashed by --inputs.)
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions() if from_an_index(d))
    return f"{vg}\n{sys.version}\nnumpy {np}\n{rustc}\n{' '.join(packages)}\n"


def installed_record(folder):
    """The installed files, with their hashes, of the package that FOLDER's
    pyproject.toml names (from its RECORD, but for the .dist-info files,
    which hold install times and paths), or a note that it is not installed."""
    try:
        with open(folder / "pyproject.toml", "rb") as f:
            name = tomllib.load(f)["project"]["name"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None
    try:
        record = metadata.distribution(name).read_text("RECORD") or ""
    except metadata.PackageNotFoundError:
        return f"{name} not installed"
    return "\n".join([name, *sorted(l for l in record.splitlines() if ".dist-info/" not in l.split(",")[0])])


def input_digest(h, path):
    path = Path(path).resolve()
    if path.is_dir():
        record = installed_record(path)
        if record is not None:
            h.update(b"installed " + record.encode())
        skip = {"target", "build", "__pycache__", ".pytest_cache", ".hypothesis"}
        for p in sorted(path.rglob("*")):
            rel = p.relative_to(path)
            if p.is_file() and not set(rel.parts) & skip and p.suffix not in (".so", ".pyc") \
                    and not any(x.endswith(".egg-info") for x in rel.parts):
                h.update(str(rel).encode() + b"\0" + p.read_bytes())
    elif path.exists():
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    else:
        sys.exit(f"valgrind_report: --inputs {path}: no such file")


def run_key(cmd, cwd, inputs, supps, gen_supp=False):
    """The cache key of a run: everything its report can depend on."""
    h = hashlib.sha256()
    h.update(versions().encode())
    # This script: how runs are made and read, and how the baseline is cut.
    h.update(hashlib.sha256(Path(__file__).read_bytes()).digest())
    h.update(json.dumps([cmd, os.path.relpath(Path(cwd).resolve(), HERE), gen_supp]).encode())
    h.update(WRAPPER.read_bytes())
    for s in supps:
        h.update(Path(s).read_bytes())
    for i in inputs:
        input_digest(h, i)
    return h.hexdigest()[:20]


def run(cmd, cwd, inputs, supps, gen_supp=False):
    """Run CMD under the wrapper (or reuse the cached run); return its folder."""
    cwd = Path(cwd).resolve()
    out = CACHE / run_key(cmd, cwd, inputs, supps, gen_supp)
    if (out / "status.json").exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=CACHE, prefix="tmp-"))
    opts = [f"--log-file={tmp / 'report.txt'}"]
    opts += [f"--suppressions={s}" for s in supps]
    if gen_supp:
        opts.append("--gen-suppressions=all")
    print(f"valgrind_report: running valgrind (about 20 s): {' '.join(cmd)}", file=sys.stderr, flush=True)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(tmp / "program.txt", "w") as prog:
        p = subprocess.run(["bash", str(WRAPPER), *opts, "--", *cmd], cwd=cwd, env=env,
                           stdout=prog, stderr=subprocess.STDOUT)
    (tmp / "status.json").write_text(json.dumps({"status": p.returncode, "cmd": cmd}))
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out


FRAME_RE = re.compile(r"^\s+(?:at|by) 0x[0-9A-Fa-f]+: (?P<fn>.*?)(?: \((?:in (?P<obj>[^)]*)|(?P<file>[^:()]*):(?P<line>\d+))\))?$")
SUMMARY_RE = re.compile(r"ERROR SUMMARY: ([\d,]+) errors from [\d,]+ contexts \(suppressed: ([\d,]+) from")


def records(folder):
    """The report's records: lists of lines without the ==PID== prefix."""
    out, cur = [], []
    for l in (folder / "report.txt").read_text(errors="replace").splitlines():
        if not re.match(r"^==\d+==", l):
            # --gen-suppressions writes its {...} blocks without the prefix.
            cur.append(l)
            continue
        body = re.sub(r"^==\d+== ?", "", l)
        if body.strip() == "":
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(body)
    if cur:
        out.append(cur)
    return out


def kind_of(what):
    for pattern, kind in (("Invalid read", "InvalidRead"), ("Invalid write", "InvalidWrite"),
                          ("definitely lost", "Leak_DefinitelyLost"), ("Conditional jump", "UninitCondition"),
                          ("uninitialised", "UninitValue"), ("free", "InvalidFree"),
                          ("overlap", "Overlap"), ("Syscall param", "SyscallParam")):
        if pattern in what:
            return kind
    return "Other"


def parse(folder):
    """{status, errors: [{kind, what, stack: [{fn, file, line, obj}]}], suppressed, program, suppressions}."""
    errors, sups, counted, suppressed = [], [], None, 0
    for rec in records(folder):
        what = rec[0]
        if len(rec) > 1 and FRAME_RE.match(rec[1]) and not what.startswith(("{", "}")):
            stack = []
            for l in rec[1:]:
                m = FRAME_RE.match(l)
                if not m:
                    break
                stack.append(m.groupdict())
            errors.append({"kind": kind_of(what), "what": what, "stack": stack})
        m = next((m for m in map(SUMMARY_RE.search, rec) if m), None)
        if m:
            counted = int(m.group(1).replace(",", ""))
            suppressed = int(m.group(2).replace(",", ""))
        # Suppressions: "{" ... "}" blocks after an error, without the prefix.
        sup, inside = [], False
        for l in rec:
            if l == "{":
                sup, inside = ["{"], True
            elif inside:
                sup.append(l)
                if l == "}":
                    sups.append("\n".join(sup))
                    inside = False
    if counted is None:
        sys.exit(f"valgrind_report: no ERROR SUMMARY in {folder / 'report.txt'}: valgrind did not finish")
    status = json.loads((folder / "status.json").read_text())["status"]
    return {"status": status, "errors": errors, "error_count": counted, "suppressed": suppressed,
            "program": (folder / "program.txt").read_text(errors="replace"), "suppressions": sups}


# --- the baseline ------------------------------------------------------------

ALLOC_FRAME = re.compile(r"^(fun:(malloc|calloc|realloc|posix_memalign|aligned_alloc|memalign|"
                         r"UnknownInlinedFun|__rust_\w+|_ZN\d+(alloc|core|std)\d.*|\w*alloc\w*)|\.\.\.)$")


def clean_suppression(raw, module, n_error_frames=4, n_leak_frames=6, n_uninit_frames=2):
    """Generalise one generated suppression, or return None to drop it."""
    lines = [l.strip() for l in raw.strip().splitlines()]
    assert lines[0] == "{" and lines[-1] == "}", raw
    kind = lines[2]
    head = [kind] + [l for l in lines[3:-1] if l.startswith("match-leak-kinds")]
    frames = [l for l in lines[3:-1] if l.startswith(("fun:", "obj:", "..."))]
    out = []
    for f in frames:
        if f.startswith("fun:") and (f"{len(module)}{module}" in f or f"{module}::" in f):
            out.append("...")  # listing code begins: whatever calls it, match
            break
        f = re.sub(r"17h[0-9a-f]{16}E", "17h*E", f)                  # Rust's per-build hash
        f = re.sub(r"\.llvm\.\d+$", ".llvm.*", f)                      # and LLVM's, after inlining
        f = re.sub(r"^obj:.*/", "obj:*/", f)                          # machine paths
        if f == "fun:UnknownInlinedFun":
            f = "..."  # an inlined frame: absent from a build without debug info
        if not (f == "..." and out and out[-1] == "..."):
            out.append(f)
    # Deeper frames differ from one crate's inlining to the next: keep the
    # top of the stack, which says who allocated (or who erred).
    uninit = kind in ("Memcheck:Cond", "Memcheck:Value8", "Memcheck:Value4", "Memcheck:Param")
    out = out[:n_leak_frames if kind == "Memcheck:Leak" else n_uninit_frames if uninit else n_error_frames]
    while out and out[-1] == "...":
        out.pop()
    if kind == "Memcheck:Leak" and all(ALLOC_FRAME.match(f) for f in out):
        return None  # allocated by listing code itself: never suppress that
    return head, out


def build_known_good_ext():
    """maturin develop known-good/ext, into the interpreter running this
    script, when its files changed or it is not installed."""
    h = hashlib.sha256(sys.version.encode() + sys.prefix.encode())
    input_digest(h, KNOWN_GOOD_EXT)
    stamp = CACHE / "known-good-ext.sha"
    probe = subprocess.run([sys.executable, "-c", f"import {KNOWN_GOOD_MODULE}"], capture_output=True)
    if stamp.exists() and stamp.read_text() == h.hexdigest() and probe.returncode == 0:
        return
    print(f"valgrind_report: building {KNOWN_GOOD_EXT} (maturin develop --release)", file=sys.stderr, flush=True)
    env = dict(os.environ)
    if sys.prefix != sys.base_prefix:
        env["VIRTUAL_ENV"] = sys.prefix  # maturin develop installs into this virtualenv
    subprocess.run([sys.executable, "-m", "maturin", "develop", "--release", "--locked", "--quiet"],
                   cwd=KNOWN_GOOD_EXT, check=True, stdout=sys.stderr, env=env)
    CACHE.mkdir(parents=True, exist_ok=True)
    # What the stamp says includes the package just installed (its RECORD).
    h = hashlib.sha256(sys.version.encode() + sys.prefix.encode())
    input_digest(h, KNOWN_GOOD_EXT)
    stamp.write_text(h.hexdigest())


def baseline():
    """Make (or reuse) the baseline suppression file; return its path.
    Two processes that ask at once (the test suite and the valgrind suite
    run side by side) take turns: the second one reuses the first one's runs."""
    given = os.environ.get("VALGRIND_BASELINE")
    if given:
        if not Path(given).is_file():
            sys.exit(f"valgrind_report: VALGRIND_BASELINE={given}: no such file")
        return Path(given).resolve()
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no valgrind there either
        return _baseline()
    with open(CACHE / "baseline.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _baseline()


def _baseline():
    runs = [
        (["python", "-m", "pytest", "-q", "known_good.py"], KNOWN_GOOD,
         [KNOWN_GOOD / "known_good.py", KNOWN_GOOD / "pytest.ini"]),
        (["python", "exercise.py"], KNOWN_GOOD_EXT, [KNOWN_GOOD_EXT]),
    ]
    build_known_good_ext()
    seen, entries = set(), []
    for cmd, cwd, inputs in runs:
        res = parse(run(cmd, cwd, inputs, [], gen_supp=True))
        if res["status"] not in (0, 99):
            sys.exit(f"valgrind_report: known-good run {' '.join(cmd)} failed:\n{res['program']}")
        for raw in res["suppressions"]:
            c = clean_suppression(raw, KNOWN_GOOD_MODULE)
            if c is None:
                continue
            key = "\n".join(c[0] + c[1])
            if key not in seen:
                seen.add(key)
                entries.append(c)
    body = ["# Baseline suppressions, generated by valgrind_report.py baseline (chapter 3) from",
            "# runs known to be good. Do not edit: change the known-good runs instead.", ""]
    for i, (head, frames) in enumerate(entries, 1):
        body += ["{", f"   baseline-{i}", *("   " + l for l in head), *("   " + f for f in frames), "}"]
    text_ = "\n".join(body) + "\n\n" + EXTRA.read_text()
    path = CACHE / f"baseline-{hashlib.sha256(text_.encode()).hexdigest()[:12]}.supp"
    if not path.exists():
        path.write_text(text_)
    return path


# --- showing a report --------------------------------------------------------

def normalise(line):
    line = re.sub(r"^==\d+==", "==…==", line)
    line = re.sub(r"\b0x[0-9A-Fa-f]+\b", "0x…", line)
    return line


def show(folder, focus, frames=None):
    """The text report, trimmed to the records that matter, stable between runs.

    With `frames`, each record keeps that many frames, and only the first
    record of each kind with the same top frames is shown."""
    lines = (folder / "report.txt").read_text(errors="replace").splitlines()
    records, cur = [], []
    for l in lines:
        body = re.sub(r"^==\d+== ?", "", l)
        if body.strip() == "":
            if cur:
                records.append(cur)
            cur = []
        else:
            cur.append(l)
    if cur:
        records.append(cur)
    out, seen = [], set()
    for rec in records:
        first = re.sub(r"^==\d+== ?", "", rec[0])
        is_error = len(rec) > 1 and re.search(r"==\s+at 0x", rec[1])
        if frames and focus and is_error and any(re.search(focus, l) for l in rec[1:]):
            stack = [re.sub(r"^==\d+==\s+(at|by) 0x[0-9A-Fa-f]+: ", "", l) for l in rec[1:frames + 1]]
            key = (re.sub(r"[\d,]+", "N", first), tuple(stack))
            if key not in seen:
                seen.add(key)
                prefix = re.match(r"^==\d+==", rec[0]).group(0)
                out.append(rec[:frames + 1] + [prefix + "    ..."])
            continue
        if first.startswith("Memcheck,"):
            out.append([rec[0], *(l for l in rec if "Command:" in l)])
        elif first.startswith(("LEAK SUMMARY", "ERROR SUMMARY")):
            out.append([l for l in rec if "Reachable blocks" not in l and "To see them" not in l])
        elif first.startswith("HEAP SUMMARY"):
            continue
        elif focus and any(re.search(focus, l) for l in rec[1:]):
            # The stack down to the listing's #[pyfunction], then, for an
            # invalid access, the block it missed and who allocated it.
            kept, state, aux = [], "stack", 0
            for l in rec:
                prefix = re.match(r"^==\d+==", l).group(0)
                if state == "stack":
                    kept.append(l)
                    if "__pyfunction_" in l:
                        kept.append(prefix + "    ... (pyo3's trampoline, then the interpreter)")
                        state = "skip"
                elif state == "skip" and re.search(r"==\s+Address ", l):
                    kept.append(l)
                    state = "aux"
                elif state == "aux":
                    if aux == 3 or not re.search(r"==\s+(at|by) ", l):
                        kept.append(prefix + "    ...")
                        break
                    kept.append(l)
                    aux += 1
            out.append(kept)
        elif any("ERROR SUMMARY" in l for l in rec):
            out.append([l for l in rec if "ERROR SUMMARY" in l])
    return "\n==…==\n".join("\n".join(normalise(l) for l in rec) for rec in out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["json", "show", "check", "baseline"])
    ap.add_argument("--cwd", default=".")
    ap.add_argument("--inputs", nargs="*", default=[])
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--supp", action="append", default=[])
    ap.add_argument("--focus")
    ap.add_argument("--frames", type=int, help="show: keep N frames a record, one record per stack top")
    ap.add_argument("--show", action="store_true", help="baseline: print the file")
    ap.add_argument("--match", help="baseline --show: only the entries matching this regex")
    argv = sys.argv[1:]
    cmd = argv[argv.index("--") + 1:] if "--" in argv else []
    a = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    a.cmd = cmd
    if shutil.which("valgrind") is None:
        if a.mode == "show" and os.environ.get("BOOK_REQUIRE_TOOLS") != "1":
            print("(valgrind is not installed on the machine that built this page: no report)")
            return
        sys.exit("valgrind_report: valgrind is not installed (Debian and Ubuntu: apt-get install valgrind)")
    if a.mode == "baseline":
        path = baseline()
        if not a.show:
            print(path)
            return
        entries = re.findall(r"^\{\n.*?^\}\n", path.read_text(), re.M | re.S)
        print(f"# {len(entries)} suppressions in {path}" +
              (f", {len([e for e in entries if re.search(a.match, e)])} shown" if a.match else ""))
        for e in entries:
            if not a.match or re.search(a.match, e):
                print(e, end="")
        return
    if not a.cmd:
        ap.error("give the command after --")
    supps = [str(baseline())] if a.baseline else []
    supps += [str(Path(s).resolve()) for s in a.supp]
    folder = run(a.cmd, a.cwd, a.inputs, supps)
    res = parse(folder)
    if a.mode == "json":
        res.pop("suppressions")
        res["folder"] = str(folder)
        print(json.dumps(res, indent=1))
    elif a.mode == "show":
        print(show(folder, a.focus, a.frames))
    else:
        for e in res["errors"]:
            top = next((f for f in e["stack"] if "__pyfunction_" in (f["fn"] or "")), None) or \
                next((f for f in e["stack"] if f["fn"] and not re.search(r"alloc|UnknownInlinedFun", f["fn"])), {})
            print(f"valgrind: {e['kind']}: {e['what']} in {top.get('fn')} ({top.get('file')}:{top.get('line')})")
        print(f"valgrind: {len(res['errors'])} errors ({res['suppressed']} suppressed by the baseline); "
              f"command exit status {res['status']}; full report: {folder / 'report.txt'}")
        if res["errors"] or res["status"] != 0:
            if res["status"] not in (0, 99):
                print(res["program"][-3000:])
            sys.exit(1)


if __name__ == "__main__":
    main()
