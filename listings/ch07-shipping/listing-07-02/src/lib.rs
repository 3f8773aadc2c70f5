// ANCHOR: all
use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod shipkit_abi3 {
    use numpy::PyReadonlyArray1;
    use numpy::ndarray::Axis;
    use numpy::prelude::*;
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    // ANCHOR: api
    /// Which C API this build was compiled against: "limited" in a stable-ABI
    /// build (abi3 or abi3t), "full" in a version-specific one. The cfg
    /// `Py_LIMITED_API` is pyo3's; build.rs makes it visible to this crate.
    #[cfg(Py_LIMITED_API)]
    #[pymodule_export]
    const API: &str = "limited";

    #[cfg(not(Py_LIMITED_API))]
    #[pymodule_export]
    const API: &str = "full";
    // ANCHOR_END: api

    /// The sum of a 1-D float64 array.
    #[pyfunction]
    fn total(py: Python<'_>, a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        if a.is_empty() {
            return Ok(0.0);
        }
        if !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        // A block of 2**20 elements at a time, so that Ctrl-C is seen
        // between blocks (chapter 8).
        let mut sum = 0.0;
        for block in a.as_array().axis_chunks_iter(Axis(0), 1 << 20) {
            py.check_signals()?;
            sum += block.sum();
        }
        Ok(sum)
    }
}
// ANCHOR_END: all
