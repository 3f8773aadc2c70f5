use pyo3::prelude::*;

/// Fast smoothing for NumPy arrays, written in Rust.
// gil_used = false: the module keeps no state, and rust-numpy's borrows guard the arrays.
#[pymodule(gil_used = false)]
mod ewma {
    use numpy::prelude::*;
    use numpy::{PyArray1, PyReadonlyArray1};
    use pyo3::exceptions::{PyMemoryError, PyValueError};
    use pyo3::prelude::*;

    /// Exponentially weighted moving average of a 1-D float64 array:
    /// out[0] = x[0], out[i] = alpha * x[i] + (1 - alpha) * out[i - 1].
    #[pyfunction]
    fn ewma<'py>(
        py: Python<'py>,
        x: PyReadonlyArray1<'py, f64>,
        alpha: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        if !(alpha > 0.0 && alpha <= 1.0) {
            return Err(PyValueError::new_err(format!(
                "alpha must be in (0, 1], got {alpha}"
            )));
        }
        // A Rust reference to a misaligned f64 is undefined behaviour.
        if !x.is_aligned() {
            return Err(PyValueError::new_err("x is not aligned for float64"));
        }
        let x = x.as_array(); // a read-only view, any strides
        // Room for the result, or a MemoryError (Vec::with_capacity would
        // end the whole process when the memory is not there).
        let mut out = Vec::new();
        out.try_reserve_exact(x.len())
            .map_err(|e| PyMemoryError::new_err(e.to_string()))?;
        let mut prev = 0.0;
        for (i, &value) in x.iter().enumerate() {
            prev = if i == 0 {
                value
            } else {
                alpha * value + (1.0 - alpha) * prev
            };
            out.push(prev);
        }
        Ok(out.into_pyarray(py))
    }
}
