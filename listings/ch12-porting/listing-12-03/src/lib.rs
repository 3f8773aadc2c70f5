// ANCHOR: all
//! Listing 12-3: gridhist._core, the Rust port of listing 12-1's C core.
//! Same functions, same arguments (positional only), same answers and the
//! same errors; the C's NpyIter becomes a reader that takes every input in
//! blocks of float64 (casting.rs), and the loops are written for speed.
use pyo3::prelude::*;

mod casting;

// Every input is borrowed through rust-numpy; each call writes only the output it allocated.
// gil_used = false: no state of its own, nothing shared between calls.
#[pymodule(gil_used = false)]
mod _core {
    use crate::casting::{self, Inputs};
    use numpy::PyArrayDyn;
    use numpy::ndarray::{ArrayView2, ArrayViewMut2, Zip};
    use numpy::npyffi;
    use numpy::prelude::*;
    use pyo3::exceptions::{PyMemoryError, PyValueError};
    use pyo3::prelude::*;

    /// At most this many coordinate arrays, as in the C.
    const MAX_COORDS: usize = 32;

    // ANCHOR: grid
    /// `bins` equal bins over [lo, hi), checked as the C checks them, with
    /// the C's messages.
    #[derive(Clone, Copy)]
    struct Grid {
        lo: f64,
        hi: f64,
        norm: f64,
        /// The last bin.
        last_index: usize,
    }

    impl Grid {
        fn new(bins: isize, lo: f64, hi: f64) -> PyResult<Grid> {
            if bins <= 0 {
                return Err(PyValueError::new_err(format!(
                    "bins must be positive, got {bins}"
                )));
            }
            let width = hi - lo; // lo < hi, both finite: a width above zero, finite
            if !width.is_finite() || width <= 0.0 {
                return Err(PyValueError::new_err(
                    "the range must be finite, with lo < hi",
                ));
            }
            let norm = bins as f64 / (hi - lo);
            if !norm.is_finite() {
                return Err(PyValueError::new_err(
                    "the range is too narrow for the bins",
                ));
            }
            let last_index = bins as usize - 1;
            Ok(Grid {
                lo,
                hi,
                norm,
                last_index,
            })
        }

        /// The bin of `v`, if lo <= v < hi (NaN is in no bin).
        #[inline(always)]
        fn bin(&self, v: f64) -> Option<usize> {
            if v >= self.lo && v < self.hi {
                let f = (v - self.lo) * self.norm;
                // (f is bins itself when rounding just below hi: callers clamp.)
                // SAFETY: lo <= v < hi, with lo, hi, hi - lo and norm finite
                // (Grid::new checks them): f is finite, in [0, bins], fits i64.
                Some(unsafe { f.to_int_unchecked::<i64>() } as usize)
            } else {
                None
            }
        }
    }
    // ANCHOR_END: grid

    // ANCHOR: kernels
    /// Add one block to the counts: 1 per value, or its weight. Each block
    /// is a view that follows its input's strides, as NpyIter's inner loop.
    fn add_1d(
        counts: &mut [f64],
        grid: &Grid,
        x: ArrayView2<'_, f64>,
        w: Option<ArrayView2<'_, f64>>,
    ) {
        // The bin is at most `last`: on a slice of exactly `last + 1` counts
        // the compiler drops the bounds check.
        let (grid, last) = (*grid, grid.last_index);
        let counts = &mut counts[..=last];
        match w {
            None => Zip::from(x).for_each(move |&v| {
                if let Some(i) = grid.bin(v) {
                    counts[i.min(last)] += 1.0;
                }
            }),
            Some(w) => Zip::from(x).and(w).for_each(move |&v, &wv| {
                if let Some(i) = grid.bin(v) {
                    counts[i.min(last)] += wv;
                }
            }),
        }
    }

    /// The same on a grid of `bins` cells a side: `blocks` holds one block
    /// per axis, then the weights' block if there are weights. The cell of
    /// each point is built one axis at a time, a block at a time; the last
    /// axis adds to the counts as it goes.
    fn add_dd(
        counts: &mut [f64],
        grid: &Grid,
        k: usize,
        cells: &mut [usize],
        blocks: &[ArrayView2<'_, f64>],
    ) {
        const OUT: usize = usize::MAX; // a point outside the grid
        let (grid, last) = (*grid, grid.last_index);
        let (coords, w) = blocks.split_at(k);
        let Some((lastc, coords)) = coords.split_last() else {
            return;
        };
        let size = lastc.len();
        let mut cells =
            ArrayViewMut2::from_shape(lastc.dim(), &mut cells[..size]).expect("a block");
        for (axis, c) in coords.iter().enumerate() {
            Zip::from(&mut cells).and(c).for_each(move |cell, &v| {
                *cell = match grid.bin(v) {
                    Some(b) if axis == 0 => b.min(last),
                    Some(b) if *cell != OUT => *cell * (last + 1) + b.min(last),
                    _ => OUT,
                }
            });
        }
        let cell = move |c: usize, v: f64| match grid.bin(v) {
            Some(b) if c != OUT => Some(c * (last + 1) + b.min(last)),
            _ => None,
        };
        match w.first() {
            None => Zip::from(&cells).and(lastc).for_each(move |&c, &v| {
                if let Some(i) = cell(c, v) {
                    counts[i] += 1.0;
                }
            }),
            Some(w) => Zip::from(&cells)
                .and(lastc)
                .and(w)
                .for_each(move |&c, &v, &wv| {
                    if let Some(i) = cell(c, v) {
                        counts[i] += wv;
                    }
                }),
        }
    }
    // ANCHOR_END: kernels

    /// A new zeroed float64 array of `shape`, or NumPy's error (a
    /// `MemoryError`, or "array is too big"), as PyArray_ZEROS gives it.
    fn zeros<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let mut dims = shape
            .iter()
            .map(|&d| npyffi::npy_intp::try_from(d))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| PyMemoryError::new_err("array is too big"))?;
        let descr = numpy::dtype::<f64>(py).into_dtype_ptr();
        // SAFETY: `py` proves this thread is attached to the interpreter, as
        // NumPy's C API requires with or without a GIL; `dims` holds
        // `dims.len()` sizes, and `descr` is a new reference the call steals.
        let ptr = unsafe {
            npyffi::PY_ARRAY_API.PyArray_Zeros(py, dims.len() as i32, dims.as_mut_ptr(), descr, 0)
        };
        // SAFETY: `ptr` is a new reference, or null with NumPy's exception set.
        let array = unsafe { Bound::from_owned_ptr_or_err(py, ptr) }?;
        Ok(array.cast_into::<PyArrayDyn<f64>>()?)
    }

    // ANCHOR: hist1d
    /// Counts (or summed weights) of x in `bins` equal bins over [lo, hi).
    #[pyfunction]
    #[pyo3(signature = (x, weights, bins, lo, hi, /))]
    fn _hist1d<'py>(
        x: &Bound<'py, PyAny>,
        weights: &Bound<'py, PyAny>,
        bins: isize,
        lo: f64,
        hi: f64,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let py = x.py();
        let grid = Grid::new(bins, lo, hi)?;
        let mut operands = vec![x.clone()];
        if !weights.is_none() {
            operands.push(weights.clone());
        }
        let inputs = Inputs::new(py, &operands)?;
        let result = zeros(py, &[grid.last_index + 1])?;
        // SAFETY: the array was made above and is seen by no one else until
        // it is returned: no other reference to its data exists.
        let counts = unsafe { result.as_slice_mut() }?;
        inputs.for_each_block(py, |blocks| match blocks {
            [x] => add_1d(counts, &grid, x.view(), None),
            [x, w] => add_1d(counts, &grid, x.view(), Some(w.view())),
            _ => unreachable!("one or two operands"),
        })?;
        Ok(result)
    }
    // ANCHOR_END: hist1d

    // ANCHOR: histdd
    /// Counts (or summed weights) of points on a grid of bins**len(coords)
    /// cells over [lo, hi) on every axis.
    #[pyfunction]
    #[pyo3(signature = (coords, weights, bins, lo, hi, /))]
    fn _histdd<'py>(
        coords: &Bound<'py, PyAny>,
        weights: &Bound<'py, PyAny>,
        bins: isize,
        lo: f64,
        hi: f64,
    ) -> PyResult<Bound<'py, PyArrayDyn<f64>>> {
        let py = coords.py();
        let grid = Grid::new(bins, lo, hi)?;
        let mut operands = casting::sequence(coords, "coords must be a sequence of arrays")?;
        let k = operands.len();
        if !(1..=MAX_COORDS).contains(&k) {
            return Err(PyValueError::new_err(format!(
                "coords must hold 1 to {MAX_COORDS} arrays, got {k}"
            )));
        }
        if !weights.is_none() {
            operands.push(weights.clone());
        }
        let inputs = Inputs::new(py, &operands)?;
        let result = zeros(py, &vec![grid.last_index + 1; k])?;
        // SAFETY: as in _hist1d, a new array that no one else sees yet.
        let counts = unsafe { result.as_slice_mut() }?;
        let mut cells = vec![0; casting::BLOCK.min(inputs.size())];
        inputs.for_each_block(py, |blocks| add_dd(counts, &grid, k, &mut cells, blocks))?;
        Ok(result)
    }
    // ANCHOR_END: histdd
}
// ANCHOR_END: all
