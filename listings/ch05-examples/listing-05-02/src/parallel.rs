//! Parallel variants: rayon on two or more cores, with the GIL released.
use numpy::ndarray::Ix1;
use numpy::prelude::*;
use numpy::{PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
// ANCHOR: rayon
use rayon::prelude::*;
// ANCHOR_END: rayon
use std::mem::MaybeUninit;

use crate::filter::{Ring, filter_rows, rows_per_check, with_output};
use crate::{Detached, aligned, standard, try_new};

/// Elements per rayon task: large enough that scheduling costs nothing.
const CHUNK: usize = 1 << 16;

/// Serial grains of Ctrl-C checking per parallel step (see below).
const WAVE: usize = 8;

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
        // Each band keeps its own ring of sums from one step to the next.
        let mut bands: Vec<(usize, &mut [MaybeUninit<f64>], Ring)> = ys
            .chunks_mut(band * w)
            .enumerate()
            .map(|(b, rows)| (b * band, rows, Ring::new(h, w, size, mode)))
            .collect();
        // Ctrl-C can only be checked while attached: so the bands advance in
        // steps, all cores detached, and this thread re-attaches between
        // steps to check for signals. A step is WAVE times the serial
        // filter's grain, so that starting the cores costs nothing measurable.
        let step = (WAVE * rows_per_check(w, size)).div_ceil(bands.len()) * w;
        let _reading = Detached::enter();
        while !bands.is_empty() {
            py.check_signals()?;
            py.detach(|| {
                bands.par_iter_mut().for_each(|(first, rows, ring)| {
                    let n = step.min(rows.len());
                    let (now, rest) = std::mem::take(rows).split_at_mut(n);
                    filter_rows(xs, *first, size, mode, ring, now);
                    *first += now.len() / w;
                    *rows = rest;
                })
            });
            bands.retain(|(_, rows, _)| !rows.is_empty());
        }
        Ok(())
    })
}
// ANCHOR_END: uniform_filter_par
