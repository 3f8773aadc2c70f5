//! Nothing: this crate only gathers mdbook and mdbook-cmdrun into one
//! dependency graph (see Cargo.toml).
fn main() {}
