#!/usr/bin/env python3
"""Offline link check of the built book (book/html), run after ci/book.sh.

  check_links.py [BOOK_HTML_DIR]

Every page mdBook wrote is parsed, and every link in it (a, link, script,
img, iframe, source) is checked:

* Internal links: the target file exists, and a #fragment names an id (or
  name) that the target page really has. mdBook makes heading ids itself
  (lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats),
  so the check reads the ids from the generated HTML, never guesses them.
* External links: well-formed https (a host with a dot, no spaces). Plain
  http and other schemes fail, except the few listed in EXCEPTIONS below,
  each with its reason. Whether they answer is a network question: the
  scheduled workflow .github/workflows/links.yml asks it (lychee).
* Versioned documentation links (pyo3.rs/vX.Y.Z, docs.rs/CRATE/X.Y.Z,
  crates.io/crates/CRATE/X.Y.Z, numpy.org/doc/X.Y, pypi.org/project/P/X):
  the version must be the one the listings' Cargo.lock files (or
  ci/requirements.txt, for Python packages) pin, and a deep link into those
  sites must carry a version, not latest/stable/main. ci/checks/doc_links.py
  prints such links for the chapters from the same files, so they agree.
  Where the pinned crate's source is in cargo's registry ($CARGO_HOME, else
  ~/.cargo: it is there after the listings are built), a pyo3.rs guide page
  must exist in that version's guide, and a docs.rs module page or item page
  must name a module or item that the crate's source defines. A source that
  is missing is named in a note (with CI=true, an error: the published book
  must have had every check).

Every problem is printed with the page and the link; the exit status is 1
if there is any.
"""

import difflib
import glob
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "listing-tools"))
from book_listings import ROOT, broken_reason, listings, locked_versions  # noqa: E402

# External links that may be something other than https, with the reason.
# Keep this short: every entry is a link a reader's browser may warn about.
EXCEPTIONS = {
    # (none yet) "http://example.org/": "why https is impossible there",
}

LINK_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src", "source": "src"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []  # (line, url)
        self.base = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key])
        if tag == "base" and a.get("href"):
            self.base = a["href"]
        attr = LINK_ATTRS.get(tag)
        if attr and a.get(attr) is not None:
            self.links.append((self.getpos()[0], a[attr]))


def parse(path):
    p = Page()
    p.feed(path.read_text(errors="replace"))
    p.close()
    return p


def pinned_versions(include_broken=True):
    """({crate: {versions}}, {python package: version}) from the listings'
    Cargo.lock files and ci/requirements.txt. A listing broken on purpose may
    lock an extra version (an old ndarray, say): a link may name it, but
    ci/checks/doc_links.py builds links from the working listings only."""
    crates = {}
    for d in listings():
        if not include_broken and broken_reason(d):
            continue
        for name, vs in (locked_versions(d) or {}).items():
            crates.setdefault(name, set()).update(vs)
    python = {}
    for line in (ROOT / "ci" / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            python[name.strip().lower()] = version.strip()
    return crates, python


def cargo_home():
    """Where cargo keeps its registry: $CARGO_HOME (the rust container image
    of hosted CI says /usr/local/cargo), else ~/.cargo."""
    return Path(os.environ.get("CARGO_HOME") or os.path.expanduser("~/.cargo"))


# The crates ("name version") whose source was looked for and not found.
MISSING_SOURCES = set()


def crate_source(name, version):
    hits = sorted(glob.glob(str(cargo_home() / "registry" / "src" / "*" / f"{name}-{version}")))
    if not hits:
        MISSING_SOURCES.add(f"{name} {version}")
    return Path(hits[0]) if hits else None


UNPINNED = {"latest", "stable", "main", "master", "dev", "devdocs", "nightly"}
ITEM_RE = re.compile(r"^(struct|enum|trait|fn|type|macro|constant|static|union|attr|derive)\.(\w+)\.html$")


def check_rustdoc_path(crate, version, rest, problems, where):
    """docs.rs/CRATE/VERSION/<rest>: the module or item exists in the crate's source."""
    parts = [p for p in rest.split("/") if p]
    if not parts:
        return
    ident = crate.replace("-", "_")
    if parts[0] != ident:
        return  # another target triple or a non-rustdoc page: not checked
    mods, page = parts[1:-1], parts[-1] if len(parts) > 1 else "index.html"
    if not mods and not ITEM_RE.match(page):
        return  # the crate's front page: nothing to look up
    src = crate_source(crate, version)
    if not src:
        return
    base = src / "src"
    for i in range(len(mods)):
        stem = base.joinpath(*mods[:i + 1])
        if not (stem.with_suffix(".rs").exists() or (stem / "mod.rs").exists()):
            problems.append(f"{where}: module {'::'.join([ident] + mods[:i + 1])} is not in "
                            f"{crate} {version}'s source")
            return
    m = ITEM_RE.match(page)
    if m:
        kind, name = m.groups()
        text = "\n".join(p.read_text(errors="replace") for p in src.rglob("*.rs"))
        pattern = {
            "macro": rf"macro_rules!\s*{name}\b|pub\s+use\s+[^;]*\b{name}\b|fn\s+{name}\b",
            "fn": rf"\bfn\s+{name}\b",
            "constant": rf"\bconst\s+{name}\b",
            "type": rf"\btype\s+{name}\b",
        }.get(kind, rf"\b{kind if kind in ('struct', 'enum', 'trait', 'union') else ''}\s*{name}\b")
        if not re.search(pattern, text):
            problems.append(f"{where}: {kind} {name} is not defined in {crate} {version}'s source")


def check_versioned(url, crates, python, problems, where):
    u = urlsplit(url)
    host, path = u.netloc.lower(), u.path
    parts = [p for p in path.split("/") if p]

    def want(name, got, pinned, source):
        if not pinned:
            problems.append(f"{where}: {url}: links version {got} of {name}, which no listing pins "
                            f"({source}); link the pinned one, or leave the version out")
        elif got not in pinned:
            problems.append(f"{where}: {url}: version {got} of {name}, but {source} pin "
                            f"{', '.join(sorted(pinned))}: build the link with ci/checks/doc_links.py")

    if host == "pyo3.rs":
        if not parts:
            return
        if parts[0].startswith("v") and re.match(r"^v\d", parts[0]):
            got = parts[0][1:]
            want("pyo3", got, crates.get("pyo3"), "the listings' Cargo.lock files")
            page = "/".join(parts[1:])
            if (page.endswith(".html") and page not in ("index.html", "print.html", "doc/pyo3/index.html")
                    and got in crates.get("pyo3", ())):
                src = crate_source("pyo3", got)
                md = src / "guide" / "src" / (page[:-5] + ".md") if src else None
                if md and not md.exists():
                    problems.append(f"{where}: {url}: no page {page} in the PyO3 {got} guide "
                                    f"(guide/src/{page[:-5]}.md is not in the crate)")
        else:
            problems.append(f"{where}: {url}: a deep link into the PyO3 guide must name the version "
                            "(pyo3.rs/vX.Y.Z/...): build it with ci/checks/doc_links.py")
    elif host in ("docs.rs", "crates.io"):
        if host == "crates.io":
            if len(parts) < 2 or parts[0] != "crates":
                return
            parts = parts[1:]
        if not parts or parts[0] == "crate" and len(parts) > 1:
            parts = parts[1:]  # docs.rs/crate/NAME/VERSION/source/...
        if len(parts) < 2:
            return  # the crate's front page: fine unversioned
        name, version = parts[0], parts[1]
        if version in UNPINNED or not re.match(r"^[\d^~=<>*]", version):
            problems.append(f"{where}: {url}: a deep link into {name}'s docs must name the pinned "
                            f"version, not '{version}': build it with ci/checks/doc_links.py")
            return
        want(name, version, crates.get(name), "the listings' Cargo.lock files")
        if host == "docs.rs" and version in crates.get(name, ()):
            check_rustdoc_path(name, version, "/".join(parts[2:]), problems, f"{where}: {url}")
    elif host in ("numpy.org", "www.numpy.org"):
        if len(parts) >= 2 and parts[0] == "doc":
            v = parts[1]
            pin = python.get("numpy")
            if v in UNPINNED:
                problems.append(f"{where}: {url}: link NumPy's documentation for the pinned version, "
                                f"not '{v}': build it with ci/checks/doc_links.py")
            elif pin and re.match(r"^\d+\.\d+$", v):
                want("NumPy", v, {".".join(pin.split(".")[:2])}, "ci/requirements.txt")
        elif parts[:1] == ["devdocs"]:
            problems.append(f"{where}: {url}: devdocs describe unreleased NumPy: link the pinned version")
    elif host == "pypi.org":
        if len(parts) >= 3 and parts[0] == "project":
            name = parts[1].lower()
            if name in python:
                want(name, parts[2], {python[name]}, "ci/requirements.txt")


def well_formed_https(url):
    u = urlsplit(url)
    if re.search(r"\s", url):
        return "contains white space"
    if u.scheme != "https":
        return f"is {u.scheme or 'scheme-less'}, not https"
    host = u.hostname or ""
    if "." not in host or not re.match(r"^[a-z0-9.-]+$", host) or host.startswith(".") or host.endswith("."):
        return f"has no valid host name ({host!r})"
    if host in ("localhost",) or re.match(r"^[\d.]+$", host):
        return "points at a local or numeric host"
    return None


def main():
    html = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "book" / "html"
    if not (html / "index.html").exists():
        sys.exit(f"links: {html}/index.html missing: build the book first (ci/book.sh)")
    pages = {p.resolve(): parse(p) for p in sorted(html.rglob("*.html"))}
    crates, python = pinned_versions()
    problems = []
    prefix = os.path.relpath(html.resolve(), ROOT) if html.resolve().is_relative_to(ROOT) else str(html)
    n_int = n_ext = n_frag = 0
    externals = set()
    for path, page in pages.items():
        rel = path.relative_to(html.resolve())
        for line, url in page.links:
            where = f"{prefix}/{rel}:{line}"
            if url.startswith(("javascript:", "data:")):
                continue
            u = urlsplit(url)
            if u.scheme or url.startswith("//"):
                n_ext += 1
                externals.add(url)
                if url in EXCEPTIONS or any(url.startswith(k) for k in EXCEPTIONS if k.endswith("/")):
                    continue
                why = well_formed_https(url)
                if why:
                    problems.append(f"{where}: external link {url} {why}")
                    continue
                check_versioned(url, crates, python, problems, where)
                continue
            n_int += 1
            # Internal: resolve against the page (or its <base>). A link that
            # is only a #fragment is checked against its own page, even in
            # 404.html, whose <base href="/"> makes a browser send mdBook's
            # heading self-links there to the front page: a quirk of the
            # page mdBook generates, not of the book.
            if page.base and page.base.startswith("/") and u.path:
                target = html.resolve() / unquote(urljoin(page.base, u.path)).lstrip("/")
            else:
                target = (path.parent / unquote(u.path)) if u.path else path
            if target.is_dir() or (u.path.endswith("/") and u.path):
                target = target / "index.html"
            target = target.resolve()
            if not target.exists():
                shown = os.path.relpath(target, ROOT) if target.is_relative_to(ROOT) else target
                problems.append(f"{where}: broken link '{url}': {shown} does not exist")
                continue
            frag = unquote(u.fragment)
            if frag and target.suffix == ".html":
                n_frag += 1
                ids = pages[target].ids if target in pages else parse(target).ids
                if frag not in ids:
                    close = [i for i in sorted(ids) if i.startswith(frag) or frag.startswith(i)]
                    close += [i for i in difflib.get_close_matches(frag, sorted(ids), n=3) if i not in close]
                    close = close[:3]
                    hint = f" (ids there include: {', '.join(close)})" if close else ""
                    problems.append(f"{where}: broken anchor '{url}': {target.relative_to(html.resolve())} "
                                    f"has no id '{frag}'{hint}")
    if MISSING_SOURCES:
        missing = (f"the source of {', '.join(sorted(MISSING_SOURCES))} is not in "
                   f"{cargo_home() / 'registry' / 'src'}, so the book's deep links into its documentation "
                   "were not checked against it (build the listings first)")
        if os.environ.get("CI") == "true":
            problems.append(missing)
        else:
            print(f"links: note: {missing}", file=sys.stderr)
    for p in problems:
        print("links:", p, file=sys.stderr)
    summary = (f"{len(pages)} pages, {n_int} internal links ({n_frag} with #fragments), "
               f"{n_ext} external links ({len(externals)} distinct)")
    if problems:
        sys.exit(f"links: {len(problems)} problem(s) in {summary}")
    print(f"links: {summary}: all resolve, all external links well-formed https, "
          "versioned links match the lock files")


if __name__ == "__main__":
    main()
