//! An ndimage-style uniform (mean) filter, equal to
//! `scipy.ndimage.uniform_filter(a, size, mode=mode, cval=cval)`.
use std::mem::MaybeUninit;
use std::ops::Range;

use numpy::ndarray::{CowArray, Ix2};
use numpy::prelude::*;
use numpy::{PyArray2, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::{CHECK_EVERY, aligned, standard, try_new};

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
    standard(a.as_array())
}

// ANCHOR: sum_rows
/// Where `sum_rows` may write: a plain `f64`, or a `MaybeUninit<f64>` of an
/// output that NumPy allocated without initialising it.
pub trait Slot {
    fn set(&mut self, v: f64);
}

impl Slot for f64 {
    fn set(&mut self, v: f64) {
        *self = v;
    }
}

impl Slot for MaybeUninit<f64> {
    fn set(&mut self, v: f64) {
        self.write(v);
    }
}

/// `out[j] = (row(0)[j] + row(1)[j] + ... + row(size - 1)[j]) * scale`.
/// Each loop runs over zipped slices, so it has no bounds checks and the
/// compiler vectorises it. For size 3 (the common case) one pass does it
/// all; larger sizes add into a block that stays in the L1 cache, so `out`
/// is still written once.
#[inline(always)]
fn sum_rows_body<'a, O: Slot>(
    size: usize,
    row: impl Fn(usize) -> &'a [f64],
    scale: f64,
    out: &mut [O],
) {
    let n = out.len();
    if size == 3 {
        let (a, b, c) = (&row(0)[..n], &row(1)[..n], &row(2)[..n]);
        for (((o, &a), &b), &c) in out.iter_mut().zip(a).zip(b).zip(c) {
            o.set((a + b + c) * scale);
        }
        return;
    }
    const BLOCK: usize = 256;
    let mut buf = [0.0; BLOCK];
    for (k, o) in out.chunks_mut(BLOCK).enumerate() {
        let cols = k * BLOCK..k * BLOCK + o.len();
        let acc = &mut buf[..o.len()];
        let (a, b, c) = (
            &row(0)[cols.clone()],
            &row(1)[cols.clone()],
            &row(2)[cols.clone()],
        );
        for (((s, &a), &b), &c) in acc.iter_mut().zip(a).zip(b).zip(c) {
            *s = a + b + c;
        }
        for t in (3..size - 2).step_by(2) {
            let (a, b) = (&row(t)[cols.clone()], &row(t + 1)[cols.clone()]);
            for ((s, &a), &b) in acc.iter_mut().zip(a).zip(b) {
                *s += a + b;
            }
        }
        let (a, b) = (&row(size - 2)[cols.clone()], &row(size - 1)[cols]);
        for (((o, &s), &a), &b) in o.iter_mut().zip(&*acc).zip(a).zip(b) {
            o.set((s + a + b) * scale);
        }
    }
}
// ANCHOR_END: sum_rows

// ANCHOR: dispatch
/// `sum_rows_body` compiled a second time, for CPUs with AVX2: the same
/// source, four float64 to an instruction instead of two. No FMA: the body
/// has no multiply-add for the compiler to fuse (Rust never fuses `a * b + c`
/// on its own), so the results stay identical to the baseline's, bit for bit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sum_rows_avx2<'a, O: Slot>(
    size: usize,
    row: impl Fn(usize) -> &'a [f64],
    scale: f64,
    out: &mut [O],
) {
    sum_rows_body(size, row, scale, out)
}

thread_local! {
    /// Set by `baseline` for the calls it makes on this thread.
    static FORCE_BASELINE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with the baseline (SSE2) code on this thread, whatever the CPU
/// has: for tests and benchmarks that compare the two.
pub fn baseline<R>(f: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            FORCE_BASELINE.set(false);
        }
    }
    FORCE_BASELINE.set(true);
    let _reset = Reset;
    f()
}

/// Whether this call may use AVX2: the CPU's answer, which the standard
/// library detects once and caches, unless `baseline` forbids it.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn use_avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && !FORCE_BASELINE.get()
}

/// The dispatcher: one wheel, built for the baseline x86-64 CPU, that runs
/// the AVX2 copy where the CPU has it.
#[inline(always)]
fn sum_rows<'a, O: Slot>(size: usize, row: impl Fn(usize) -> &'a [f64], scale: f64, out: &mut [O]) {
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: `sum_rows_avx2` may use AVX2 instructions, and `use_avx2`
        // has just checked that this CPU executes them. The check holds for
        // the whole process, on every thread.
        return unsafe { sum_rows_avx2(size, row, scale, out) };
    }
    sum_rows_body(size, row, scale, out)
}
// ANCHOR_END: dispatch

// ANCHOR: hsum
/// The horizontal window sums of row `x` (not yet divided) for the columns
/// `cols`: `out[j]` is the sum of the `size` samples around `x[j]`, the row
/// padded by the mode.
pub fn hsum(x: &[f64], size: usize, mode: Mode, cols: Range<usize>, out: &mut [f64]) {
    let w = x.len();
    let r = size / 2;
    // The interior needs no padding: `size` shifted slices of the row.
    let (lo, hi) = (cols.start.max(r), cols.end.min(w.saturating_sub(r)));
    if lo < hi {
        sum_rows(size, |t| &x[lo - r + t..], 1.0, &mut out[lo..hi]);
    }
    // The at most 2r columns near the edges, one sample at a time.
    let sample = |p: usize| match mode.source(p as isize - r as isize, w as isize) {
        Some(s) => x[s],
        None => match mode {
            Mode::Constant(c) => c,
            _ => unreachable!("only the constant mode has no source"),
        },
    };
    let left = cols.start..cols.end.min(r).min(w);
    let right = cols.start.max(r).max(w.saturating_sub(r))..cols.end;
    for j in left.chain(right) {
        let mut s = sample(j);
        for t in 1..size {
            s += sample(j + t);
        }
        out[j] = s;
    }
}
// ANCHOR_END: hsum

// ANCHOR: filter_rows
/// The filter's working memory: a ring of rows of horizontal sums, so that
/// each input row is summed once however many output rows need it.
pub struct Ring {
    /// `slots` rows of `w` horizontal sums, then one row for the constant.
    sums: Vec<f64>,
    /// Which input row each slot holds (`usize::MAX`: none yet).
    held: Vec<usize>,
    slots: usize,
    w: usize,
}

impl Ring {
    pub fn new(h: usize, w: usize, size: usize, mode: Mode) -> Self {
        // Input row `s` lives in slot `s % slots`. The rows one output row
        // needs are `size` consecutive ones, or for the edge rows, rows near
        // the edge (at most `size` of them): never two in the same slot.
        let slots = size.min(h);
        let mut sums = vec![0.0; (slots + 1) * w];
        if let Mode::Constant(c) = mode {
            sums[slots * w..].fill(c * size as f64); // a row outside the array
        }
        let held = vec![usize::MAX; slots];
        Ring {
            sums,
            held,
            slots,
            w,
        }
    }
}

/// Computes the output rows `first..first + out.len() / w` of the filter of
/// `x` (C-contiguous, `h` x `w`, `w > 0`). `ring` comes from `Ring::new` and
/// may be reused for the following rows.
pub fn filter_rows(
    x: &[f64],
    first: usize,
    size: usize,
    mode: Mode,
    ring: &mut Ring,
    out: &mut [MaybeUninit<f64>],
) {
    let w = ring.w;
    let h = x.len() / w;
    let r = size / 2;
    let scale = 1.0 / (size * size) as f64;
    // The slot of each of the `size` rows around the current output row,
    // and the input rows whose sums are not in the ring yet.
    let mut slot_of = vec![0; size];
    let mut missing = Vec::with_capacity(size);
    for (k, row) in out.chunks_exact_mut(w).enumerate() {
        let i = first + k;
        missing.clear();
        for (t, slot) in slot_of.iter_mut().enumerate() {
            *slot = match mode.source((i + t) as isize - r as isize, h as isize) {
                None => ring.slots, // the constant row
                Some(s) => {
                    let q = s % ring.slots;
                    if ring.held[q] != s {
                        ring.held[q] = s;
                        missing.push((s, q));
                    }
                    q
                }
            };
        }
        // Sum the missing rows, all but the last at once. The last one (in
        // the steady state the only one: row i + r) goes block by block,
        // each block followed at once by that block of the output row, so
        // that reading the input and writing the output run side by side.
        let last = missing.pop();
        for &(s, q) in &missing {
            hsum(
                &x[s * w..(s + 1) * w],
                size,
                mode,
                0..w,
                &mut ring.sums[q * w..(q + 1) * w],
            );
        }
        for start in (0..w).step_by(COLS) {
            let cols = start..(start + COLS).min(w);
            if let Some((s, q)) = last {
                hsum(
                    &x[s * w..(s + 1) * w],
                    size,
                    mode,
                    cols.clone(),
                    &mut ring.sums[q * w..(q + 1) * w],
                );
            }
            let sums = &ring.sums;
            let rows = |t: usize| &sums[slot_of[t] * w + cols.start..slot_of[t] * w + cols.end];
            sum_rows(size, rows, scale, &mut row[cols.clone()]);
        }
    }
}

/// Columns per block in `filter_rows`.
const COLS: usize = 128;
// ANCHOR_END: filter_rows

// ANCHOR: uniform_filter
/// What both filters do around the kernel: check the arguments, make the
/// input C-contiguous (a copy only when it is not), let NumPy allocate the
/// output uninitialised, and hand `run` the input, its shape and the
/// output's memory, every element of which `run` must write.
pub fn with_output<'py>(
    py: Python<'py>,
    a: PyReadonlyArray2<'py, f64>,
    size: usize,
    mode: &str,
    cval: f64,
    run: impl FnOnce(&[f64], usize, usize, Mode, &mut [MaybeUninit<f64>]) -> PyResult<()>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let mode = Mode::parse(mode, cval)?;
    let x = prepare(&a, size)?;
    let (h, w) = x.dim();
    // A fresh C-contiguous h x w array that no one else can see yet.
    let out = try_new::<f64, Ix2>(py, &[h, w], false)?;
    if h == 0 || w == 0 {
        return Ok(out);
    }
    // SAFETY: `out.data()` points to h * w contiguous, aligned f64 that only
    // this function can reach; MaybeUninit<f64> has the layout of f64.
    let ys =
        unsafe { std::slice::from_raw_parts_mut(out.data().cast::<MaybeUninit<f64>>(), h * w) };
    let xs = x.as_slice().expect("prepare() made x contiguous");
    run(xs, h, w, mode, ys)?;
    Ok(out)
}

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
    with_output(py, a, size, mode, cval, |xs, h, w, mode, ys| {
        let mut ring = Ring::new(h, w, size, mode);
        // Bands of rows of about CHECK_EVERY additions each (a row costs
        // about `size * w`), with a check for Ctrl-C before each band.
        let band = rows_per_check(w, size);
        for (b, rows) in ys.chunks_mut(band * w).enumerate() {
            py.check_signals()?;
            filter_rows(xs, b * band, size, mode, &mut ring, rows);
        }
        Ok(())
    })
}

/// How many output rows of width `w` make about CHECK_EVERY additions.
pub fn rows_per_check(w: usize, size: usize) -> usize {
    (CHECK_EVERY / w.saturating_mul(size).max(1)).max(1)
}
// ANCHOR_END: uniform_filter

/// _uniform_filter_baseline(a, size=3, mode="reflect", cval=0.0):
/// `uniform_filter` with the baseline x86-64 (SSE2) code whatever the CPU
/// has. Private: for tests and benchmarks that compare the two paths.
#[pyfunction]
#[pyo3(signature = (a, size = 3, mode = "reflect", cval = 0.0))]
pub fn _uniform_filter_baseline<'py>(
    py: Python<'py>,
    a: PyReadonlyArray2<'py, f64>,
    size: usize,
    mode: &str,
    cval: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    baseline(|| uniform_filter(py, a, size, mode, cval))
}
