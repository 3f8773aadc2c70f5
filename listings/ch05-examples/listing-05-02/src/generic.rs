//! One kernel, several dtypes: a trait bound instead of copy-paste.
use numpy::ndarray::{IxDyn, Zip};
use numpy::prelude::*;
use numpy::{Element, PyArrayDyn, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::{aligned, try_new};

// ANCHOR: trait
/// What `square` needs from an element type.
pub trait Square: Element + Copy {
    fn square(self) -> Self;
}
impl Square for f32 {
    fn square(self) -> Self {
        self * self
    }
}
impl Square for f64 {
    fn square(self) -> Self {
        self * self
    }
}
impl Square for i64 {
    /// NumPy's int64 arithmetic wraps around; do the same.
    fn square(self) -> Self {
        self.wrapping_mul(self)
    }
}
// ANCHOR_END: trait

// ANCHOR: kernel
/// The kernel, written once, for arrays of any dimension.
fn square_typed<'py, T: Square>(a: &Bound<'py, PyArrayDyn<T>>) -> PyResult<Bound<'py, PyAny>> {
    let a = a.try_readonly()?;
    aligned(&a)?;
    let x = a.as_array();
    let out = try_new::<T, IxDyn>(a.py(), x.shape(), true)?;
    let mut guard = out.readwrite();
    Zip::from(guard.as_array_mut())
        .and(&x)
        .for_each(|y, &v| *y = v.square());
    drop(guard);
    Ok(out.into_any())
}

/// square(a, /) -> a**2 for a float32, float64 or int64 array of any shape.
#[pyfunction]
pub fn square<'py>(a: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(a) = a.cast::<PyArrayDyn<f64>>() {
        square_typed(a)
    } else if let Ok(a) = a.cast::<PyArrayDyn<f32>>() {
        square_typed(a)
    } else if let Ok(a) = a.cast::<PyArrayDyn<i64>>() {
        square_typed(a)
    } else if let Ok(a) = a.cast::<numpy::PyUntypedArray>() {
        Err(PyTypeError::new_err(format!(
            "square: unsupported dtype {}; expected float32, float64 or int64",
            a.dtype()
        )))
    } else {
        Err(PyTypeError::new_err(format!(
            "square: expected a NumPy array, got {}",
            a.get_type().name()?
        )))
    }
}
// ANCHOR_END: kernel
