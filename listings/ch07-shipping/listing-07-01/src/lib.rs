// ANCHOR: all
use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod shipkit {
    use numpy::PyReadonlyArray1;
    use numpy::prelude::*;
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    /// The sum of a 1-D float64 array.
    #[pyfunction]
    fn total(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        if a.is_empty() {
            return Ok(0.0);
        }
        if !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        Ok(a.as_array().sum())
    }
}
// ANCHOR_END: all
