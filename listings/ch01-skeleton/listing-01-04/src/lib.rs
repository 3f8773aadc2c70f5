// ANCHOR: all
use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod panicky {
    use numpy::PyReadonlyArray1;
    use pyo3::exceptions::{PyIndexError, PyValueError};
    use pyo3::prelude::*;

    // ANCHOR: panics
    /// Element `i` of a contiguous 1-D float64 array. Panics when `i` is
    /// out of range: Python sees a `PanicException`.
    #[pyfunction]
    fn get_or_panic(a: PyReadonlyArray1<'_, f64>, i: usize) -> PyResult<f64> {
        let a = a
            .as_slice()
            .map_err(|_| PyValueError::new_err("array is not contiguous and aligned"))?;
        Ok(a[i]) // index out of bounds: panic
    }
    // ANCHOR_END: panics

    // ANCHOR: fixed
    /// Element `i` of a contiguous 1-D float64 array, or `IndexError`.
    #[pyfunction]
    fn get(a: PyReadonlyArray1<'_, f64>, i: usize) -> PyResult<f64> {
        let a = a
            .as_slice()
            .map_err(|_| PyValueError::new_err("array is not contiguous and aligned"))?;
        a.get(i).copied().ok_or_else(|| {
            PyIndexError::new_err(format!("index {i} is out of bounds for length {}", a.len()))
        })
    }
    // ANCHOR_END: fixed
}
// ANCHOR_END: all
