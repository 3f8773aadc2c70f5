//! Listing 5-2: the Cookbook's NumPy-array examples and an ndimage-style
//! filter, in Rust. Each kernel lives in its own file; this one only checks
//! what every kernel needs and registers the functions.
use numpy::ndarray::{Array, ArrayView, CowArray, Dimension};
use numpy::prelude::*;
use numpy::{Element, PyArray, npyffi};
use pyo3::exceptions::{PyMemoryError, PyValueError};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

mod filter;
mod generic;
mod matrix;
mod parallel;
mod vector;

// ANCHOR: aligned
/// NumPy can hand you an array whose data is not aligned for its dtype (a
/// float64 view of a byte buffer at offset 1, say). Building a Rust slice or
/// ndarray view over it would be undefined behaviour, so refuse it.
pub(crate) fn aligned<T: Element, D: Dimension>(a: &Bound<'_, PyArray<T, D>>) -> PyResult<()> {
    if a.is_aligned() {
        Ok(())
    } else {
        Err(PyValueError::new_err(
            "array data is not aligned for its dtype: pass a.copy()",
        ))
    }
}
// ANCHOR_END: aligned

// ANCHOR: alloc
// ANCHOR: try_new
/// A new C-ordered array of `shape`, zeroed or left uninitialised, or the
/// `MemoryError` NumPy raised. Use it instead of `PyArray::new` and
/// `PyArray::zeros`: those do not check NumPy's answer, and when NumPy cannot
/// allocate (a 2**40-element view of one broadcast number is a few bytes,
/// its cube is 8 TiB) they panic with "PyObject pointer is null".
pub(crate) fn try_new<'py, T: Element, D: Dimension>(
    py: Python<'py>,
    shape: &[usize],
    zeroed: bool,
) -> PyResult<Bound<'py, PyArray<T, D>>> {
    let mut dims = shape
        .iter()
        .map(|&d| npyffi::npy_intp::try_from(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            PyMemoryError::new_err(format!("cannot allocate an array of shape {shape:?}"))
        })?;
    let nd = dims.len() as std::ffi::c_int;
    // Both calls steal this reference to the dtype.
    let descr = T::get_dtype(py).into_dtype_ptr();
    // `py` proves this thread is attached to the interpreter, which NumPy's
    // C API needs (with or without a GIL).
    // SAFETY: attached (above); `dims` holds `nd` sizes, `descr` is a new
    // reference that the call takes over, and the null pointers ask for C
    // order, no strides, no data and no base.
    let ptr = unsafe {
        if zeroed {
            npyffi::PY_ARRAY_API.PyArray_Zeros(py, nd, dims.as_mut_ptr(), descr, 0)
        } else {
            let subtype = npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type);
            npyffi::PY_ARRAY_API.PyArray_NewFromDescr(
                py,
                subtype,
                descr,
                nd,
                dims.as_mut_ptr(),
                std::ptr::null_mut(), // strides: C order
                std::ptr::null_mut(), // data: NumPy allocates
                0,                    // flags
                std::ptr::null_mut(), // base object
            )
        }
    };
    // SAFETY: `ptr` is a new reference, or null with NumPy's exception set.
    let array = unsafe { Bound::from_owned_ptr_or_err(py, ptr) }?;
    Ok(array.cast_into::<PyArray<T, D>>()?)
}
// ANCHOR_END: try_new

// ANCHOR: standard
/// `view` in standard (C) order: itself when it already is, else a copy, or
/// a `MemoryError` when the copy cannot be allocated. (`as_standard_layout`
/// would abort the process instead: Rust's allocator does not return.)
pub(crate) fn standard<'a, D: Dimension>(
    view: ArrayView<'a, f64, D>,
) -> PyResult<CowArray<'a, f64, D>> {
    if view.is_standard_layout() {
        return Ok(CowArray::from(view));
    }
    let mut copy: Vec<f64> = Vec::new();
    copy.try_reserve_exact(view.len())
        .map_err(|e| PyMemoryError::new_err(format!("cannot copy {} float64: {e}", view.len())))?;
    copy.extend(view.iter().copied());
    let owned = Array::from_shape_vec(view.raw_dim(), copy).expect("one element per index");
    Ok(CowArray::from(owned))
}
// ANCHOR_END: standard
// ANCHOR_END: alloc

// ANCHOR: signals
/// Elements (or additions) between two checks for Ctrl-C: about a
/// millisecond of work, so the checks cost nothing measurable and a signal
/// waits no longer than that (chapter 8).
pub(crate) const CHECK_EVERY: usize = 1 << 20;
// ANCHOR_END: signals

// ANCHOR: detached
/// How many calls of this module are reading or writing arrays with the GIL
/// released (`py.detach`) right now. `cube_into_fast` skips rust-numpy's
/// borrow table only while this is zero.
pub(crate) static DETACHED: AtomicUsize = AtomicUsize::new(0);

/// Counts one call in `DETACHED` for as long as it lives. Made, and dropped,
/// while the thread is attached.
pub(crate) struct Detached(());

impl Detached {
    pub(crate) fn enter() -> Self {
        DETACHED.fetch_add(1, Ordering::SeqCst);
        Detached(())
    }
}

impl Drop for Detached {
    fn drop(&mut self) {
        DETACHED.fetch_sub(1, Ordering::SeqCst);
    }
}
// ANCHOR_END: detached

// ANCHOR: module
// gil_used = false: rust-numpy's borrows, or a GIL that cube_into_fast checks for.
#[pymodule(gil_used = false)]
mod cookbook {
    #[pymodule_export]
    use super::filter::{_uniform_filter_baseline, uniform_filter};
    #[pymodule_export]
    use super::generic::square;
    #[pymodule_export]
    use super::matrix::{int_square, norms, row_sums};
    #[pymodule_export]
    use super::parallel::{cube_par, uniform_filter_par};
    #[pymodule_export]
    use super::vector::{cube, cube_inplace, cube_into, cube_into_fast, cube_vec};
}
// ANCHOR_END: module
