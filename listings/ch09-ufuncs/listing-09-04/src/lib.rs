// ANCHOR: all
//! The safe alternative to a ufunc: `#[pyfunction]`s that broadcast their
//! array-like arguments with ndarray. No `unsafe`, and much less for free.
use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod logit_safe {
    use numpy::ndarray::{IxDyn, Zip};
    use numpy::prelude::*;
    use numpy::{PyArrayDyn, PyReadonlyArrayDyn};
    use pyo3::exceptions::{PyTypeError, PyValueError};
    use pyo3::prelude::*;

    fn logit(p: f64) -> f64 {
        (p / (1.0 - p)).ln()
    }

    // ANCHOR: empty
    /// An uninitialised float64 array from NumPy's own `numpy.empty`: NumPy
    /// allocates (fast for big arrays), and an impossible size is NumPy's
    /// `MemoryError`, not a panic or an abort.
    fn empty<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let numpy = py.import("numpy")?;
        Ok(numpy
            .getattr("empty")?
            .call1((shape.to_vec(),))?
            .cast_into()?)
    }

    /// Any array-like of real numbers as an aligned float64 array (a copy
    /// only when needed), borrowed read-only. `None`, objects, strings and
    /// complex numbers are a TypeError: rust-numpy's `PyArrayLike` with
    /// `AllowTypeChange` would turn `None` into NaN and drop imaginary parts.
    fn real<'py>(p: &Bound<'py, PyAny>) -> PyResult<PyReadonlyArrayDyn<'py, f64>> {
        let numpy = p.py().import("numpy")?;
        let a = numpy.getattr("asarray")?.call1((p,))?;
        let dtype = a.getattr("dtype")?;
        let kind: char = dtype.getattr("kind")?.extract()?;
        if !"biuf".contains(kind) {
            return Err(PyTypeError::new_err(format!(
                "expected real numbers, got an array of dtype {dtype}"
            )));
        }
        let a = numpy.getattr("require")?.call1((a, "float64", "A"))?;
        Ok(a.cast_into::<PyArrayDyn<f64>>()?.readonly())
    }
    // ANCHOR_END: empty

    // ANCHOR: logit
    /// logit(p) = log(p / (1 - p)) of any array-like of numbers, as float64.
    #[pyfunction]
    fn logit_array<'py>(
        py: Python<'py>,
        p: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let p = real(p)?;
        let p = p.as_array();
        let out = empty(py, p.shape())?;
        let mut w = out.readwrite();
        Zip::from(w.as_array_mut())
            .and(&p)
            .for_each(|o, &p| *o = logit(p));
        drop(w);
        Ok(out)
    }
    // ANCHOR_END: logit

    // ANCHOR: broadcast
    /// The shape two shapes broadcast to, by NumPy's rule: align them on the
    /// right; each pair of lengths must be equal, or one of them 1.
    fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
        let n = a.len().max(b.len());
        let at = |s: &[usize], i: usize| {
            if i + s.len() < n {
                1
            } else {
                s[i + s.len() - n]
            }
        };
        (0..n)
            .map(|i| match (at(a, i), at(b, i)) {
                (x, y) if x == y || y == 1 => Some(x),
                (1, y) => Some(y),
                _ => None,
            })
            .collect()
    }

    /// The log odds ratio logit(p) - logit(q), broadcast like a ufunc.
    #[pyfunction]
    fn log_odds_ratio<'py>(
        py: Python<'py>,
        p: &Bound<'py, PyAny>,
        q: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let (p, q) = (real(p)?, real(q)?);
        let (p, q) = (p.as_array(), q.as_array());
        let mismatch = || {
            PyValueError::new_err(format!(
                "operands could not be broadcast together with shapes {:?} {:?}",
                p.shape(),
                q.shape()
            ))
        };
        let shape = broadcast_shape(p.shape(), q.shape()).ok_or_else(mismatch)?;
        // `broadcast` gives views with zero strides along the stretched axes.
        let pb = p.broadcast(IxDyn(&shape)).ok_or_else(mismatch)?;
        let qb = q.broadcast(IxDyn(&shape)).ok_or_else(mismatch)?;
        let out = empty(py, &shape)?;
        let mut w = out.readwrite();
        Zip::from(w.as_array_mut())
            .and(&pb)
            .and(&qb)
            .for_each(|o, &p, &q| *o = logit(p) - logit(q));
        drop(w);
        Ok(out)
    }
    // ANCHOR_END: broadcast
}
// ANCHOR_END: all
