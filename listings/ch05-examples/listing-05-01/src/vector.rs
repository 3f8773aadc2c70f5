//! Vectors: 1-D float64 in, a new array or the same array out.
use numpy::ndarray::Zip;
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
    // NumPy allocates the output (its allocator is the fast one for big
    // arrays); `zeros` hands it over initialised, so no `unsafe` is needed.
    let out = PyArray1::<f64>::zeros(py, x.len(), false);
    let mut guard = out.readwrite();
    Zip::from(guard.as_array_mut())
        .and(&x)
        .for_each(|y, &v| *y = v * v * v);
    drop(guard);
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
