// ANCHOR: all
//! Listing 5-1: the first version of `cube`, as rust-numpy's README would
//! write it. Broken on purpose: it is correct for ordinary arrays, and the
//! chapter shows three inputs it cannot survive.
use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod cube_naive {
    use numpy::ndarray::Zip;
    use numpy::prelude::*;
    use numpy::{PyArray1, PyReadonlyArray1};
    use pyo3::prelude::*;

    /// cube(a, /) -> a**3 as a new float64 array.
    #[pyfunction]
    fn cube<'py>(py: Python<'py>, a: PyReadonlyArray1<'py, f64>) -> Bound<'py, PyArray1<f64>> {
        a.as_array().mapv(|v| v * v * v).into_pyarray(py)
    }

    /// cube_zeros(a, /) -> a**3, written into an output that NumPy allocates.
    #[pyfunction]
    fn cube_zeros<'py>(
        py: Python<'py>,
        a: PyReadonlyArray1<'py, f64>,
    ) -> Bound<'py, PyArray1<f64>> {
        let out = PyArray1::<f64>::zeros(py, a.len(), false);
        Zip::from(out.readwrite().as_array_mut())
            .and(&a.as_array())
            .for_each(|y, &v| *y = v * v * v);
        out
    }
}
// ANCHOR_END: all
