// ANCHOR: all
use pyo3::prelude::*;

/// Small statistics over float64 arrays, documented and typed.
///
/// Every function checks its input and raises a Python exception that says
/// what is wrong; `typedstats.pyi` describes the same functions to type
/// checkers and IDEs.
// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod typedstats {
    use numpy::prelude::*;
    use numpy::{PyArray1, PyReadonlyArray1};
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    /// The contiguous, aligned data of `a`, or a clear error.
    fn data<'a>(a: &'a PyReadonlyArray1<'_, f64>) -> PyResult<&'a [f64]> {
        if !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        a.as_slice().map_err(|_| {
            PyValueError::new_err("array is not contiguous: pass np.ascontiguousarray(a)")
        })
    }

    // ANCHOR: rms
    /// Root mean square of a 1-D float64 array.
    ///
    /// Raises ValueError if `a` is empty, not contiguous or misaligned.
    ///
    /// >>> typedstats.rms(np.array([3.0, 4.0]))
    /// 3.5355339059327378
    #[pyfunction]
    fn rms(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        let a = data(&a)?;
        if a.is_empty() {
            return Err(PyValueError::new_err("rms of an empty array"));
        }
        let sum: f64 = a.iter().map(|x| x * x).sum();
        Ok((sum / a.len() as f64).sqrt())
    }
    // ANCHOR_END: rms

    // ANCHOR: scale
    /// Return a new array: each element of `a` times `factor`.
    #[pyfunction]
    #[pyo3(signature = (a, factor = 1.0))]
    fn scale<'py>(
        py: Python<'py>,
        a: PyReadonlyArray1<'py, f64>,
        factor: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let scaled: Vec<f64> = data(&a)?.iter().map(|x| x * factor).collect();
        Ok(PyArray1::from_vec(py, scaled))
    }
    // ANCHOR_END: scale
}
// ANCHOR_END: all
