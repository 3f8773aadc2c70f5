// ANCHOR: all
//! Listing 10-2: objects that own arrays. `LeastSquares` is a mutable,
//! scikit-learn style model that keeps its coefficients in a NumPy array;
//! `LinearFit` is a frozen model that owns them as an `ndarray::Array1` and
//! lends them out as read-only views tied to itself.
use numpy::ndarray::linalg::{general_mat_mul, general_mat_vec_mul};
use numpy::ndarray::{Array, Array1, Array2, ArrayView1, Axis, Dimension, Ix1, Ix2};
use numpy::prelude::*;
use numpy::{PyArray1, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArray};
use pyo3::exceptions::{PyAttributeError, PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// Refuse what a Rust view must not see: misaligned data.
fn aligned(a: &Bound<'_, PyUntypedArray>) -> PyResult<()> {
    if a.is_aligned() {
        Ok(())
    } else {
        Err(PyValueError::new_err(
            "array data is not aligned for its dtype: pass a.copy()",
        ))
    }
}

/// An array of zeros, or a `MemoryError` when it cannot be allocated.
/// `Array::zeros` and `to_owned()` abort the whole process instead, and the
/// sizes here come from the caller (a broadcast view of 2**40 elements costs
/// a few bytes): reserve with `try_reserve_exact`, as chapter 5 does.
fn zeros<D: Dimension>(dim: D) -> PyResult<Array<f64, D>> {
    let fail = || {
        PyMemoryError::new_err(format!(
            "cannot allocate an array of shape {:?}",
            dim.slice()
        ))
    };
    let n = dim.size_checked().ok_or_else(fail)?;
    let mut data = Vec::new();
    data.try_reserve_exact(n).map_err(|_| fail())?;
    data.resize(n, 0.0);
    Ok(Array::from_shape_vec(dim, data).expect("one element per index"))
}

/// A copy of `view` that owns its memory, or a `MemoryError`.
fn owned(view: ArrayView1<'_, f64>) -> PyResult<Array1<f64>> {
    let mut copy = zeros(Ix1(view.len()))?;
    copy.assign(&view);
    Ok(copy)
}

/// Least squares through the normal equations: solve (xᵀx) c = xᵀy by
/// Cholesky. Plain Rust, no Python: testable with `cargo test`.
fn solve(mut l: Array2<f64>, mut c: Array1<f64>) -> Result<Array1<f64>, String> {
    let k = c.len();
    let scale = l.diag().iter().fold(0.0_f64, |m, &d| m.max(d));
    for j in 0..k {
        for i in 0..j {
            let s: f64 = (0..i).map(|p| l[[j, p]] * l[[i, p]]).sum();
            l[[j, i]] = (l[[j, i]] - s) / l[[i, i]];
        }
        let d = l[[j, j]] - (0..j).map(|p| l[[j, p]] * l[[j, p]]).sum::<f64>();
        if d <= 1e-12 * scale || d.is_nan() {
            return Err(format!(
                "x is rank-deficient: column {j} is (nearly) a combination of the others"
            ));
        }
        l[[j, j]] = d.sqrt();
    }
    for i in 0..k {
        c[i] = (c[i] - (0..i).map(|p| l[[i, p]] * c[p]).sum::<f64>()) / l[[i, i]];
    }
    for i in (0..k).rev() {
        c[i] = (c[i] - (i + 1..k).map(|p| l[[p, i]] * c[p]).sum::<f64>()) / l[[i, i]];
    }
    Ok(c)
}

/// x @ coef, after checking that x has one column per coefficient.
fn predict_with<'py>(
    x: &PyReadonlyArray2<'py, f64>,
    coef: ArrayView1<'_, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    aligned(x.as_untyped())?;
    if x.shape()[1] != coef.len() {
        return Err(PyValueError::new_err(format!(
            "x has {} columns, the model has {} coefficients",
            x.shape()[1],
            coef.len()
        )));
    }
    // x @ coef in blocks of about a million elements, so that Ctrl-C
    // (checked between blocks, chapter 8) is handled even for a huge x.
    let (py, x) = (x.py(), x.as_array());
    let mut out = zeros(Ix1(x.nrows()))?;
    let rows = ((1 << 20) / x.ncols().max(1)).max(1);
    let row_blocks = x.axis_chunks_iter(Axis(0), rows);
    for (xr, mut yr) in row_blocks.zip(out.axis_chunks_iter_mut(Axis(0), rows)) {
        let col_blocks = xr.axis_chunks_iter(Axis(1), 1 << 20);
        for (xb, cb) in col_blocks.zip(coef.axis_chunks_iter(Axis(0), 1 << 20)) {
            py.check_signals()?;
            general_mat_vec_mul(1.0, &xb, &cb, 1.0, &mut yr); // yr += xb @ cb
        }
    }
    Ok(out.into_pyarray(py))
}

// ANCHOR: validate
/// `value` as a new, read-only float64 array of `n` elements (any length if
/// `n` is None), or an error that says what is wrong with it.
fn coefficients<'py>(
    value: &Bound<'py, PyAny>,
    n: Option<usize>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let array = value.cast::<PyUntypedArray>().map_err(|_| {
        PyTypeError::new_err(format!(
            "coef must be a NumPy array, got {}",
            value
                .get_type()
                .name()
                .map_or("?".into(), |n| n.to_string())
        ))
    })?;
    if !array.dtype().is_equiv_to(&numpy::dtype::<f64>(value.py())) {
        return Err(PyTypeError::new_err(format!(
            "coef must have dtype float64, got {}",
            array.dtype()
        )));
    }
    if array.ndim() != 1 {
        return Err(PyValueError::new_err(format!(
            "coef must be 1-D, got {} dimensions",
            array.ndim()
        )));
    }
    if let Some(n) = n.filter(|&n| n != array.len()) {
        return Err(PyValueError::new_err(format!(
            "coef must have {n} elements, one per feature, got {}",
            array.len()
        )));
    }
    aligned(array)?;
    let array = array.cast::<PyArray1<f64>>()?;
    // A copy that nobody else holds: later writes to `value` cannot reach it.
    let copy = owned(array.try_readonly()?.as_array())?.into_pyarray(value.py());
    copy.readwrite().make_nonwriteable();
    Ok(copy)
}
// ANCHOR_END: validate

// ANCHOR: least_squares
/// A least-squares linear model: `fit(x, y)`, then `predict(x)`.
#[pyclass(module = "lstsq_model")]
struct LeastSquares {
    /// A NumPy array, read-only, that `fit` and the setter replace and never
    /// write: an array handed out earlier keeps its values.
    coef: Option<Py<PyArray1<f64>>>,
}

#[pymethods]
impl LeastSquares {
    #[new]
    fn new() -> Self {
        LeastSquares { coef: None }
    }

    /// Fit the coefficients to x (n × k) and y (n), and return the model.
    fn fit<'py>(
        mut slf: PyRefMut<'py, Self>,
        x: PyReadonlyArray2<'py, f64>,
        y: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<PyRefMut<'py, Self>> {
        aligned(x.as_untyped())?;
        aligned(y.as_untyped())?;
        let (xv, yv) = (x.as_array(), y.as_array());
        if xv.nrows() != yv.len() {
            return Err(PyValueError::new_err(format!(
                "x has {} rows but y has {} elements",
                xv.nrows(),
                yv.len()
            )));
        }
        // xᵀx and xᵀy, a block of rows at a time. Each block runs detached:
        // other threads go on meanwhile. Between blocks the thread attaches
        // again, which lets Python handle Ctrl-C (chapter 8). This call keeps
        // `slf`, its mutable borrow of the model, until it returns.
        let py = slf.py();
        let k = xv.ncols();
        let (mut xtx, mut xty) = (zeros(Ix2(k, k))?, zeros(Ix1(k))?);
        let rows = ((1 << 20) / k.max(1)).max(1);
        for (xb, yb) in xv
            .axis_chunks_iter(Axis(0), rows)
            .zip(yv.axis_chunks_iter(Axis(0), rows))
        {
            py.check_signals()?;
            let finite = py.detach(|| {
                if !xb.iter().chain(yb.iter()).all(|v| v.is_finite()) {
                    return false;
                }
                general_mat_mul(1.0, &xb.t(), &xb, 1.0, &mut xtx); // xtx += xbᵀ xb
                general_mat_vec_mul(1.0, &xb.t(), &yb, 1.0, &mut xty); // xty += xbᵀ yb
                true
            });
            if !finite {
                return Err(PyValueError::new_err(
                    "x and y must be finite (no NaN or inf)",
                ));
            }
        }
        let coef = py
            .detach(|| solve(xtx, xty))
            .map_err(PyValueError::new_err)?;
        let coef = coef.into_pyarray(slf.py());
        coef.readwrite().make_nonwriteable();
        slf.coef = Some(coef.unbind());
        Ok(slf)
    }

    /// x @ coef for x of shape (n, k).
    fn predict<'py>(&self, x: PyReadonlyArray2<'py, f64>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let coef = self.coef.as_ref().ok_or_else(|| {
            PyValueError::new_err("this LeastSquares is not fitted yet: call fit(x, y) first")
        })?;
        // A borrow of a NumPy array, checked by rust-numpy on every call.
        let coef = coef.bind(x.py()).readonly();
        predict_with(&x, coef.as_array())
    }

    #[getter]
    fn coef<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        match &self.coef {
            Some(coef) => Ok(coef.bind(py).clone()),
            None => Err(PyAttributeError::new_err(
                "coef: the model is not fitted yet",
            )),
        }
    }

    #[setter]
    fn set_coef(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let n = self.coef.as_ref().map(|c| c.bind(value.py()).len());
        self.coef = Some(coefficients(value, n)?.unbind());
        Ok(())
    }

    /// A frozen copy of the fitted model, for serving.
    fn freeze(&self, py: Python<'_>) -> PyResult<LinearFit> {
        let coef = self.coef(py)?;
        Ok(LinearFit {
            coef: owned(coef.readonly().as_array())?,
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(match &self.coef {
            None => "LeastSquares()  # not fitted".to_string(),
            Some(c) => format!("LeastSquares()  # fitted, coef={}", c.bind(py).repr()?),
        })
    }

    /// Pickling: the state is the coefficients, or None.
    fn __getstate__(&self, py: Python<'_>) -> Option<Py<PyArray1<f64>>> {
        self.coef.as_ref().map(|c| c.clone_ref(py))
    }

    fn __setstate__(&mut self, state: &Bound<'_, PyAny>) -> PyResult<()> {
        self.coef = match state.is_none() {
            true => None,
            false => Some(coefficients(state, None)?.unbind()),
        };
        Ok(())
    }
}
// ANCHOR_END: least_squares

// ANCHOR: linear_fit
/// A fitted linear model that never changes: `predict(x)` reads its own
/// `Array1` with no borrow to check, from any number of threads.
#[pyclass(frozen, module = "lstsq_model")]
struct LinearFit {
    coef: Array1<f64>,
}

#[pymethods]
impl LinearFit {
    #[new]
    fn new(coef: &Bound<'_, PyAny>) -> PyResult<Self> {
        let coef = coefficients(coef, None)?;
        Ok(LinearFit {
            coef: owned(coef.readonly().as_array())?,
        })
    }

    fn predict<'py>(&self, x: PyReadonlyArray2<'py, f64>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        predict_with(&x, self.coef.view())
    }

    /// The coefficients: a read-only view of this object's own memory.
    #[getter]
    fn coef<'py>(slf: &Bound<'py, Self>) -> Bound<'py, PyArray1<f64>> {
        let this = slf.get();
        // The view points into `this.coef`, which this frozen object never
        // changes, moves or frees while it lives (no method takes `&mut self`,
        // from any thread), and holds a reference to `slf`, its base.
        // SAFETY: so the memory stays valid and unchanged as long as the view;
        // no one writes through the view: it is made read-only before it is returned.
        let view = unsafe { PyArray1::borrow_from_array(&this.coef, slf.clone().into_any()) };
        view.readwrite().make_nonwriteable();
        view
    }

    fn __repr__(&self) -> String {
        format!("LinearFit(coef={})", self.coef)
    }

    /// Pickling: call LinearFit(coef) again.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let coef = slf.get().coef.to_pyarray(slf.py());
        (slf.get_type(), (coef,)).into_pyobject(slf.py())
    }
}
// ANCHOR_END: linear_fit

/// predict(x, coef) -> x @ coef: the function version, which converts and
/// checks `coef` on every call.
#[pyfunction]
fn predict<'py>(
    x: PyReadonlyArray2<'py, f64>,
    coef: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    aligned(coef.as_untyped())?;
    predict_with(&x, coef.as_array())
}

// ANCHOR: module
// gil_used = false: LeastSquares's borrows are checked by pyo3, LinearFit is frozen.
#[pymodule(gil_used = false)]
mod lstsq_model {
    #[pymodule_export]
    use super::{LeastSquares, LinearFit, predict};
}
// ANCHOR_END: module
// ANCHOR_END: all
