use pyo3::prelude::*;

// gil_used = false: no state of its own; inputs are copied out of rust-numpy's borrows, and results are new arrays.
#[pymodule(gil_used = false)]
mod greatcircle {
    use numpy::ndarray::Array2;
    use numpy::prelude::*;
    use numpy::{PyArray2, PyReadonlyArray1};
    use pyo3::exceptions::{PyMemoryError, PyValueError};
    use pyo3::prelude::*;
    use rayon::prelude::*;
    use std::f32::consts::FRAC_PI_2;
    use std::mem::MaybeUninit;

    /// The mean radius of the Earth, in kilometres.
    const R_KM: f32 = 6371.0;
    /// Elements between two checks for Ctrl-C.
    const BLOCK: usize = 1 << 16;

    /// A `Vec` of `len` zeros, or MemoryError if it cannot be allocated.
    fn try_zeros(len: usize, what: &str) -> PyResult<Vec<f32>> {
        let mut v = Vec::new();
        v.try_reserve_exact(len)
            .map_err(|_| PyMemoryError::new_err(format!("cannot allocate {what}")))?;
        v.resize(len, 0.0);
        Ok(v)
    }

    /// One set of points, checked and copied: (latitudes, longitudes).
    fn points(
        lat: &PyReadonlyArray1<'_, f32>,
        lon: &PyReadonlyArray1<'_, f32>,
        names: [&str; 2],
    ) -> PyResult<(Vec<f32>, Vec<f32>)> {
        if lat.len() != lon.len() {
            return Err(PyValueError::new_err(format!(
                "{} and {} must have the same length, got {} and {}",
                names[0],
                names[1],
                lat.len(),
                lon.len()
            )));
        }
        let mut out = Vec::new();
        for (a, name) in [lat, lon].into_iter().zip(names) {
            if !a.is_aligned() {
                return Err(PyValueError::new_err(format!(
                    "{name}: array data is not aligned for float32"
                )));
            }
            let mut v = try_zeros(a.len(), &format!("a copy of {name}"))?;
            for (v, &x) in v.iter_mut().zip(a.as_array().iter()) {
                *v = x;
            }
            out.push(v);
        }
        let lon = out.pop().expect("two arrays");
        Ok((out.pop().expect("two arrays"), lon))
    }

    /// Room for the (n, m) output, not yet written (as NumPy's own results
    /// start), or MemoryError.
    fn output(n: usize, m: usize) -> PyResult<Vec<f32>> {
        let what = format!("cannot allocate {n} x {m} float32 distances");
        let len = n
            .checked_mul(m)
            .ok_or_else(|| PyMemoryError::new_err(what.clone()))?;
        let mut v = Vec::new();
        v.try_reserve_exact(len)
            .map_err(|_| PyMemoryError::new_err(what))?;
        Ok(v)
    }

    // ANCHOR: blocks
    /// Calls `f(i, j0, block)` on every row `i` of the output (rows of `m`),
    /// in blocks of at most BLOCK columns starting at `j0`, and checks for
    /// Ctrl-C every BLOCK elements or so; then gives `out` its length.
    ///
    /// # Safety
    ///
    /// `f` must initialise every element of each `block` it is given: once
    /// the loops end, `out`'s length covers them all.
    unsafe fn for_each_block(
        py: Python<'_>,
        out: &mut Vec<f32>,
        (n, m): (usize, usize),
        mut f: impl FnMut(usize, usize, &mut [MaybeUninit<f32>]),
    ) -> PyResult<()> {
        let len = n * m; // `output` checked that it fits
        let mut since = 0;
        let spare = &mut out.spare_capacity_mut()[..len];
        for (i, row) in spare.chunks_mut(m.max(1)).enumerate() {
            for (b, block) in row.chunks_mut(BLOCK).enumerate() {
                f(i, b * BLOCK, block);
                since += block.len();
                if since >= BLOCK {
                    since = 0;
                    py.check_signals()?;
                }
            }
        }
        // SAFETY: the loops gave each of the first `len` spare elements to `f`,
        // which wrote it (the caller's promise, "# Safety"); on an early return
        // (Ctrl-C) the length stays 0 and nothing unwritten is ever read.
        unsafe { out.set_len(len) };
        Ok(())
    }
    // ANCHOR_END: blocks

    fn to_pyarray(py: Python<'_>, n: usize, m: usize, v: Vec<f32>) -> Bound<'_, PyArray2<f32>> {
        Array2::from_shape_vec((n, m), v)
            .expect("n * m elements")
            .into_pyarray(py)
    }

    // ANCHOR: port
    /// distance_port(lat1, lon1, lat2, lon2) -> float32[n, m]: the distance
    /// in km from each point 1 to each point 2, given in degrees. A straight
    /// port of the NumPy expression, element by element.
    #[pyfunction]
    fn distance_port<'py>(
        py: Python<'py>,
        lat1: PyReadonlyArray1<'py, f32>,
        lon1: PyReadonlyArray1<'py, f32>,
        lat2: PyReadonlyArray1<'py, f32>,
        lon2: PyReadonlyArray1<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let (n, m) = (lat1.len(), lat2.len());
        let mut out = output(n, m)?;
        let (lat1, lon1) = points(&lat1, &lon1, ["lat1", "lon1"])?;
        let (lat2, lon2) = points(&lat2, &lon2, ["lat2", "lon2"])?;
        // SAFETY: the closure writes every element of its block: a block of
        // row `i` starts at column `j0` and ends by column `m`, so the zip with
        // `lat2[j0..]` and `lon2[j0..]` (`m - j0` points each) covers all of it.
        unsafe {
            for_each_block(py, &mut out, (n, m), |i, j0, block| {
                let (p1, l1) = (lat1[i].to_radians(), lon1[i].to_radians());
                for (d, (&lat, &lon)) in block.iter_mut().zip(lat2[j0..].iter().zip(&lon2[j0..])) {
                    let (p2, l2) = (lat.to_radians(), lon.to_radians());
                    let h = ((p2 - p1) / 2.0).sin().powi(2)
                        + p1.cos() * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
                    d.write(2.0 * R_KM * h.sqrt().asin());
                }
            })
        }?;
        Ok(to_pyarray(py, n, m, out))
    }
    // ANCHOR_END: port

    // ANCHOR: trig
    /// What the inner loop needs of each point, computed once per point:
    /// sin and cos of half the latitude and half the longitude, and cos of
    /// the latitude (in float64, rounded once to float32).
    struct Trig {
        sp: Vec<f32>,
        cp: Vec<f32>,
        sl: Vec<f32>,
        cl: Vec<f32>,
        cos_lat: Vec<f32>,
    }

    fn trig(py: Python<'_>, lat: &[f32], lon: &[f32]) -> PyResult<Trig> {
        let n = lat.len();
        let what = "the points' sines and cosines";
        let mut t = Trig {
            sp: try_zeros(n, what)?,
            cp: try_zeros(n, what)?,
            sl: try_zeros(n, what)?,
            cl: try_zeros(n, what)?,
            cos_lat: try_zeros(n, what)?,
        };
        for k in 0..n {
            let (p, l) = (
                f64::from(lat[k]).to_radians(),
                f64::from(lon[k]).to_radians(),
            );
            let ((sp, cp), (sl, cl)) = ((p / 2.0).sin_cos(), (l / 2.0).sin_cos());
            (t.sp[k], t.cp[k], t.sl[k], t.cl[k]) = (sp as f32, cp as f32, sl as f32, cl as f32);
            t.cos_lat[k] = p.cos() as f32;
            if k % BLOCK == BLOCK - 1 {
                py.check_signals()?;
            }
        }
        Ok(t)
    }
    // ANCHOR_END: trig

    // ANCHOR: hoisted
    /// One block of a row: point `i` of `t1` against points `j0..` of `t2`.
    /// sin((b - a) / 2) = sin(b/2) cos(a/2) - cos(b/2) sin(a/2), so no sine
    /// or cosine is left in the loop; `asin` is the function to call. Writes
    /// every element of `out`.
    #[inline(always)]
    fn row(
        t1: &Trig,
        i: usize,
        t2: &Trig,
        j0: usize,
        out: &mut [MaybeUninit<f32>],
        asin: impl Fn(f32) -> f32,
    ) {
        let (sp1, cp1, sl1, cl1, c1) = (t1.sp[i], t1.cp[i], t1.sl[i], t1.cl[i], t1.cos_lat[i]);
        let j1 = j0 + out.len();
        let (sp2, cp2) = (&t2.sp[j0..j1], &t2.cp[j0..j1]);
        let (sl2, cl2, c2) = (&t2.sl[j0..j1], &t2.cl[j0..j1], &t2.cos_lat[j0..j1]);
        for j in 0..out.len() {
            let a = sp2[j] * cp1 - cp2[j] * sp1; // sin((p2 - p1) / 2)
            let b = sl2[j] * cl1 - cl2[j] * sl1; // sin((l2 - l1) / 2)
            let h = a * a + c1 * c2[j] * (b * b);
            // Rounding can take h just past 1 for opposite points; NaN stays NaN.
            let h = if h > 1.0 { 1.0 } else { h };
            out[j].write(2.0 * R_KM * asin(h.sqrt()));
        }
    }

    /// distance_hoisted(lat1, lon1, lat2, lon2) -> float32[n, m]: as
    /// distance_port, with every sine and cosine computed once per point.
    #[pyfunction]
    fn distance_hoisted<'py>(
        py: Python<'py>,
        lat1: PyReadonlyArray1<'py, f32>,
        lon1: PyReadonlyArray1<'py, f32>,
        lat2: PyReadonlyArray1<'py, f32>,
        lon2: PyReadonlyArray1<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let (n, m) = (lat1.len(), lat2.len());
        let mut out = output(n, m)?;
        let (lat1, lon1) = points(&lat1, &lon1, ["lat1", "lon1"])?;
        let (lat2, lon2) = points(&lat2, &lon2, ["lat2", "lon2"])?;
        let (t1, t2) = (trig(py, &lat1, &lon1)?, trig(py, &lat2, &lon2)?);
        // SAFETY: `row` writes every element of the block it is given.
        unsafe {
            for_each_block(py, &mut out, (n, m), |i, j0, block| {
                row(&t1, i, &t2, j0, block, f32::asin)
            })
        }?;
        Ok(to_pyarray(py, n, m, out))
    }
    // ANCHOR_END: hoisted

    // ANCHOR: asin
    /// asin(x) for 0 <= x <= 1 (NaN for NaN), without a branch or a call,
    /// so that a loop of it vectorises: Cephes's `asinf` polynomial, with
    /// asin(x) = pi/2 - 2 asin(sqrt((1 - x) / 2)) above 0.5.
    #[inline(always)]
    fn asin_poly(x: f32) -> f32 {
        let big = x > 0.5;
        let z = if big { 0.5 * (1.0 - x) } else { x * x };
        let r = if big { z.sqrt() } else { x };
        let p = (((4.216_32e-2 * z + 2.418_131_2e-2) * z + 4.547_002_5e-2) * z + 7.495_300_5e-2)
            * z
            + 1.666_675_2e-1;
        let s = p * z * r + r;
        if big { FRAC_PI_2 - 2.0 * s } else { s }
    }

    /// distance_simd(lat1, lon1, lat2, lon2) -> float32[n, m]: as
    /// distance_hoisted, with an asin the compiler can vectorise.
    #[pyfunction]
    fn distance_simd<'py>(
        py: Python<'py>,
        lat1: PyReadonlyArray1<'py, f32>,
        lon1: PyReadonlyArray1<'py, f32>,
        lat2: PyReadonlyArray1<'py, f32>,
        lon2: PyReadonlyArray1<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let (n, m) = (lat1.len(), lat2.len());
        let mut out = output(n, m)?;
        let (lat1, lon1) = points(&lat1, &lon1, ["lat1", "lon1"])?;
        let (lat2, lon2) = points(&lat2, &lon2, ["lat2", "lon2"])?;
        let (t1, t2) = (trig(py, &lat1, &lon1)?, trig(py, &lat2, &lon2)?);
        // SAFETY: `row` writes every element of the block it is given.
        unsafe {
            for_each_block(py, &mut out, (n, m), |i, j0, block| {
                row(&t1, i, &t2, j0, block, asin_poly)
            })
        }?;
        Ok(to_pyarray(py, n, m, out))
    }
    // ANCHOR_END: asin

    // ANCHOR: par
    /// distance_par(lat1, lon1, lat2, lon2) -> float32[n, m]: distance_simd
    /// on all cores, one rayon task per row, with the GIL released.
    #[pyfunction]
    fn distance_par<'py>(
        py: Python<'py>,
        lat1: PyReadonlyArray1<'py, f32>,
        lon1: PyReadonlyArray1<'py, f32>,
        lat2: PyReadonlyArray1<'py, f32>,
        lon2: PyReadonlyArray1<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let (n, m) = (lat1.len(), lat2.len());
        if n.saturating_mul(m) < 4 * BLOCK {
            // Too small to share out: threads would cost more than they save.
            return distance_simd(py, lat1, lon1, lat2, lon2);
        }
        let mut out = output(n, m)?;
        let (lat1, lon1) = points(&lat1, &lon1, ["lat1", "lon1"])?;
        let (lat2, lon2) = points(&lat2, &lon2, ["lat2", "lon2"])?;
        let (t1, t2) = (trig(py, &lat1, &lon1)?, trig(py, &lat2, &lon2)?);
        // Groups of rows, about BLOCK elements per thread each; between two
        // groups the thread attaches again to check for Ctrl-C.
        let rows = (BLOCK * rayon::current_num_threads()).div_ceil(m).max(1);
        let len = n * m;
        let spare = &mut out.spare_capacity_mut()[..len];
        py.detach(|| {
            for (g, group) in spare.chunks_mut(rows * m).enumerate() {
                group.par_chunks_mut(m).enumerate().for_each(|(k, r)| {
                    for (b, block) in r.chunks_mut(BLOCK).enumerate() {
                        row(&t1, g * rows + k, &t2, b * BLOCK, block, asin_poly);
                    }
                });
                Python::attach(|py| py.check_signals())?;
            }
            PyResult::Ok(())
        })?;
        // SAFETY: the groups cover the first `len` elements of the spare
        // capacity, and `row` wrote every element of each block of each row.
        unsafe { out.set_len(len) };
        Ok(to_pyarray(py, n, m, out))
    }
    // ANCHOR_END: par
}
