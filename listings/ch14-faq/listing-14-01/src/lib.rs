// ANCHOR: all
use pyo3::prelude::*;

// ANCHOR: ffi
// The C function of src/sum_squares.c, which build.rs compiles and links.
unsafe extern "C" {
    fn faq_sum_squares(x: *const f64, n: usize) -> f64;
}
// ANCHOR_END: ffi

/// Answers to the questions readers ask: printing and logging from Rust,
/// calling Python back, a C function linked with `cc`, and arrays of
/// strings, datetimes and objects.
// gil_used = false: its only state is pyo3-log's logger (a lock-free cache); arrays only through rust-numpy's borrows, and the C function keeps no state.
#[pymodule(gil_used = false)]
mod faqkit {
    use numpy::datetime::{Datetime, units};
    use numpy::prelude::*;
    use numpy::{PyArray1, PyFixedString, PyFixedUnicode, PyReadonlyArray1, PyUntypedArray};
    use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
    use pyo3::prelude::*;
    use pyo3_log::{Caching, Logger};

    // ANCHOR: init
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        // Send the `log` crate's records to Python's `logging`. Caching only
        // the loggers, not their levels, lets a level set after the import
        // (`logging.basicConfig(level=logging.INFO)` in a notebook) count.
        Logger::new(m.py(), Caching::Loggers)?
            .install()
            .map_err(|e| PyRuntimeError::new_err(format!("faqkit's logger: {e}")))?;
        Ok(())
    }
    // ANCHOR_END: init

    /// The data of a contiguous, aligned 1-D float64 array, or a clear error.
    fn contiguous<'a>(a: &'a PyReadonlyArray1<'_, f64>) -> PyResult<&'a [f64]> {
        if !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        a.as_slice().map_err(|_| {
            PyValueError::new_err("array is not contiguous: pass np.ascontiguousarray(a)")
        })
    }

    // ANCHOR: mean
    /// The mean of a 1-D float64 array. It says so twice: with `println!`,
    /// on the process's standard output, and with `log::info!`, through
    /// Python's `logging`.
    #[pyfunction]
    fn mean(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        let x = contiguous(&a)?;
        if x.is_empty() {
            return Err(PyValueError::new_err("mean of an empty array"));
        }
        println!("println!: the mean of {} values", x.len());
        log::info!("log::info!: the mean of {} values", x.len());
        Ok(x.iter().sum::<f64>() / x.len() as f64)
    }
    // ANCHOR_END: mean

    // ANCHOR: mapper
    /// Holds a Python function and calls it from Rust.
    #[pyclass(frozen)]
    struct Mapper {
        f: Py<PyAny>,
    }

    #[pymethods]
    impl Mapper {
        #[new]
        fn new(f: Py<PyAny>) -> Self {
            Mapper { f }
        }

        /// The function that `sum` calls.
        #[getter]
        fn f(&self, py: Python<'_>) -> Py<PyAny> {
            self.f.clone_ref(py)
        }

        /// The sum of `f(x)` over a 1-D float64 array: one Python call an
        /// element.
        fn sum(&self, a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
            let py = a.py();
            let f = self.f.bind(py);
            if !f.is_callable() {
                return Err(PyTypeError::new_err(format!(
                    "Mapper needs a callable, got {}",
                    f.get_type().name()?
                )));
            }
            let mut total = 0.0;
            for &x in contiguous(&a)? {
                // A Python exception in f, KeyboardInterrupt included, ends
                // the loop here with that exception.
                total += f.call1((x,))?.extract::<f64>()?;
            }
            Ok(total)
        }
    }
    // ANCHOR_END: mapper

    // ANCHOR: affine_sum
    /// The sum of `scale * x + shift` over a 1-D float64 array, in Rust: the
    /// work of `Mapper(lambda x: scale * x + shift).sum(a)`, without the calls.
    #[pyfunction]
    #[pyo3(signature = (a, scale = 2.0, shift = 1.0))]
    fn affine_sum(a: PyReadonlyArray1<'_, f64>, scale: f64, shift: f64) -> PyResult<f64> {
        Ok(contiguous(&a)?.iter().map(|x| scale * x + shift).sum())
    }
    // ANCHOR_END: affine_sum

    // ANCHOR: sum_squares_c
    /// The sum of the squares of a 1-D float64 array, computed by C code
    /// that build.rs compiled with the `cc` crate.
    #[pyfunction]
    fn sum_squares_c(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        let x = contiguous(&a)?;
        // Detached: the C loop touches no Python object, so other threads
        // (and, without a GIL, the garbage collector) need not wait for it.
        Ok(a.py().detach(|| {
            // SAFETY: `x` is an aligned slice borrowed for the whole call (rust-numpy refuses a
            // writer meanwhile); the C function reads exactly `x.len()` values and keeps no
            // pointer or state, so calls from several threads, with or without a GIL, are independent.
            unsafe { super::faq_sum_squares(x.as_ptr(), x.len()) }
        }))
    }
    // ANCHOR_END: sum_squares_c

    // ANCHOR: describe
    /// Each element of a 1-D array as text, for the dtypes that rust-numpy
    /// names: `<U8` and `|S8` strings, `datetime64[s]`, object and float64.
    #[pyfunction]
    fn describe(a: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let Ok(array) = a.cast::<PyUntypedArray>() else {
            return Err(PyTypeError::new_err(format!(
                "describe takes a NumPy array (an object with a dtype), not {}",
                a.get_type().name()?
            )));
        };
        if !array.is_aligned() {
            return Err(PyValueError::new_err("array data is not aligned"));
        }
        // Fixed-width strings: the width is part of the Rust type.
        if let Ok(a) = a.cast::<PyArray1<PyFixedUnicode<8>>>() {
            let text = |s: &PyFixedUnicode<8>| s.to_string();
            return Ok(a.try_readonly()?.as_array().iter().map(text).collect());
        }
        if let Ok(a) = a.cast::<PyArray1<PyFixedString<8>>>() {
            let text = |s: &PyFixedString<8>| {
                String::from_utf8_lossy(&s.0)
                    .trim_end_matches('\0')
                    .to_string()
            };
            return Ok(a.try_readonly()?.as_array().iter().map(text).collect());
        }
        // datetime64 with its unit in the type; NaT is i64::MIN.
        if let Ok(a) = a.cast::<PyArray1<Datetime<units::Seconds>>>() {
            let text = |d: &Datetime<units::Seconds>| match i64::from(*d) {
                i64::MIN => "NaT".to_string(),
                s => format!("{s} s after 1970-01-01T00:00:00"),
            };
            return Ok(a.try_readonly()?.as_array().iter().map(text).collect());
        }
        // Object arrays hold Python objects: Py<PyAny>, used while attached.
        if let Ok(a) = a.cast::<PyArray1<Py<PyAny>>>() {
            let py = a.py();
            let a = a.try_readonly()?;
            let mut out = Vec::with_capacity(a.len());
            for obj in a.as_array() {
                out.push(obj.bind(py).str()?.to_string());
            }
            return Ok(out);
        }
        if let Ok(a) = a.cast::<PyArray1<f64>>() {
            let text = |x: &f64| format!("{x:?}");
            return Ok(a.try_readonly()?.as_array().iter().map(text).collect());
        }
        Err(PyTypeError::new_err(format!(
            "describe takes a 1-D array of dtype <U8, |S8, datetime64[s], object or float64, \
             not {} with {} dimension(s)",
            array.dtype(),
            array.ndim()
        )))
    }
    // ANCHOR_END: describe
}
// ANCHOR_END: all
