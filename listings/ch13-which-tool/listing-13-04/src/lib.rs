// ANCHOR: all
//! Listing 13-4: the chapter's kernels that chapter 5 does not have, in
//! Rust: the quick start's `ewma` (and a faster one), the Morlet wavelet (serial, and on every
//! core with rayon) and a histogram. The cube and the 3×3 filter are
//! listing 5-2's.
use pyo3::prelude::*;

// gil_used = false: no state of its own; arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod rskernels {
    use numpy::ndarray::Axis;
    use numpy::prelude::*;
    use numpy::{PyArray1, PyReadonlyArray1};
    use pyo3::exceptions::{PyMemoryError, PyValueError};
    use pyo3::prelude::*;
    use rayon::prelude::*;

    /// A Rust reference to a misaligned f64 is undefined behaviour.
    fn aligned(x: &PyReadonlyArray1<'_, f64>) -> PyResult<()> {
        if x.is_aligned() {
            Ok(())
        } else {
            Err(PyValueError::new_err("x is not aligned for float64"))
        }
    }

    /// A vector for `n` values, or a MemoryError (`Vec::with_capacity`
    /// would abort the process for a size no machine has).
    fn buffer<T>(n: usize) -> PyResult<Vec<T>> {
        let mut v = Vec::new();
        v.try_reserve_exact(n)
            .map_err(|e| PyMemoryError::new_err(format!("cannot allocate {n} values: {e}")))?;
        Ok(v)
    }

    // ANCHOR: ewma
    fn check_alpha(alpha: f64) -> PyResult<()> {
        if alpha > 0.0 && alpha <= 1.0 {
            Ok(())
        } else {
            Err(PyValueError::new_err(format!(
                "alpha must be in (0, 1], got {alpha}"
            )))
        }
    }

    /// Exponentially weighted moving average of a 1-D float64 array:
    /// out[0] = x[0], out[i] = alpha * x[i] + (1 - alpha) * out[i - 1].
    #[pyfunction]
    fn ewma<'py>(
        py: Python<'py>,
        x: PyReadonlyArray1<'py, f64>,
        alpha: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        check_alpha(alpha)?;
        aligned(&x)?;
        let x = x.as_array(); // a read-only view, any strides
        // The output at its final size, written in place: growing it with
        // `push`, as the quick start does (`ewma_push`), puts a capacity
        // check into this loop, where every step waits for the one before.
        let mut out = buffer(x.len())?;
        out.resize(x.len(), 0.0);
        let mut prev = 0.0;
        for (i, (y, &value)) in out.iter_mut().zip(&x).enumerate() {
            prev = if i == 0 {
                value
            } else {
                alpha * value + (1.0 - alpha) * prev
            };
            *y = prev;
        }
        Ok(out.into_pyarray(py))
    }

    /// The quick start's `ewma`, as it is but for its buffer: reserved with
    /// `try_reserve_exact` (a MemoryError) instead of `Vec::with_capacity`
    /// (which aborts the process for a size no machine has).
    #[pyfunction]
    fn ewma_push<'py>(
        py: Python<'py>,
        x: PyReadonlyArray1<'py, f64>,
        alpha: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        check_alpha(alpha)?;
        aligned(&x)?;
        let x = x.as_array();
        let mut out = buffer(x.len())?;
        let mut prev = 0.0;
        for (i, &value) in x.iter().enumerate() {
            prev = if i == 0 {
                value
            } else {
                alpha * value + (1.0 - alpha) * prev
            };
            out.push(prev);
        }
        Ok(out.into_pyarray(py))
    }
    // ANCHOR_END: ewma

    // ANCHOR: morlet
    /// The real Morlet wavelet, cos(5x) exp(-x²/2).
    fn wave(v: f64) -> f64 {
        (5.0 * v).cos() * (-0.5 * v * v).exp()
    }

    /// morlet(x, /): the wavelet at every x, the GIL released meanwhile.
    #[pyfunction]
    fn morlet<'py>(
        py: Python<'py>,
        x: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        aligned(&x)?;
        let x = x.as_array();
        let mut out = buffer(x.len())?;
        py.detach(|| out.extend(x.iter().map(|&v| wave(v))));
        Ok(out.into_pyarray(py))
    }

    /// morlet_par(x, /): the same on every core (rayon), the GIL released.
    #[pyfunction]
    fn morlet_par<'py>(
        py: Python<'py>,
        x: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        aligned(&x)?;
        let x = x.as_array();
        let mut out = buffer(x.len())?;
        py.detach(|| match x.as_slice() {
            Some(xs) => xs.par_iter().map(|&v| wave(v)).collect_into_vec(&mut out),
            // A strided view: one pass to copy it, then the same.
            None => x
                .to_vec()
                .par_iter()
                .map(|&v| wave(v))
                .collect_into_vec(&mut out),
        });
        Ok(out.into_pyarray(py))
    }
    // ANCHOR_END: morlet

    // ANCHOR: histogram
    /// Elements between two checks for Ctrl-C (chapter 8).
    const CHECK_EVERY: usize = 1 << 20;

    /// histogram(x, nbins, lo, hi): counts of x in nbins equal bins over
    /// [lo, hi]; hi itself goes in the last bin, values outside (and NaN)
    /// are not counted.
    #[pyfunction]
    fn histogram<'py>(
        py: Python<'py>,
        x: PyReadonlyArray1<'py, f64>,
        nbins: usize,
        lo: f64,
        hi: f64,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        if nbins < 1 {
            return Err(PyValueError::new_err("nbins must be at least 1, got 0"));
        }
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(PyValueError::new_err(format!(
                "lo and hi must be finite, with lo < hi, got {lo} and {hi}"
            )));
        }
        aligned(&x)?;
        let mut counts = buffer(nbins)?;
        counts.resize(nbins, 0i64);
        let scale = nbins as f64 / (hi - lo);
        for block in x.as_array().axis_chunks_iter(Axis(0), CHECK_EVERY) {
            py.check_signals()?;
            for &v in block {
                if v >= lo && v <= hi {
                    // `as` rounds toward zero; v >= lo, so it is the floor.
                    counts[(((v - lo) * scale) as usize).min(nbins - 1)] += 1;
                }
            }
        }
        Ok(counts.into_pyarray(py))
    }
    // ANCHOR_END: histogram
}
// ANCHOR_END: all
