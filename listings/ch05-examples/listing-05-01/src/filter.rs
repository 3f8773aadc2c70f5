//! An ndimage-style uniform (mean) filter, equal to
//! `scipy.ndimage.uniform_filter(a, size, mode=mode, cval=cval)`.
use numpy::ndarray::{ArrayView2, CowArray, Ix2};
use numpy::prelude::*;
use numpy::{PyArray2, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::aligned;

// ANCHOR: mode
/// How the filter sees samples outside the array, as scipy names it.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// d c b a | a b c d | d c b a
    Reflect,
    /// d c b | a b c d | c b a
    Mirror,
    /// a a a | a b c d | d d d
    Nearest,
    /// k k k | a b c d | k k k
    Constant(f64),
}

impl Mode {
    pub fn parse(name: &str, cval: f64) -> PyResult<Self> {
        match name {
            "reflect" => Ok(Mode::Reflect),
            "mirror" => Ok(Mode::Mirror),
            "nearest" => Ok(Mode::Nearest),
            "constant" => Ok(Mode::Constant(cval)),
            _ => Err(PyValueError::new_err(format!(
                "mode must be 'reflect', 'mirror', 'nearest' or 'constant', got {name:?}"
            ))),
        }
    }

    /// The index in 0..n that stands for position `i` (which may lie outside
    /// 0..n, even by more than n when the array is smaller than the kernel);
    /// None for the constant.
    fn source(self, i: isize, n: isize) -> Option<usize> {
        let j = match self {
            Mode::Reflect => {
                let p = i.rem_euclid(2 * n);
                if p < n { p } else { 2 * n - 1 - p }
            }
            Mode::Mirror if n == 1 => 0,
            Mode::Mirror => {
                let p = i.rem_euclid(2 * n - 2);
                if p < n { p } else { 2 * n - 2 - p }
            }
            Mode::Nearest => i.clamp(0, n - 1),
            Mode::Constant(_) => {
                if (0..n).contains(&i) {
                    i
                } else {
                    return None;
                }
            }
        };
        Some(j as usize)
    }
}
// ANCHOR_END: mode

/// Checks the arguments and returns the input as a C-contiguous view: a
/// strided or Fortran-ordered input is copied once, here.
pub fn prepare<'a>(
    a: &'a PyReadonlyArray2<'_, f64>,
    size: usize,
) -> PyResult<CowArray<'a, f64, Ix2>> {
    aligned(a)?;
    // An upper bound keeps a typo such as size=10**12 from allocating
    // terabytes of scratch space (an abort, not an exception).
    if size < 3 || size.is_multiple_of(2) || size > 1_000_001 {
        return Err(PyValueError::new_err(format!(
            "size must be odd, at least 3 and at most 1000001, got {size}"
        )));
    }
    let view = a.as_array();
    if view.is_standard_layout() {
        Ok(CowArray::from(view))
    } else {
        Ok(CowArray::from(view.as_standard_layout().into_owned()))
    }
}

// ANCHOR: filter_row
/// Computes output row `i` of the filter. `x` is C-contiguous; `scratch`
/// holds `scratch_len(x.ncols(), size)` elements; `out` is the row.
/// Like scipy, filter along axis 0 (the `size` rows around `i`), then along
/// axis 1 (sliding sums over the row, padded by the same mode).
pub fn filter_row(
    x: ArrayView2<'_, f64>,
    i: usize,
    size: usize,
    mode: Mode,
    scratch: &mut [f64],
    out: &mut [f64],
) {
    let (h, w) = x.dim();
    let r = size / 2;
    let xs = x.to_slice().expect("prepare() made x contiguous");
    let inv = 1.0 / size as f64;
    let (acc, constant_row) = scratch.split_at_mut(w + 2 * r);
    if let Mode::Constant(c) = mode
        && (i < r || i + r >= h)
    {
        constant_row.fill(c); // rows above or below the array
    }
    let constant_row = &*constant_row;
    let input_row = |t: usize| -> &[f64] {
        match mode.source((i + t) as isize - r as isize, h as isize) {
            Some(s) => &xs[s * w..(s + 1) * w],
            None => constant_row,
        }
    };

    // 1. Vertical: the mean of `size` whole rows, added as slices, the
    //    first two in one pass and the scaling in the last.
    let mid = &mut acc[r..r + w];
    for ((m, &a), &b) in mid.iter_mut().zip(input_row(0)).zip(input_row(1)) {
        *m = a + b;
    }
    for t in 2..size - 1 {
        for (m, &v) in mid.iter_mut().zip(input_row(t)) {
            *m += v;
        }
    }
    for (m, &v) in mid.iter_mut().zip(input_row(size - 1)) {
        *m = (*m + v) * inv;
    }

    // 2. Pad the vertically filtered row on both sides, by the mode.
    for j in (0..r).chain(r + w..w + 2 * r) {
        acc[j] = match mode.source(j as isize - r as isize, w as isize) {
            Some(s) => acc[r + s],
            None => match mode {
                Mode::Constant(c) => c,
                _ => unreachable!("only the constant mode has no source"),
            },
        };
    }

    // 3. Horizontal: `size` shifted slices of the padded row, the same way.
    for ((o, &a), &b) in out.iter_mut().zip(&acc[..w]).zip(&acc[1..w + 1]) {
        *o = a + b;
    }
    for t in 2..size - 1 {
        for (o, &v) in out.iter_mut().zip(&acc[t..t + w]) {
            *o += v;
        }
    }
    for (o, &v) in out.iter_mut().zip(&acc[size - 1..size - 1 + w]) {
        *o = (*o + v) * inv;
    }
}

/// The scratch space `filter_row` needs: a padded row and a constant row.
pub fn scratch_len(w: usize, size: usize) -> usize {
    2 * w + size - 1
}
// ANCHOR_END: filter_row

// ANCHOR: uniform_filter
/// uniform_filter(a, size=3, mode="reflect", cval=0.0) -> the mean over a
/// size x size window of a 2-D float64 array; `size` odd and >= 3.
#[pyfunction]
#[pyo3(signature = (a, size = 3, mode = "reflect", cval = 0.0))]
pub fn uniform_filter<'py>(
    py: Python<'py>,
    a: PyReadonlyArray2<'py, f64>,
    size: usize,
    mode: &str,
    cval: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let mode = Mode::parse(mode, cval)?;
    let x = prepare(&a, size)?;
    let (h, w) = x.dim();
    let out = PyArray2::<f64>::zeros(py, (h, w), false);
    if h == 0 || w == 0 {
        return Ok(out);
    }
    let mut guard = out.readwrite();
    let ys = guard.as_slice_mut()?;
    let mut scratch = vec![0.0; scratch_len(w, size)];
    for (i, row) in ys.chunks_exact_mut(w).enumerate() {
        filter_row(x.view(), i, size, mode, &mut scratch, row);
    }
    drop(guard);
    Ok(out)
}
// ANCHOR_END: uniform_filter
