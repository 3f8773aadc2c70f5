use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod _valgrind_known_good {
    use numpy::{PyArray1, PyReadonlyArray1};
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    #[pyfunction]
    fn total(a: PyReadonlyArray1<'_, f64>) -> f64 {
        a.as_array().sum()
    }

    #[pyfunction]
    fn doubled<'py>(py: Python<'py>, a: PyReadonlyArray1<'py, f64>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_vec(py, a.as_array().iter().map(|x| 2.0 * x).collect())
    }

    #[pyfunction]
    fn dtype_str(a: &Bound<'_, PyAny>) -> PyResult<String> {
        a.getattr("dtype")?.str()?.extract()
    }

    #[pyfunction]
    fn fail(message: &str) -> PyResult<()> {
        Err(PyValueError::new_err(message.to_owned()))
    }
}
