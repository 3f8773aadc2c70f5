// ANCHOR: all
use pyo3::prelude::*;

/// The newcomer's errors, each next to its fix. The functions marked
/// "trips" are correct Rust: they raise a clear Python exception on the
/// input that surprises newcomers, and the book shows that exception.
// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod newcomer {
    use numpy::ndarray::{ArrayView1, Axis};
    use numpy::prelude::*;
    use numpy::{AllowTypeChange, PyArray1, PyArrayLike1, PyReadonlyArray1, PyReadwriteArray1};
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    /// `as_array` and `as_array_mut` do not check alignment, and a Rust
    /// reference to a misaligned f64 is undefined behaviour: check first.
    /// The sum of `a`, a million elements at a time, with a check for
    /// Ctrl-C before each block (chapter 8).
    fn sum(py: Python<'_>, a: ArrayView1<'_, f64>) -> PyResult<f64> {
        let mut total = 0.0;
        for block in a.axis_chunks_iter(Axis(0), 1 << 20) {
            py.check_signals()?;
            total += block.sum();
        }
        Ok(total)
    }

    fn aligned(a: &Bound<'_, PyArray1<f64>>) -> PyResult<()> {
        if a.is_empty() || a.is_aligned() {
            Ok(())
        } else {
            Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ))
        }
    }

    // ANCHOR: dtype
    /// Trips: only float64 arrays convert to `PyReadonlyArray1<f64>`.
    #[pyfunction]
    fn total_f64(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        aligned(&a)?;
        sum(a.py(), a.as_array())
    }

    /// Fix: `PyArrayLike1<f64, AllowTypeChange>` asks NumPy to convert
    /// (`np.asarray(a, dtype=float64)`): int arrays, lists and scalars work.
    #[pyfunction]
    fn total_any(a: PyArrayLike1<'_, f64, AllowTypeChange>) -> PyResult<f64> {
        aligned(&a)?; // a float64 array passes through unconverted, as it is
        sum(a.py(), a.as_array())
    }
    // ANCHOR_END: dtype

    // ANCHOR: slice
    /// Trips: `as_slice` needs contiguous (and aligned) data.
    #[pyfunction]
    fn first_and_last(a: PyReadonlyArray1<'_, f64>) -> PyResult<(f64, f64)> {
        let s = a.as_slice()?; // TypeError for a[::2]
        match (s.first(), s.last()) {
            (Some(&f), Some(&l)) => Ok((f, l)),
            _ => Err(PyValueError::new_err("empty array")),
        }
    }

    /// Fix: `as_array` gives an ndarray view that follows any strides.
    #[pyfunction]
    fn first_and_last_strided(a: PyReadonlyArray1<'_, f64>) -> PyResult<(f64, f64)> {
        if !a.is_aligned() && !a.is_empty() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        let v = a.as_array();
        match (v.first(), v.last()) {
            (Some(&f), Some(&l)) => Ok((f, l)),
            _ => Err(PyValueError::new_err("empty array")),
        }
    }
    // ANCHOR_END: slice

    // ANCHOR: twice
    /// Trips: `dst += src` with the same array as both arguments. Reading
    /// through `src` while writing through `dst` would alias, so rust-numpy
    /// refuses the second borrow.
    #[pyfunction]
    fn add_into(
        src: PyReadonlyArray1<'_, f64>,
        mut dst: PyReadwriteArray1<'_, f64>,
    ) -> PyResult<()> {
        if src.len() != dst.len() {
            return Err(PyValueError::new_err("src and dst differ in length"));
        }
        aligned(&src)?;
        aligned(&dst)?;
        let py = src.py();
        let s = src.as_array();
        let mut d = dst.as_array_mut();
        let blocks = d.axis_chunks_iter_mut(Axis(0), 1 << 20);
        for (mut d, s) in blocks.zip(s.axis_chunks_iter(Axis(0), 1 << 20)) {
            py.check_signals()?; // Ctrl-C (chapter 8)
            d += &s;
        }
        Ok(())
    }

    /// Fix: when the operation makes sense in place, take one array.
    #[pyfunction]
    fn double_in_place(mut a: PyReadwriteArray1<'_, f64>) -> PyResult<()> {
        aligned(&a)?;
        let py = a.py();
        for mut block in a.as_array_mut().axis_chunks_iter_mut(Axis(0), 1 << 20) {
            py.check_signals()?; // Ctrl-C (chapter 8)
            block.mapv_inplace(|x| 2.0 * x);
        }
        Ok(())
    }
    // ANCHOR_END: twice
}
// ANCHOR_END: all
