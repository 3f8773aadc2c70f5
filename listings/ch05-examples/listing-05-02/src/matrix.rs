//! Matrices: a row-wise reduction that walks any layout, and the Cookbook's
//! int 2-D example.
use numpy::ndarray::{Axis, Ix1, Ix2, Zip};
use numpy::prelude::*;
use numpy::{PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::{PyOverflowError, PyValueError};
use pyo3::prelude::*;

use crate::{CHECK_EVERY, aligned, try_new};

// ANCHOR: row_sums
/// row_sums(m, /) -> the sum of each row of a 2-D float64 array, like
/// `m.sum(axis=1)`, for C order, Fortran order or any strided view.
#[pyfunction]
pub fn row_sums<'py>(
    py: Python<'py>,
    m: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    aligned(&m)?;
    let x = m.as_array();
    let out = try_new::<f64, Ix1>(py, &[x.nrows()], true)?;
    let mut guard = out.readwrite();
    let mut y = guard.as_array_mut();
    // Ctrl-C is checked once per CHECK_EVERY elements summed.
    let py = m.py();
    let mut unchecked = 0;
    if x.t().is_standard_layout() && !x.is_standard_layout() {
        // Fortran order: columns are contiguous, so walk memory in order and
        // add whole columns to the output instead of striding along rows.
        for column in x.axis_iter(Axis(1)) {
            unchecked += column.len();
            if unchecked >= CHECK_EVERY {
                py.check_signals()?;
                unchecked = 0;
            }
            y += &column;
        }
    } else {
        // Rows are contiguous (or nothing is): ndarray's `sum` uses several
        // accumulators on a contiguous row, which the compiler vectorises.
        // A long row is summed in blocks.
        for (s, row) in y.iter_mut().zip(x.rows()) {
            *s = 0.0;
            for block in row.axis_chunks_iter(Axis(0), CHECK_EVERY) {
                unchecked += block.len();
                if unchecked >= CHECK_EVERY {
                    py.check_signals()?;
                    unchecked = 0;
                }
                *s += block.sum();
            }
        }
    }
    drop(guard);
    Ok(out)
}
// ANCHOR_END: row_sums

// ANCHOR: int_square
/// int_square(m, /) -> the element-wise square of a 2-D int64 array;
/// OverflowError instead of NumPy's silent wrap-around.
#[pyfunction]
pub fn int_square<'py>(
    py: Python<'py>,
    m: PyReadonlyArray2<'py, i64>,
) -> PyResult<Bound<'py, PyArray2<i64>>> {
    aligned(&m)?;
    let x = m.as_array();
    let out = try_new::<i64, Ix2>(py, &[x.nrows(), x.ncols()], true)?;
    let mut guard = out.readwrite();
    let mut overflow = false;
    Zip::from(guard.as_array_mut())
        .and(&x)
        .for_each(|y, &v| match v.checked_mul(v) {
            Some(s) => *y = s,
            None => overflow = true,
        });
    if overflow {
        return Err(PyOverflowError::new_err(
            "int_square: a square does not fit in int64 (|m[i, j]| > 3037000499)",
        ));
    }
    drop(guard);
    Ok(out)
}
// ANCHOR_END: int_square

// ANCHOR: shape
/// Refuse a 2-D array unless it has `columns` columns, with a message that
/// says which argument, what shape was expected and what came.
fn check_columns(name: &str, m: &PyReadonlyArray2<'_, f64>, columns: usize) -> PyResult<()> {
    match *m.shape() {
        [_, k] if k == columns => Ok(()),
        [n, k] => Err(PyValueError::new_err(format!(
            "{name} must have shape (n, {columns}), got ({n}, {k})"
        ))),
        _ => unreachable!("a PyReadonlyArray2 has two dimensions"),
    }
}

/// norms(points, /) -> the length of each row of an (n, 2) float64 array,
/// like `np.hypot(points[:, 0], points[:, 1])`.
#[pyfunction]
pub fn norms<'py>(
    py: Python<'py>,
    points: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    check_columns("points", &points, 2)?;
    aligned(&points)?;
    let p = points.as_array();
    let out = try_new::<f64, Ix1>(py, &[p.nrows()], true)?;
    let mut guard = out.readwrite();
    Zip::from(guard.as_array_mut())
        .and(p.rows())
        .for_each(|y, row| *y = row[0].hypot(row[1]));
    drop(guard);
    Ok(out)
}
// ANCHOR_END: shape
