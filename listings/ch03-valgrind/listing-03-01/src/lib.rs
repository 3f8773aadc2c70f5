// ANCHOR: all
use pyo3::prelude::*;

mod kernel;

// gil_used = false: its bugs are per call (even the leaked buffer is each call's own), not races.
#[pymodule(gil_used = false)]
mod leaky {
    use numpy::prelude::*;
    use numpy::{PyArray1, PyReadonlyArray1};
    use pyo3::exceptions::{PyTypeError, PyValueError};
    use pyo3::ffi;
    use pyo3::prelude::*;

    /// The data of a 1-D float64 array, or a clear error.
    fn data<'a>(a: &'a PyReadonlyArray1<'_, f64>) -> PyResult<&'a [f64]> {
        if !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        a.as_slice()
            .map_err(|_| PyValueError::new_err("array is not contiguous"))
    }

    // ANCHOR: interp
    /// The value at fractional position `t`, interpolated linearly between
    /// `a[floor(t)]` and the element after it (see kernel.rs).
    #[pyfunction]
    fn interp(a: PyReadonlyArray1<'_, f64>, t: f64) -> PyResult<f64> {
        crate::kernel::interp(data(&a)?, t)
            .ok_or_else(|| PyValueError::new_err("t is outside the array"))
    }
    // ANCHOR_END: interp

    // ANCHOR: cumsum
    /// The running sum of `a`, as a new array.
    #[pyfunction]
    fn cumsum<'py>(
        py: Python<'py>,
        a: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = data(&a)?;
        // BROKEN ON PURPOSE: `Box::leak` hands out a `&'static mut` buffer
        // that no one ever frees. The array below copies it.
        let scratch: &'static mut [f64] = Box::leak(vec![0.0; x.len()].into_boxed_slice());
        let mut acc = 0.0;
        for (s, v) in scratch.iter_mut().zip(x) {
            acc += v;
            *s = acc;
        }
        Ok(PyArray1::from_slice(py, scratch))
    }
    // ANCHOR_END: cumsum

    // ANCHOR: dtype_name
    /// The name of `a.dtype`, read through the C API.
    #[pyfunction]
    fn dtype_name(a: &Bound<'_, PyAny>) -> PyResult<String> {
        let py = a.py();
        // BROKEN ON PURPOSE: `PyObject_GetAttrString` returns a *new*
        // reference; wrapping it as *borrowed* adds a second one, and only
        // one is ever released.
        // SAFETY: the pointer is valid, the name a NUL-terminated C string.
        let dtype = unsafe {
            Bound::from_borrowed_ptr_or_err(
                py,
                ffi::PyObject_GetAttrString(a.as_ptr(), c"dtype".as_ptr()),
            )
        }
        .map_err(|_| PyTypeError::new_err("expected an object with a dtype"))?;
        dtype.str()?.extract()
    }
    // ANCHOR_END: dtype_name
}
// ANCHOR_END: all
