// ANCHOR: all
use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod debugme {
    use numpy::prelude::*;
    use numpy::{PyArray1, PyReadonlyArray1};
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    // ANCHOR: moving_mean
    /// The mean of every window of `width` consecutive elements of `a`.
    #[pyfunction]
    fn moving_mean<'py>(
        py: Python<'py>,
        a: PyReadonlyArray1<'py, f64>,
        width: usize,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        if width == 0 {
            return Err(PyValueError::new_err("width must be at least 1"));
        }
        if !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        let a = a
            .as_slice()
            .map_err(|_| PyValueError::new_err("array is not contiguous"))?;
        Ok(PyArray1::from_vec(py, window_means(a, width)))
    }
    // ANCHOR_END: moving_mean

    // ANCHOR: window_means
    fn window_means(a: &[f64], width: usize) -> Vec<f64> {
        // `saturating_sub` avoids an overflow when `width > a.len()`...
        let last = a.len().saturating_sub(width);
        (0..=last)
            .map(|start| a[start..start + width].iter().sum::<f64>() / width as f64)
            .collect()
    }
    // ANCHOR_END: window_means
}
// ANCHOR_END: all
