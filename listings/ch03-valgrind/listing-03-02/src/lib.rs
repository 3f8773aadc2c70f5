// ANCHOR: all
use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod mended {
    use numpy::prelude::*;
    use numpy::{PyArray1, PyReadonlyArray1};
    use pyo3::exceptions::{PyTypeError, PyValueError};
    use pyo3::prelude::*;

    /// The data of a 1-D float64 array, or a clear error.
    fn data<'a>(a: &'a PyReadonlyArray1<'_, f64>) -> PyResult<&'a [f64]> {
        if !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        a.as_slice()
            .map_err(|_| PyValueError::new_err("array is not contiguous"))
    }

    // ANCHOR: interp
    /// The value at fractional position `t`, interpolated linearly between
    /// `a[floor(t)]` and the element after it.
    #[pyfunction]
    fn interp(a: PyReadonlyArray1<'_, f64>, t: f64) -> PyResult<f64> {
        let x = data(&a)?;
        if x.is_empty() || !(0.0..=(x.len() - 1) as f64).contains(&t) {
            return Err(PyValueError::new_err("t is outside the array"));
        }
        // The last element has no successor: at `t == len - 1`, use the
        // segment before it (`f == 1.0`). Checked indexing costs nothing
        // measurable here, and a mistake is a panic, not a stray read.
        if x.len() == 1 {
            return Ok(x[0]);
        }
        let i = (t as usize).min(x.len() - 2);
        let f = t - i as f64;
        Ok(x[i] * (1.0 - f) + x[i + 1] * f)
    }
    // ANCHOR_END: interp

    // ANCHOR: cumsum
    /// The running sum of `a`, as a new array.
    #[pyfunction]
    fn cumsum<'py>(
        py: Python<'py>,
        a: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = data(&a)?;
        let mut acc = 0.0;
        let out: Vec<f64> = x
            .iter()
            .map(|v| {
                acc += v;
                acc
            })
            .collect();
        // The array takes the Vec over without a copy, and frees it when
        // Python frees the array.
        Ok(PyArray1::from_vec(py, out))
    }
    // ANCHOR_END: cumsum

    // ANCHOR: dtype_name
    /// The name of `a.dtype`.
    #[pyfunction]
    fn dtype_name(a: &Bound<'_, PyAny>) -> PyResult<String> {
        // `getattr` returns an owned `Bound`, which releases its reference
        // when it goes out of scope.
        let dtype = a
            .getattr("dtype")
            .map_err(|_| PyTypeError::new_err("expected an object with a dtype"))?;
        dtype.str()?.extract()
    }
    // ANCHOR_END: dtype_name
}
// ANCHOR_END: all
