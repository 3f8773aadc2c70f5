use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

// `skeleton.FooError`, a subclass of `Exception`, like the C listing's
// `PyErr_NewException("_extmodule.FooError", NULL, NULL)`.
create_exception!(
    skeleton,
    FooError,
    PyException,
    "Raised by skeleton on bad input."
);

/// A skeleton extension module: the Rust twin of `_extmodule`.
// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod skeleton {
    use numpy::PyReadonlyArray1;
    use numpy::ndarray::Axis;
    use numpy::prelude::*;
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    #[pymodule_export]
    use super::FooError;

    /// Does nothing and returns None, like the 2006 `foo`.
    #[pyfunction]
    fn foo() {}

    /// The mean of a 1-D float64 array; FooError if it is empty.
    #[pyfunction]
    fn mean(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        if a.is_empty() {
            return Err(FooError::new_err("mean of an empty array"));
        }
        // rust-numpy does not check alignment in `as_array`, and a Rust
        // reference to a misaligned f64 is undefined behaviour: check first.
        if !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        let py = a.py();
        let a = a.as_array(); // a view: works for any strides
        // Sum a million elements at a time, and between blocks let Python
        // handle Ctrl-C (chapter 8): KeyboardInterrupt, not a frozen shell.
        let mut total = 0.0;
        for block in a.axis_chunks_iter(Axis(0), 1 << 20) {
            py.check_signals()?;
            total += block.sum();
        }
        Ok(total / a.len() as f64)
    }
}
