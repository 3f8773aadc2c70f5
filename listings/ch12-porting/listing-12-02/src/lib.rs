// ANCHOR: all
//! Listing 12-2: the straight port of listing 12-1's `_hist1d` (without
//! weights), written as chapters 5 and 10 teach, then fixed one step at a
//! time. Each step is a function of its own, so that one benchmark can time
//! them side by side with the C.
use pyo3::prelude::*;

// gil_used = false: no state of its own; arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod gridhist_steps {
    use numpy::ndarray::{ArrayViewD, Axis};
    use numpy::prelude::*;
    use numpy::{AllowTypeChange, PyArray1, PyArrayLikeDyn, PyUntypedArray};
    use pyo3::exceptions::{PyTypeError, PyValueError};
    use pyo3::prelude::*;
    use pyo3::sync::PyOnceLock;

    // ANCHOR: front
    static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

    /// Chapter 10's `real_numbers`: bool, int, uint or float, cast to
    /// float64 by NumPy (a whole new array unless it is float64 already).
    fn real_numbers<'py>(
        ob: &Bound<'py, PyAny>,
    ) -> PyResult<PyArrayLikeDyn<'py, f64, AllowTypeChange>> {
        let asarray = ASARRAY.import(ob.py(), "numpy", "asarray")?;
        let array = asarray.call1((ob,))?.cast_into::<PyUntypedArray>()?;
        let dtype = array.dtype();
        if !matches!(dtype.kind(), b'b' | b'i' | b'u' | b'f') {
            return Err(PyTypeError::new_err(format!(
                "expected real numbers, got dtype {dtype}"
            )));
        }
        array.extract()
    }

    /// The bins and the range, checked; then the input, refused if it is
    /// misaligned (chapter 5: a view of it would be undefined behaviour).
    fn prepare<'a>(
        x: &'a PyArrayLikeDyn<'_, f64, AllowTypeChange>,
        bins: isize,
        lo: f64,
        hi: f64,
    ) -> PyResult<(ArrayViewD<'a, f64>, usize, f64)> {
        if bins <= 0 {
            return Err(PyValueError::new_err(format!(
                "bins must be positive, got {bins}"
            )));
        }
        let width = hi - lo; // lo < hi, both finite: a width above zero, finite
        if !width.is_finite() || width <= 0.0 || !(bins as f64 / width).is_finite() {
            return Err(PyValueError::new_err(
                "the range must be finite, with lo < hi",
            ));
        }
        if !x.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for its dtype: pass a.copy()",
            ));
        }
        Ok((x.as_array(), bins as usize, bins as f64 / (hi - lo)))
    }
    // ANCHOR_END: front

    // ANCHOR: straight
    /// The straight port: every element through ndarray's iterator, the bin
    /// by `as usize`, the count by indexing.
    #[pyfunction]
    #[pyo3(signature = (x, bins, lo, hi, /))]
    fn straight<'py>(
        py: Python<'py>,
        #[pyo3(from_py_with = real_numbers)] x: PyArrayLikeDyn<'py, f64, AllowTypeChange>,
        bins: isize,
        lo: f64,
        hi: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, bins, norm) = prepare(&x, bins, lo, hi)?;
        let counts = py.detach(|| {
            let mut counts = vec![0.0; bins];
            for &v in x.iter() {
                if v >= lo && v < hi {
                    let i = ((v - lo) * norm) as usize;
                    counts[i.min(bins - 1)] += 1.0;
                }
            }
            counts
        });
        Ok(PyArray1::from_vec(py, counts))
    }
    // ANCHOR_END: straight

    // ANCHOR: lanes
    /// Step 1: walk the outer axes, and the last one as slices: contiguous
    /// lanes in place, strided ones copied a block at a time.
    fn for_each_lane(x: &ArrayViewD<'_, f64>, mut f: impl FnMut(&[f64])) {
        if let Some(all) = x.as_slice() {
            return f(all);
        }
        if x.ndim() == 0 {
            return f(&[x[[]]]);
        }
        let mut buf = [0.0; 4096];
        for lane in x.lanes(Axis(x.ndim() - 1)) {
            match lane.as_slice() {
                Some(s) => f(s),
                None => {
                    for chunk in lane.axis_chunks_iter(Axis(0), buf.len()) {
                        let part = &mut buf[..chunk.len()];
                        part.iter_mut().zip(chunk).for_each(|(b, &v)| *b = v);
                        f(part);
                    }
                }
            }
        }
    }

    #[pyfunction]
    #[pyo3(signature = (x, bins, lo, hi, /))]
    fn lanes<'py>(
        py: Python<'py>,
        #[pyo3(from_py_with = real_numbers)] x: PyArrayLikeDyn<'py, f64, AllowTypeChange>,
        bins: isize,
        lo: f64,
        hi: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, bins, norm) = prepare(&x, bins, lo, hi)?;
        let counts = py.detach(|| {
            let mut counts = vec![0.0; bins];
            for_each_lane(&x, |s| {
                for &v in s {
                    if v >= lo && v < hi {
                        let i = ((v - lo) * norm) as usize;
                        counts[i.min(bins - 1)] += 1.0;
                    }
                }
            });
            counts
        });
        Ok(PyArray1::from_vec(py, counts))
    }
    // ANCHOR_END: lanes

    // ANCHOR: own_fn
    /// Step 2: the loop in a function of its own, given slices and plain
    /// values. A closure reads `lo`, `hi`, `norm` and the counts' length
    /// through references, and the compiler reloads them after every store
    /// to the counts, which might have changed them; arguments cannot.
    fn count_usize(counts: &mut [f64], s: &[f64], lo: f64, hi: f64, norm: f64, bins: usize) {
        for &v in s {
            if v >= lo && v < hi {
                let i = ((v - lo) * norm) as usize;
                counts[i.min(bins - 1)] += 1.0;
            }
        }
    }
    // ANCHOR_END: own_fn

    // ANCHOR: signed
    /// Step 3: convert to a signed integer, as the C's `(npy_intp)` does.
    /// x86-64 has no instruction for float64 to unsigned; `as usize` takes a
    /// dozen instructions to get every value right, `as i64` one, plus two
    /// checks for NaN and overflow.
    fn count_i64(counts: &mut [f64], s: &[f64], lo: f64, hi: f64, norm: f64, bins: usize) {
        for &v in s {
            if v >= lo && v < hi {
                let i = ((v - lo) * norm) as i64 as usize;
                counts[i.min(bins - 1)] += 1.0;
            }
        }
    }
    // ANCHOR_END: signed

    // ANCHOR: resliced
    /// Step 4: no bounds check. Cut the counts to exactly `last + 1` and
    /// clamp the index to `last`: the compiler sees it is in bounds.
    fn count_resliced(counts: &mut [f64], s: &[f64], lo: f64, hi: f64, norm: f64, bins: usize) {
        let last = bins - 1;
        let counts = &mut counts[..=last];
        for &v in s {
            if v >= lo && v < hi {
                let i = ((v - lo) * norm) as i64 as usize;
                counts[i.min(last)] += 1.0;
            }
        }
    }
    // ANCHOR_END: resliced

    // ANCHOR: unchecked
    /// Step 5: no checks in the conversion either, as C. `to_int_unchecked`
    /// skips the NaN and overflow checks of `as i64`, which the comparisons
    /// before it already rule out.
    fn count_unchecked(counts: &mut [f64], s: &[f64], lo: f64, hi: f64, norm: f64, bins: usize) {
        let last = bins - 1;
        let counts = &mut counts[..=last];
        for &v in s {
            if v >= lo && v < hi {
                let f = (v - lo) * norm;
                // SAFETY: lo <= v < hi with all three finite (prepare checks
                // the range), so f is finite and in [0, bins]: it fits i64.
                let i: i64 = unsafe { f.to_int_unchecked() };
                counts[(i as usize).min(last)] += 1.0;
            }
        }
    }
    // ANCHOR_END: unchecked

    /// The kernels of steps 2 to 5, by name.
    type Count = fn(&mut [f64], &[f64], f64, f64, f64, usize);

    fn by_kernel<'py>(
        py: Python<'py>,
        x: PyArrayLikeDyn<'py, f64, AllowTypeChange>,
        bins: isize,
        lo: f64,
        hi: f64,
        count: Count,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, bins, norm) = prepare(&x, bins, lo, hi)?;
        let counts = py.detach(|| {
            let mut counts = vec![0.0; bins];
            for_each_lane(&x, |s| count(&mut counts, s, lo, hi, norm, bins));
            counts
        });
        Ok(PyArray1::from_vec(py, counts))
    }

    /// Step 2: `count_usize` over the lanes.
    #[pyfunction]
    #[pyo3(signature = (x, bins, lo, hi, /))]
    fn own_fn<'py>(
        py: Python<'py>,
        #[pyo3(from_py_with = real_numbers)] x: PyArrayLikeDyn<'py, f64, AllowTypeChange>,
        bins: isize,
        lo: f64,
        hi: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        by_kernel(py, x, bins, lo, hi, count_usize)
    }

    /// Step 3: `count_i64` over the lanes.
    #[pyfunction]
    #[pyo3(signature = (x, bins, lo, hi, /))]
    fn signed<'py>(
        py: Python<'py>,
        #[pyo3(from_py_with = real_numbers)] x: PyArrayLikeDyn<'py, f64, AllowTypeChange>,
        bins: isize,
        lo: f64,
        hi: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        by_kernel(py, x, bins, lo, hi, count_i64)
    }

    /// Step 4: `count_resliced` over the lanes.
    #[pyfunction]
    #[pyo3(signature = (x, bins, lo, hi, /))]
    fn resliced<'py>(
        py: Python<'py>,
        #[pyo3(from_py_with = real_numbers)] x: PyArrayLikeDyn<'py, f64, AllowTypeChange>,
        bins: isize,
        lo: f64,
        hi: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        by_kernel(py, x, bins, lo, hi, count_resliced)
    }

    /// Step 5: `count_unchecked` over the lanes.
    #[pyfunction]
    #[pyo3(signature = (x, bins, lo, hi, /))]
    fn unchecked<'py>(
        py: Python<'py>,
        #[pyo3(from_py_with = real_numbers)] x: PyArrayLikeDyn<'py, f64, AllowTypeChange>,
        bins: isize,
        lo: f64,
        hi: f64,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        by_kernel(py, x, bins, lo, hi, count_unchecked)
    }
}
// ANCHOR_END: all
