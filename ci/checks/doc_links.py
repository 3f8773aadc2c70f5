#!/usr/bin/env python3
"""Links to versioned documentation, built from the versions the book pins.

  doc_links.py refs     Markdown reference definitions, [label]: URL, one a
                        line; a chapter writes [text][label] and embeds them
                        with <!-- cmdrun ../ci/chapters/bookrun raw -- python ../ci/checks/doc_links.py refs -->
  doc_links.py table    the table of pinned documentation for the chapter
                        "Documentation"
  doc_links.py labels   the labels, one a line

Every version comes from the listings' Cargo.lock files (crates) or
ci/requirements.txt (Python packages), never from this file, so a link can
only point at the documentation of what the listings really build with.
ci/checks/check_links.py checks every versioned link in the built book against the
same files.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "listing-tools"))
from check_links import pinned_versions  # noqa: E402

# label: (package, kind, URL template). kind is "crate" (Cargo.lock) or
# "python" (ci/requirements.txt); {v} is the pinned version, {vminor} its
# major.minor (NumPy's documentation is published per minor release).
LINKS = {
    "pyo3-guide": ("pyo3", "crate", "https://pyo3.rs/v{v}/"),
    "pyo3-guide-getting-started": ("pyo3", "crate", "https://pyo3.rs/v{v}/getting-started.html"),
    "pyo3-guide-errors": ("pyo3", "crate", "https://pyo3.rs/v{v}/function/error-handling.html"),
    "pyo3-guide-parallelism": ("pyo3", "crate", "https://pyo3.rs/v{v}/parallelism.html"),
    "pyo3-guide-free-threading": ("pyo3", "crate", "https://pyo3.rs/v{v}/free-threading.html"),
    "pyo3-guide-debugging": ("pyo3", "crate", "https://pyo3.rs/v{v}/debugging.html"),
    "pyo3-guide-performance": ("pyo3", "crate", "https://pyo3.rs/v{v}/performance.html"),
    "pyo3-guide-building": ("pyo3", "crate", "https://pyo3.rs/v{v}/building-and-distribution.html"),
    "pyo3-guide-migration": ("pyo3", "crate", "https://pyo3.rs/v{v}/migration.html"),
    "pyo3-guide-faq": ("pyo3", "crate", "https://pyo3.rs/v{v}/faq.html"),
    "pyo3-api": ("pyo3", "crate", "https://docs.rs/pyo3/{v}/pyo3/"),
    "pyo3-ffi-api": ("pyo3-ffi", "crate", "https://docs.rs/pyo3-ffi/{v}/pyo3_ffi/"),
    "numpy-api": ("numpy", "crate", "https://docs.rs/numpy/{v}/numpy/"),
    "numpy-borrow": ("numpy", "crate", "https://docs.rs/numpy/{v}/numpy/borrow/index.html"),
    "numpy-npyffi": ("numpy", "crate", "https://docs.rs/numpy/{v}/numpy/npyffi/index.html"),
    "numpy-pyarray": ("numpy", "crate", "https://docs.rs/numpy/{v}/numpy/struct.PyArray.html"),
    "ndarray-api": ("ndarray", "crate", "https://docs.rs/ndarray/{v}/ndarray/"),
    "ndarray-for-numpy-users": ("ndarray", "crate",
                                "https://docs.rs/ndarray/{v}/ndarray/doc/ndarray_for_numpy_users/index.html"),
    "maturin-pypi": ("maturin", "python", "https://pypi.org/project/maturin/{v}/"),
    "numpy-docs": ("numpy", "python", "https://numpy.org/doc/{vminor}/"),
    "numpy-c-api": ("numpy", "python", "https://numpy.org/doc/{vminor}/reference/c-api/index.html"),
    "numpy-how-to-extend": ("numpy", "python", "https://numpy.org/doc/{vminor}/user/c-info.how-to-extend.html"),
    "numpy-python-as-glue": ("numpy", "python", "https://numpy.org/doc/{vminor}/user/c-info.python-as-glue.html"),
    "numpy-2-migration": ("numpy", "python", "https://numpy.org/doc/{vminor}/numpy_2_0_migration_guide.html"),
}


def resolve():
    crates, python = pinned_versions(include_broken=False)
    out = {}
    for label, (pkg, kind, template) in LINKS.items():
        if kind == "crate":
            vs = sorted(crates.get(pkg, ()))
            if len(vs) != 1:
                sys.exit(f"doc_links: {label}: the listings lock {len(vs)} versions of {pkg} "
                         f"({', '.join(vs) or 'none'}); a link needs exactly one")
            v = vs[0]
        else:
            v = python.get(pkg)
            if not v:
                sys.exit(f"doc_links: {label}: {pkg} is not pinned in ci/requirements.txt")
        out[label] = (pkg, v, template.format(v=v, vminor=".".join(v.split(".")[:2])))
    return out


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else "refs"
    links = resolve()
    if cmd == "refs":
        # Reference definitions render as nothing; the chapter's
        # [text][label] links pick them up.
        for label, (_, _, url) in links.items():
            print(f"[{label}]: {url}")
    elif cmd == "labels":
        print("\n".join(links))
    elif cmd == "table":
        def link(label, text):
            return f"[{text}]({links[label][2]})"
        rows = [
            ("PyO3 (`pyo3` crate)", links["pyo3-guide"][1],
             link("pyo3-guide", "user guide"), link("pyo3-api", "API")),
            ("rust-numpy (`numpy` crate)", links["numpy-api"][1], "the crate page of the API",
             link("numpy-api", "API")),
            ("ndarray", links["ndarray-api"][1], link("ndarray-for-numpy-users", "for NumPy users"),
             link("ndarray-api", "API")),
            ("maturin", links["maturin-pypi"][1], "[user guide](https://www.maturin.rs/) (one, current)",
             link("maturin-pypi", "release on PyPI")),
            ("NumPy", links["numpy-docs"][1], link("numpy-how-to-extend", "How to extend NumPy"),
             link("numpy-c-api", "C-API reference")),
        ]
        print("| Project | Version the listings use | Guide | Reference |\n|---|---|---|---|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
