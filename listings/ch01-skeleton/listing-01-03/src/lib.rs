use pyo3::prelude::*;

// BROKEN ON PURPOSE: this exports `PyInit_skeleton`, but maturin names the
// file after the library, `renamed`, so `import renamed` looks for
// `PyInit_renamed`.
// gil_used = false: no state and no arrays: nothing here needs a GIL.
#[pymodule(gil_used = false)]
mod skeleton {
    use pyo3::prelude::*;

    #[pyfunction]
    fn foo() {}
}
