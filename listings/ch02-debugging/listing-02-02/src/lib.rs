// ANCHOR: all
use pyo3::prelude::*;

/// The Python face of smooth-core: convert, check, call, convert back.
// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod smooth {
    use numpy::prelude::*;
    use numpy::{PyArray1, PyReadonlyArray1};
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    /// The mean of every window of `width` consecutive elements of `a`.
    #[pyfunction]
    fn moving_mean<'py>(
        py: Python<'py>,
        a: PyReadonlyArray1<'py, f64>,
        width: usize,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        if !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        let a = a
            .as_slice()
            .map_err(|_| PyValueError::new_err("array is not contiguous"))?;
        // The kernel, a block of windows at a time (each block about a
        // million additions), and between blocks let Python handle Ctrl-C.
        let error = |e: smooth_core::WindowError| PyValueError::new_err(e.to_string());
        let count = (a.len() + 1).saturating_sub(width);
        let block = ((1 << 20) / width.max(1)).max(1);
        let mut means = Vec::new();
        for start in (0..count).step_by(block) {
            py.check_signals()?;
            let end = (start + block).min(count) + width - 1;
            means.extend(smooth_core::window_means(&a[start..end], width).map_err(error)?);
        }
        Ok(PyArray1::from_vec(py, means))
    }
}
// ANCHOR_END: all
