//! Vectors: 1-D float64 in, a new array or the same array out.
use std::mem::MaybeUninit;

use numpy::ndarray::{ArrayViewMut1, Axis, Ix1, Zip};
use numpy::prelude::*;
use numpy::{PyArray1, PyReadonlyArray1, PyReadwriteArray1, PyUntypedArray, npyffi};
use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::sync::atomic::Ordering;

use crate::{CHECK_EVERY, DETACHED, aligned, try_new};

// ANCHOR: cube_vec
/// cube_vec(a, /) -> a**3 as a new float64 array, built in a Rust `Vec`:
/// the safe route, with no `unsafe` at all.
#[pyfunction]
pub fn cube_vec<'py>(
    py: Python<'py>,
    a: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    aligned(&a)?;
    let x = a.as_array();
    // Room for the result, or a MemoryError: `Vec::with_capacity` (and so
    // `mapv`) would end the whole process when the memory is not there.
    let mut out: Vec<f64> = Vec::new();
    out.try_reserve_exact(x.len())
        .map_err(|e| PyMemoryError::new_err(format!("cannot allocate {} float64: {e}", x.len())))?;
    out.extend(x.iter().map(|&v| v * v * v));
    // NumPy takes the Vec over as the array's memory, without a copy.
    Ok(out.into_pyarray(py))
}
// ANCHOR_END: cube_vec

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
    let py = a.py();
    // A block at a time, with a check for Ctrl-C before each.
    for mut block in a.as_array_mut().axis_chunks_iter_mut(Axis(0), CHECK_EVERY) {
        py.check_signals()?;
        block.mapv_inplace(|v| v * v * v);
    }
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
    let py = a.py();
    let x = a.as_array();
    let blocks = x.axis_chunks_iter(Axis(0), CHECK_EVERY);
    for (x, y) in blocks.zip(
        out.as_array_mut()
            .axis_chunks_iter_mut(Axis(0), CHECK_EVERY),
    ) {
        py.check_signals()?;
        Zip::from(y).and(&x).for_each(|y, &v| *y = v * v * v);
    }
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

/// True where a GIL exists (every CPython but the free-threaded builds):
/// there, a thread attached to the interpreter holds it, so no other thread
/// runs Python code while it runs. On a free-threaded build (3.14t) other
/// threads run alongside, and even a GIL that a module turned on can be
/// turned off again by another thread, so nothing can be assumed.
fn gil_build(py: Python<'_>) -> PyResult<bool> {
    static FREE_THREADED: PyOnceLock<bool> = PyOnceLock::new();
    let free_threaded = FREE_THREADED.get_or_try_init(py, || -> PyResult<bool> {
        let flag = py
            .import("sysconfig")?
            .call_method1("get_config_var", ("Py_GIL_DISABLED",))?;
        Ok(flag.extract::<Option<i64>>()? == Some(1))
    })?;
    Ok(!*free_threaded)
}

/// cube_into_fast(a, out, /): `cube_into` for C-contiguous arrays, without
/// rust-numpy's borrow checking where it is safe to skip; the checks it did
/// are made here by hand.
#[pyfunction]
pub fn cube_into_fast<'py>(
    #[pyo3(from_py_with = f64_vector)] a: Bound<'py, PyArray1<f64>>,
    #[pyo3(from_py_with = f64_vector)] out: Bound<'py, PyArray1<f64>>,
) -> PyResult<()> {
    // First, as it may run Python code (the first call imports sysconfig):
    // from the next line to the end, nothing releases the GIL.
    let gil = gil_build(a.py())?;
    // f64_vector checked the dtype and the number of dimensions.
    aligned(&a)?;
    aligned(&out)?;
    if !a.is_contiguous() || !out.is_contiguous() {
        return Err(PyValueError::new_err(
            "cube_into_fast needs contiguous arrays: use cube_into for strided views",
        ));
    }
    // SAFETY: `out` is a live NumPy array (its type was checked) and this
    // thread is attached to the interpreter, so its fields may be read.
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
    // Skipping the borrow table is sound only if no other thread can touch
    // these arrays during the call. Where that cannot be known, take the
    // borrows after all: on a free-threaded build, and while a call of this
    // module reads arrays with the GIL released (`DETACHED` changes only
    // while its caller holds the GIL, which this function holds).
    if !gil || DETACHED.load(Ordering::SeqCst) > 0 {
        return cube_into(a.try_readonly()?, out.try_readwrite()?);
    }
    // Nothing else may touch either array while the slices live. This
    // thread holds the GIL (checked above) and calls nothing that releases
    // it, so no Python code runs, and no call of this module is reading
    // arrays with the GIL released. What no check can see is native code
    // outside this module that released the GIL and uses these arrays: a
    // C extension, NumPy's own loops, or another extension's rust-numpy
    // borrows held across `py.detach`. Keep those away from the arrays you
    // pass here.
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
