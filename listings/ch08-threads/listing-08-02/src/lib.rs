// ANCHOR: all
use numpy::ndarray::Axis;
use numpy::prelude::*;
use numpy::{PyReadonlyArray1, PyReadwriteArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The sum of `a`, a million elements at a time, with a check for Ctrl-C
/// before each block.
fn sum(a: &PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
    if !a.is_empty() && !a.is_aligned() {
        return Err(PyValueError::new_err(
            "array data is not aligned for float64",
        ));
    }
    let (py, x) = (a.py(), a.as_array());
    let mut total = 0.0;
    for block in x.axis_chunks_iter(Axis(0), 1 << 20) {
        py.check_signals()?;
        total += block.sum();
    }
    Ok(total)
}

/// Waits `seconds` (0 to 60) detached, a stand-in for a long detached
/// computation: in steps of 10 ms, with a check for Ctrl-C between them.
fn wait(py: Python<'_>, seconds: f64) -> PyResult<()> {
    if !(0.0..=60.0).contains(&seconds) {
        return Err(PyValueError::new_err(format!(
            "seconds must be between 0 and 60, got {seconds}"
        )));
    }
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    loop {
        py.check_signals()?;
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        py.detach(|| std::thread::sleep(left.min(Duration::from_millis(10))));
    }
}

// ANCHOR: borrows
/// The sum of `a`, after holding a shared borrow of it for `seconds`,
/// detached.
#[pyfunction]
fn hold(a: PyReadonlyArray1<'_, f64>, seconds: f64) -> PyResult<f64> {
    wait(a.py(), seconds)?;
    sum(&a)
}

/// Writes `value` into every element of `a`: an exclusive borrow.
#[pyfunction]
fn fill(mut a: PyReadwriteArray1<'_, f64>, value: f64) -> PyResult<()> {
    if !a.is_empty() && !a.is_aligned() {
        return Err(PyValueError::new_err(
            "array data is not aligned for float64",
        ));
    }
    let py = a.py();
    for mut block in a.as_array_mut().axis_chunks_iter_mut(Axis(0), 1 << 20) {
        py.check_signals()?; // Ctrl-C
        block.fill(value);
    }
    Ok(())
}
// ANCHOR_END: borrows

// ANCHOR: counter
/// A count that `&mut self` methods change: pyo3 checks, at run time, that
/// only one caller at a time has the object mutably borrowed.
#[pyclass(module = "shared_state")]
struct Counter {
    count: usize,
}

#[pymethods]
impl Counter {
    #[new]
    fn new() -> Self {
        Counter { count: 0 }
    }

    /// Adds `n` (0 to 1000) after `seconds` detached; returns the new count.
    fn add_slowly(&mut self, py: Python<'_>, n: i64, seconds: f64) -> PyResult<usize> {
        let n = usize::try_from(n)
            .ok()
            .filter(|&n| n <= 1000)
            .ok_or_else(|| {
                PyValueError::new_err(format!("n must be between 0 and 1000, got {n}"))
            })?;
        wait(py, seconds)?;
        self.count += n;
        Ok(self.count)
    }

    #[getter]
    fn count(&self) -> usize {
        self.count
    }
}
// ANCHOR_END: counter

// ANCHOR: tally
/// A running count and sum that any number of threads may add to at once.
// frozen: no method takes `&mut self`, so pyo3 keeps no borrow flag; the
// Mutex makes the two fields change together.
#[pyclass(frozen, module = "shared_state")]
struct Tally {
    inner: Mutex<(usize, f64)>,
}

#[pymethods]
impl Tally {
    #[new]
    fn new() -> Self {
        Tally {
            inner: Mutex::new((0, 0.0)),
        }
    }

    /// Adds every element of `a`; returns their sum.
    fn add(&self, a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        let s = sum(&a)?; // the slow part, outside the lock
        // Nothing in the lock can panic halfway: a poisoned lock is still consistent.
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.0 += a.len();
        guard.1 += s;
        Ok(s)
    }

    /// (count, sum) so far, read together.
    fn totals(&self) -> (usize, f64) {
        *self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}
// ANCHOR_END: tally

// ANCHOR: cache
/// NumPy's version, looked up once, then read without a lock from any
/// thread.
#[pyfunction]
fn numpy_version(py: Python<'_>) -> PyResult<&'static str> {
    static VERSION: PyOnceLock<String> = PyOnceLock::new();
    let version = VERSION.get_or_try_init(py, || {
        py.import("numpy")?
            .getattr("__version__")?
            .extract::<String>()
    })?;
    Ok(version.as_str())
}
// ANCHOR_END: cache

// ANCHOR: module
// gil_used = false: a Mutex in Tally, pyo3's borrow checks on Counter, rust-numpy's on arrays.
#[pymodule(gil_used = false)]
mod shared_state {
    #[pymodule_export]
    use super::{Counter, Tally, fill, hold, numpy_version};
}
// ANCHOR_END: module
// ANCHOR_END: all
