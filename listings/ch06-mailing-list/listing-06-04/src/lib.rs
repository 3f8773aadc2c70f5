// ANCHOR: all
use pyo3::prelude::*;

/// Two ways to sum an array, to time in a release and a debug build.
// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod profiles {
    use numpy::PyReadonlyArray1;
    use numpy::ndarray::Axis;
    use numpy::prelude::*;
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    fn checked(a: &PyReadonlyArray1<'_, f64>) -> PyResult<()> {
        if !a.is_empty() && !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        Ok(())
    }

    // ANCHOR: kernels
    /// Sum with an index loop: `v[i]` is a bounds-checked call each time.
    #[pyfunction]
    fn sum_indexed(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        checked(&a)?;
        let v = a.as_array();
        let mut total = 0.0;
        for i in 0..v.len() {
            if i % (1 << 20) == 0 {
                a.py().check_signals()?; // Ctrl-C (chapter 8)
            }
            total += v[i];
        }
        Ok(total)
    }

    /// Sum with an iterator.
    #[pyfunction]
    fn sum_iter(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        checked(&a)?;
        let mut total = 0.0;
        for block in a.as_array().axis_chunks_iter(Axis(0), 1 << 20) {
            a.py().check_signals()?; // Ctrl-C (chapter 8)
            total += block.iter().sum::<f64>();
        }
        Ok(total)
    }
    // ANCHOR_END: kernels
}
// ANCHOR_END: all
