//! Listing 5-1: the Cookbook's NumPy-array examples and an ndimage-style
//! filter, in Rust. Each kernel lives in its own file; this one only checks
//! what every kernel needs and registers the functions.
use numpy::prelude::*;
use numpy::{Element, PyArray};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

mod filter;
mod generic;
mod matrix;
mod parallel;
mod vector;

// ANCHOR: aligned
/// NumPy can hand you an array whose data is not aligned for its dtype (a
/// float64 view of a byte buffer at offset 1, say). Building a Rust slice or
/// ndarray view over it would be undefined behaviour, so refuse it.
pub(crate) fn aligned<T: Element, D: numpy::ndarray::Dimension>(
    a: &Bound<'_, PyArray<T, D>>,
) -> PyResult<()> {
    if a.is_aligned() {
        Ok(())
    } else {
        Err(PyValueError::new_err(
            "array data is not aligned for its dtype: pass a.copy()",
        ))
    }
}
// ANCHOR_END: aligned

// ANCHOR: module
#[pymodule]
mod cookbook {
    #[pymodule_export]
    use super::filter::uniform_filter;
    #[pymodule_export]
    use super::generic::square;
    #[pymodule_export]
    use super::matrix::{int_square, row_sums};
    #[pymodule_export]
    use super::parallel::{cube_par, uniform_filter_par};
    #[pymodule_export]
    use super::vector::{cube, cube_inplace, cube_into, cube_into_fast};
}
// ANCHOR_END: module
