//! Vectors: 1-D float64 in, a new array or the same array out.
use std::mem::MaybeUninit;

use numpy::ndarray::{ArrayViewMut1, Zip};
use numpy::prelude::*;
use numpy::{PyArray1, PyReadonlyArray1, PyReadwriteArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::aligned;

// ANCHOR: cube
/// cube(a, /) -> a**3 as a new float64 array; `a` is any 1-D float64 array,
/// contiguous or not.
#[pyfunction]
pub fn cube<'py>(
    py: Python<'py>,
    a: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    aligned(&a)?;
    let x = a.as_array();
    let n = x.len();
    if n == 0 {
        return Ok(PyArray1::<f64>::zeros(py, 0, false));
    }
    // NumPy allocates the output, uninitialised: `zeros` would cost one
    // more pass over the memory, to write zeros we overwrite at once.
    // SAFETY: `new` returns a fresh C-contiguous array of `n` f64 that no
    // one else can see yet; it is fully written below before it is returned.
    let out = unsafe { PyArray1::<f64>::new(py, n, false) };
    // SAFETY: `out.data()` points to `n` contiguous, aligned f64 that only
    // this function can reach; MaybeUninit<f64> has the layout of f64 and
    // may be uninitialised, so the slice is valid for writes.
    let y = unsafe { std::slice::from_raw_parts_mut(out.data().cast::<MaybeUninit<f64>>(), n) };
    Zip::from(ArrayViewMut1::from(y)).and(&x).for_each(|y, &v| {
        y.write(v * v * v);
    });
    Ok(out)
}
// ANCHOR_END: cube

// ANCHOR: cube_inplace
/// cube_inplace(a, /) cubes a writeable 1-D float64 array in place.
#[pyfunction]
pub fn cube_inplace(mut a: PyReadwriteArray1<'_, f64>) -> PyResult<()> {
    aligned(&a)?;
    a.as_array_mut().mapv_inplace(|v| v * v * v);
    Ok(())
}
// ANCHOR_END: cube_inplace

// ANCHOR: cube_into
/// cube_into(a, out, /) writes a**3 into `out`, which must have a's shape.
#[pyfunction]
pub fn cube_into(
    a: PyReadonlyArray1<'_, f64>,
    mut out: PyReadwriteArray1<'_, f64>,
) -> PyResult<()> {
    aligned(&a)?;
    aligned(&out)?;
    if a.len() != out.len() {
        return Err(PyValueError::new_err(format!(
            "out has {} elements, a has {}",
            out.len(),
            a.len()
        )));
    }
    Zip::from(out.as_array_mut())
        .and(&a.as_array())
        .for_each(|y, &v| *y = v * v * v);
    Ok(())
}
// ANCHOR_END: cube_into
