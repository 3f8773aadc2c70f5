//! Empty: this crate exists for its skeptic tests (see build.rs).
