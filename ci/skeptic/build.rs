//! Feeds skeptic the book's rendered Markdown.
//!
//! * Input: every .md file under $BOOK_MARKDOWN (default ../../book/markdown),
//!   which `mdbook build` writes with every {{#include}} expanded.
//! * Each file gets the templates of templates.md (skeptic reads them from a
//!   `<file>.skt.md` beside it).
//! * skeptic has no `compile_fail`: such a block becomes `no_run,should_panic`,
//!   which compiles it and passes only if compiling fails.
use std::path::{Path, PathBuf};
use std::{env, fs};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}: build the book first", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rerun-if-env-changed=BOOK_MARKDOWN");
    println!("cargo:rerun-if-changed=templates.md");
    let book = env::var("BOOK_MARKDOWN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest.join("../../book/markdown"));
    println!("cargo:rerun-if-changed={}", book.display());
    let templates = fs::read_to_string(manifest.join("templates.md")).unwrap();

    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("book");
    let _ = fs::remove_dir_all(&out);
    let mut sources = Vec::new();
    collect(&book, &mut sources);
    let mut docs = Vec::new();
    for src in sources {
        println!("cargo:rerun-if-changed={}", src.display());
        let rel = src.strip_prefix(&book).unwrap();
        let dst = out.join(rel);
        fs::create_dir_all(dst.parent().unwrap()).unwrap();
        let text = fs::read_to_string(&src).unwrap();
        let text = text
            .lines()
            .map(|l| {
                let t = l.trim_start();
                if t.starts_with("```") && t.contains("rust") && t.contains("compile_fail") {
                    l.replace("compile_fail", "no_run,should_panic")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        fs::write(&dst, text).unwrap();
        fs::write(format!("{}.skt.md", dst.display()), &templates).unwrap();
        docs.push(dst);
    }
    assert!(!docs.is_empty(), "no Markdown in {}", book.display());
    skeptic::generate_doc_tests(&docs);
}
