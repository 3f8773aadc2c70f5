//! Parallel variants: rayon on two or more cores, with the GIL released.
use numpy::ndarray::Ix1;
use numpy::prelude::*;
use numpy::{PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
// ANCHOR: rayon
use rayon::prelude::*;
// ANCHOR_END: rayon
use std::mem::MaybeUninit;

use crate::filter::{Ring, filter_rows, with_output};
use crate::{Detached, aligned, standard, try_new};

/// Elements per rayon task: large enough that scheduling costs nothing.
const CHUNK: usize = 1 << 16;

// ANCHOR: cube_par
/// cube_par(a, /) -> a**3, computed on all cores with the GIL released.
#[pyfunction]
pub fn cube_par<'py>(
    py: Python<'py>,
    a: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    aligned(&a)?;
    // A strided input is copied once into a contiguous buffer.
    let x = standard(a.as_array())?;
    let xs: &[f64] = x.as_slice().expect("standard layout");
    let n = xs.len();
    if n == 0 {
        return Ok(PyArray1::<f64>::zeros(py, 0, false));
    }
    // As in `cube`: NumPy allocates the output uninitialised (no zeroing
    // pass); every element is written below before it is returned.
    let out = try_new::<f64, Ix1>(py, &[n], false)?;
    // SAFETY: `out.data()` points to `n` contiguous, aligned f64 that only
    // this function can reach; MaybeUninit<f64> has the layout of f64.
    let ys = unsafe { std::slice::from_raw_parts_mut(out.data().cast::<MaybeUninit<f64>>(), n) };
    // The closure may only capture `Send` things: plain slices are, the
    // `Bound`s (which need an attached thread) are not. `Detached` tells
    // `cube_into_fast` that `a` is being read with the GIL released.
    let _reading = Detached::enter();
    py.detach(|| {
        ys.par_chunks_mut(CHUNK)
            .zip(xs.par_chunks(CHUNK))
            .for_each(|(y, x)| {
                for (y, &v) in y.iter_mut().zip(x) {
                    y.write(v * v * v);
                }
            })
    });
    Ok(out)
}
// ANCHOR_END: cube_par

// ANCHOR: uniform_filter_par
/// uniform_filter_par(a, size=3, mode="reflect", cval=0.0): uniform_filter
/// on all cores, one rayon task per band of rows, the GIL released.
#[pyfunction]
#[pyo3(signature = (a, size = 3, mode = "reflect", cval = 0.0))]
pub fn uniform_filter_par<'py>(
    py: Python<'py>,
    a: PyReadonlyArray2<'py, f64>,
    size: usize,
    mode: &str,
    cval: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    // The same checks, input and output as `uniform_filter`; only what
    // runs on them differs.
    with_output(py, a, size, mode, cval, |xs, h, w, mode, ys| {
        // Bands of rows: a few per thread so that a busy core does not hold up
        // the others, and tall enough that the `size - 1` rows of horizontal
        // sums each band computes again at its top stay cheap.
        let band = h.div_ceil(4 * rayon::current_num_threads()).max(4 * size);
        let _reading = Detached::enter();
        py.detach(|| {
            ys.par_chunks_mut(band * w).enumerate().for_each_init(
                || Ring::new(h, w, size, mode),
                |ring, (b, rows)| filter_rows(xs, b * band, size, mode, ring, rows),
            )
        })
    })
}
// ANCHOR_END: uniform_filter_par
