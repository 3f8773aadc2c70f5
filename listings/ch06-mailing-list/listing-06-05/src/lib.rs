use pyo3::prelude::*;

/// A helper written against `ndarray` 0.16, the version this crate asks for.
fn norm(v: ndarray::ArrayView1<'_, f64>) -> f64 {
    v.dot(&v).sqrt()
}

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod two_ndarrays {
    use numpy::PyReadonlyArray1;
    use pyo3::prelude::*;

    #[pyfunction]
    fn norm(a: PyReadonlyArray1<'_, f64>) -> f64 {
        // BROKEN ON PURPOSE: `as_array` returns numpy's ndarray (0.17) view,
        // `super::norm` wants an ndarray 0.16 view: two different types.
        super::norm(a.as_array())
    }
}
