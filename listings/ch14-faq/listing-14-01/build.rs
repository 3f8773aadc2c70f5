// ANCHOR: all
// Compiles src/sum_squares.c with the system's C compiler and links it into
// the extension (the `cc` crate finds the compiler and its flags for the
// target, as cargo builds for it).
fn main() {
    cc::Build::new()
        .file("src/sum_squares.c")
        .opt_level(2)
        .warnings(true)
        .compile("sum_squares");
    println!("cargo::rerun-if-changed=src/sum_squares.c");
}
// ANCHOR_END: all
