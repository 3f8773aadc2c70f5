//! Vectors: 1-D float64 in, a new array or the same array out.
use std::mem::MaybeUninit;

use numpy::ndarray::{ArrayViewMut1, Ix1, Zip};
use numpy::prelude::*;
use numpy::{PyArray1, PyReadonlyArray1, PyReadwriteArray1, PyUntypedArray, npyffi};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::{aligned, try_new};

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
    // `try_new` (in lib.rs) returns a fresh C-contiguous array of `n` f64
    // that no one else can see yet, or NumPy's MemoryError; it is fully
    // written below before it is returned.
    let out = try_new::<f64, Ix1>(py, &[n], false)?;
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

// ANCHOR: cube_into_fast
/// A 1-D float64 array, checked the way `PyReadonlyArray1` checks it and
/// with its messages, but without registering a borrow. (A plain
/// `&Bound<PyArray1<f64>>` argument checks too, but its message,
/// "'ndarray' object is not an instance of 'ndarray'", says nothing.)
fn f64_vector<'py>(ob: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let untyped = ob.cast::<PyUntypedArray>()?;
    if untyped.ndim() != 1 {
        return Err(PyTypeError::new_err(format!(
            "dimensionality mismatch: from={}, to=1",
            untyped.ndim()
        )));
    }
    if !untyped.dtype().is_equiv_to(&numpy::dtype::<f64>(ob.py())) {
        return Err(PyTypeError::new_err(format!(
            "type mismatch: from={}, to=float64",
            untyped.dtype()
        )));
    }
    Ok(ob.cast::<PyArray1<f64>>()?.clone())
}

/// cube_into_fast(a, out, /): `cube_into` for C-contiguous arrays, without
/// rust-numpy's borrow checking; the checks it did are made here by hand.
#[pyfunction]
pub fn cube_into_fast<'py>(
    #[pyo3(from_py_with = f64_vector)] a: Bound<'py, PyArray1<f64>>,
    #[pyo3(from_py_with = f64_vector)] out: Bound<'py, PyArray1<f64>>,
) -> PyResult<()> {
    // f64_vector checked the dtype and the number of dimensions.
    aligned(&a)?;
    aligned(&out)?;
    if !a.is_contiguous() || !out.is_contiguous() {
        return Err(PyValueError::new_err(
            "cube_into_fast needs contiguous arrays: use cube_into for strided views",
        ));
    }
    // SAFETY: `out` is a live NumPy array (its type was checked) and we hold
    // the GIL, so its fields may be read.
    let flags = unsafe { (*npyffi::_PyArray_GET_ITEM_DATA(out.as_array_ptr())).flags };
    if flags & npyffi::NPY_ARRAY_WRITEABLE == 0 {
        return Err(PyValueError::new_err("out is read-only"));
    }
    let n = a.len();
    if out.len() != n {
        return Err(PyValueError::new_err(format!(
            "out has {} elements, a has {n}",
            out.len()
        )));
    }
    // Two views of one buffer: the slices below would alias.
    let (x0, y0) = (a.data() as usize, out.data() as usize);
    if n > 0 && x0 < y0 + 8 * n && y0 < x0 + 8 * n {
        return Err(PyValueError::new_err(
            "a and out overlap: pass a copy, or use cube_inplace",
        ));
    }
    // Nothing else may write to either array while the slices live. No
    // Python code runs: this function holds the GIL throughout and calls
    // nothing that could release it. What no check here can see is native
    // code in another thread that released the GIL and writes to one of
    // these arrays (another extension, or a rust-numpy borrow held across
    // `py.detach`): the contract every C extension has too.
    // SAFETY: `a` is aligned and contiguous (checked above; `as_slice`
    // checks again) and, as said above, no one writes to it meanwhile.
    let x = unsafe { a.as_slice() }.expect("checked above");
    // SAFETY: the same for `out`, which is also writeable and does not
    // overlap `a`: this mutable slice is the only way to its memory.
    let y = unsafe { out.as_slice_mut() }.expect("checked above");
    for (y, &v) in y.iter_mut().zip(x) {
        *y = v * v * v;
    }
    Ok(())
}
// ANCHOR_END: cube_into_fast
