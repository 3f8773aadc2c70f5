// ANCHOR: all
use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod mexport {
    use numpy::prelude::*;
    use numpy::{PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
    use pyo3::exceptions::{PyMemoryError, PyValueError};
    use pyo3::prelude::*;
    use pyo3::types::IntoPyDict;

    // ANCHOR: colcumsum
    /// Cumulative sum down each column, like MATLAB's `cumsum(A, 1)`.
    /// Accepts any memory layout; returns a Fortran-ordered array, as MATLAB
    /// would hold it.
    #[pyfunction]
    fn colcumsum<'py>(
        py: Python<'py>,
        a: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        if !a.is_aligned() && !a.is_empty() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        let a = a.as_array(); // any strides: C, Fortran, a[::-1, ::2], …
        let (m, n) = a.dim();
        // Fortran order, so each output column is contiguous. Not
        // `PyArray2::zeros`: it panics when NumPy cannot allocate (a 2**40
        // element view of a broadcast scalar is a few bytes, its cumsum is
        // 8 TiB); `numpy.zeros` raises MemoryError.
        let kwargs = [("order", "F")].into_py_dict(py)?;
        let out = py
            .import("numpy")?
            .call_method("zeros", ((m, n),), Some(&kwargs))?
            .cast_into::<PyArray2<f64>>()?;
        {
            let mut c = out.readwrite();
            let mut c = c.as_array_mut();
            for (src, mut dst) in a.columns().into_iter().zip(c.columns_mut()) {
                let mut acc = 0.0;
                for (x, y) in src.iter().zip(dst.iter_mut()) {
                    acc += x;
                    *y = acc;
                }
            }
        }
        Ok(out)
    }
    // ANCHOR_END: colcumsum

    // ANCHOR: accumarray
    /// `accumarray(subs, vals)` for a column of MATLAB subscripts: `out[k-1]`
    /// is the sum of the `vals` whose subscript is `k`. Subscripts start at 1,
    /// as in MATLAB; `n` (default: the largest subscript) is the output length.
    #[pyfunction]
    #[pyo3(signature = (subs, vals, n=None))]
    fn accumarray<'py>(
        py: Python<'py>,
        subs: PyReadonlyArray1<'py, i64>,
        vals: PyReadonlyArray1<'py, f64>,
        n: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        if subs.len() != vals.len() {
            return Err(PyValueError::new_err(format!(
                "subs and vals differ in length: {} and {}",
                subs.len(),
                vals.len()
            )));
        }
        let aligned = subs.is_aligned() && vals.is_aligned();
        if !subs.is_empty() && !aligned {
            return Err(PyValueError::new_err("array data is not aligned"));
        }
        let (subs, vals) = (subs.as_array(), vals.as_array());
        // 1-based to 0-based, checked before any write.
        let mut largest = 0usize;
        for (pos, &k) in subs.iter().enumerate() {
            if pos % (1 << 20) == 0 {
                py.check_signals()?; // Ctrl-C (chapter 8)
            }
            if k < 1 {
                return Err(PyValueError::new_err(format!(
                    "subs[{pos}] = {k}: MATLAB subscripts start at 1"
                )));
            }
            largest = largest.max(k as usize);
        }
        let n = n.unwrap_or(largest);
        if largest > n {
            return Err(PyValueError::new_err(format!(
                "subscript {largest} is out of range for n = {n}"
            )));
        }
        // A subscript like 2**62 must be a MemoryError, not an abort.
        let mut out: Vec<f64> = Vec::new();
        out.try_reserve_exact(n)
            .map_err(|_| PyMemoryError::new_err(format!("cannot allocate {n} float64")))?;
        out.resize(n, 0.0);
        for (i, (&k, &v)) in subs.iter().zip(vals.iter()).enumerate() {
            if i % (1 << 20) == 0 {
                py.check_signals()?;
            }
            out[k as usize - 1] += v;
        }
        Ok(PyArray1::from_vec(py, out))
    }
    // ANCHOR_END: accumarray
}
// ANCHOR_END: all
