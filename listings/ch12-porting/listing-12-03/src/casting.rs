// ANCHOR: all
//! The casting reader: several inputs, each of any dtype that NumPy casts
//! to float64 by its "safe" rule, broadcast together and read in blocks of
//! float64, as a buffered `NpyIter` with `op_dtypes` and `NPY_SAFE_CASTING`
//! reads them (listing 12-1). A float64 input is read in place, whatever its
//! strides; one of another numeric dtype is converted a block at a time, in
//! Rust; what Rust cannot read (another byte order, misaligned data,
//! float16) NumPy converts a chunk at a time, as the C's iterator copies a
//! buffer at a time. An input the C refused gets NumPy's own error: the same
//! iterator, asked to start, raises it. Copy this file into your port.
use numpy::ndarray::{ArrayView2, ArrayViewD, ArrayViewMut2, Axis, Zip, s};
use numpy::prelude::*;
use numpy::{Element, PyArrayDyn, PyReadonlyArrayDyn, PyUntypedArray};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PySlice, PyTuple};
use std::ops::Range;

/// Values of one input in a block: 16 KiB of float64.
pub const BLOCK: usize = 2048;
/// Elements read between two checks for Ctrl-C, detached: about a
/// millisecond of work (chapter 8).
const PART: usize = 1 << 20;
/// Elements that NumPy converts at a time, for an input Rust cannot read
/// in place: 512 KiB of float64, which stays in the cache.
const CHUNK: usize = 1 << 16;

// ANCHOR: float64
/// An element type that converts to float64 as NumPy's safe cast does.
pub trait Float64: Element + Copy + Sync {
    fn float64(self) -> f64;
    /// The view itself, when it already holds float64.
    fn as_float64(_: ArrayView2<'_, Self>) -> Option<ArrayView2<'_, f64>> {
        None
    }
}

impl Float64 for f64 {
    fn float64(self) -> f64 {
        self
    }
    fn as_float64(v: ArrayView2<'_, f64>) -> Option<ArrayView2<'_, f64>> {
        Some(v)
    }
}

macro_rules! by_as {
    ($($t:ty),*) => {$(
        impl Float64 for $t {
            /// Exact, or rounded to nearest (int64, uint64), as C's cast.
            fn float64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
by_as!(f32, i64, i32, i16, i8, u64, u32, u16, u8);

impl Float64 for bool {
    fn float64(self) -> f64 {
        f64::from(u8::from(self))
    }
}
// ANCHOR_END: float64

// ANCHOR: typed
/// One input, borrowed in its own dtype, and its 2-D views (one per slab).
macro_rules! typed {
    ($($name:ident: $t:ty),*) => {
        enum Held<'py> { $($name(PyReadonlyArrayDyn<'py, $t>)),* }
        enum Planes<'a> { $($name(Vec<ArrayView2<'a, $t>>)),* }

        impl<'py> Held<'py> {
            /// Whether Rust can read the array in place: one of the types
            /// above, in native byte order, aligned.
            fn readable(a: &Bound<'py, PyUntypedArray>) -> bool {
                let dtype = a.dtype();
                a.is_aligned() && ($(dtype.is_equiv_to(&numpy::dtype::<$t>(a.py())))||*)
            }
            /// The array in its own dtype, borrowed, if Rust can read it in place.
            fn borrow(a: &Bound<'py, PyUntypedArray>) -> PyResult<Option<Held<'py>>> {
                let dtype = a.dtype();
                $(if a.is_aligned() && dtype.is_equiv_to(&numpy::dtype::<$t>(a.py())) {
                    let typed = a.cast::<PyArrayDyn<$t>>()?;
                    return Ok(Some(Held::$name(typed.try_readonly()?)));
                })*
                Ok(None)
            }
            fn strides(&self) -> Vec<isize> {
                match self { $(Held::$name(h) => h.as_array().strides().to_vec()),* }
            }
            fn flat_after(&self, plan: &Plan) -> bool {
                match self { $(Held::$name(h) => plan.apply(h.as_array()).is_standard_layout()),* }
            }
            fn planes(&self, plan: &Plan, flat: bool) -> Planes<'_> {
                match self { $(Held::$name(h) => Planes::$name(plan.planes(h.as_array(), flat))),* }
            }
        }

        impl Planes<'_> {
            /// (slabs, rows, columns).
            fn dim(&self) -> (usize, usize, usize) {
                match self { $(Planes::$name(p) => (p.len(), p[0].nrows(), p[0].ncols())),* }
            }
            fn read<'s>(&'s self, block: &Block, buf: &'s mut Vec<f64>) -> ArrayView2<'s, f64> {
                match self { $(Planes::$name(p) => read(&p[block.slab], block, buf)),* }
            }
        }
    };
}
typed!(F64: f64, F32: f32, I64: i64, I32: i32, I16: i16, I8: i8,
       U64: u64, U32: u32, U16: u16, U8: u8, Bool: bool);
// ANCHOR_END: typed

// ANCHOR: read
/// A block of a 2-D view (some of its rows, some of its columns) as
/// float64: the view's own memory, whatever its strides, when it holds
/// float64; converted into `buf` otherwise.
fn read<'s, T: Float64>(
    v: &'s ArrayView2<'_, T>,
    block: &Block,
    buf: &'s mut Vec<f64>,
) -> ArrayView2<'s, f64> {
    let part = v.slice_move(s![block.rows.clone(), block.cols.clone()]);
    if let Some(same) = T::as_float64(part) {
        return same;
    }
    buf.resize(part.len(), 0.0);
    let buf = &mut buf[..];
    let mut out =
        ArrayViewMut2::from_shape(part.dim(), &mut *buf).expect("a buffer of the block's size");
    Zip::from(&mut out)
        .and(&part)
        .for_each(|o, &x| *o = x.float64());
    ArrayView2::from_shape(part.dim(), &*buf).expect("a buffer of the block's size")
}
// ANCHOR_END: read

// ANCHOR: plan
/// The order in which to walk the broadcast shape: the first input's memory
/// order (its axes by decreasing stride, reversed where the stride is
/// negative), as NpyIter's NPY_KEEPORDER does.
struct Plan {
    order: Vec<usize>,
    invert: Vec<usize>,
}

impl Plan {
    fn new(strides: &[isize]) -> Plan {
        let key = |ax: usize| match strides[ax].unsigned_abs() {
            0 => usize::MAX, // a broadcast axis goes outermost
            s => s,
        };
        let mut order: Vec<usize> = (0..strides.len()).collect();
        order.sort_by_key(|&ax| std::cmp::Reverse(key(ax)));
        let invert = (0..order.len())
            .filter(|&i| strides[order[i]] < 0)
            .collect();
        Plan { order, invert }
    }

    fn apply<'a, T>(&self, v: ArrayViewD<'a, T>) -> ArrayViewD<'a, T> {
        let mut v = v.permuted_axes(self.order.clone());
        for &ax in &self.invert {
            v.invert_axis(Axis(ax));
        }
        v
    }

    /// The view as 2-D slabs: one row of everything when `flat` (every input
    /// is contiguous in this order), else its last two axes per slab.
    fn planes<'a, T>(&self, v: ArrayViewD<'a, T>, flat: bool) -> Vec<ArrayView2<'a, T>> {
        let v = self.apply(v);
        let mut out = Vec::new();
        if flat {
            let n = v.len();
            out.push(v.into_shape_with_order((1, n)).expect("a contiguous view"));
        } else {
            slabs(v, &mut out);
        }
        out
    }
}

fn slabs<'a, T>(v: ArrayViewD<'a, T>, out: &mut Vec<ArrayView2<'a, T>>) {
    match v.ndim() {
        0 => slabs(v.insert_axis(Axis(0)), out),
        1 => slabs(v.insert_axis(Axis(0)), out),
        2 => out.push(v.into_dimensionality().expect("two axes")),
        _ => v.into_outer_iter().for_each(|sub| slabs(sub, out)),
    }
}
// ANCHOR_END: plan

static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static CAN_CAST: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static BROADCAST_TO: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static NDITER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

// ANCHOR: inputs
/// The inputs of one call, broadcast together, ready to be read in blocks of
/// float64.
pub struct Inputs<'py> {
    /// Each operand at the broadcast shape, and whether NumPy converts it
    /// first (a chunk at a time).
    arrays: Vec<(Bound<'py, PyUntypedArray>, bool)>,
    shape: Vec<usize>,
}

impl<'py> Inputs<'py> {
    /// Each operand as `np.asarray` makes it (the C's PyArray_FROM_O), checked
    /// against NumPy's safe rule and broadcast with the others.
    pub fn new(py: Python<'py>, operands: &[Bound<'py, PyAny>]) -> PyResult<Inputs<'py>> {
        let asarray = ASARRAY.import(py, "numpy", "asarray")?;
        let arrays = operands
            .iter()
            .map(|ob| match ob.cast::<PyUntypedArray>() {
                Ok(a) => Ok(a.clone()),
                Err(_) => Ok(asarray.call1((ob,))?.cast_into::<PyUntypedArray>()?),
            })
            .collect::<PyResult<Vec<_>>>()?;
        let mut copy = Vec::with_capacity(arrays.len());
        for a in &arrays {
            let in_place = Held::readable(a);
            if !in_place && !safe_to_float64(a)? {
                return Err(numpy_error(py, &arrays));
            }
            copy.push(!in_place);
        }
        let shapes: Vec<&[usize]> = arrays.iter().map(|a| a.shape()).collect();
        let Some(shape) = broadcast(&shapes) else {
            return Err(numpy_error(py, &arrays));
        };
        let mut out = Vec::with_capacity(arrays.len());
        for (a, copy) in arrays.into_iter().zip(copy) {
            let a = if a.shape() == shape.as_slice() {
                a
            } else {
                let to = BROADCAST_TO.import(py, "numpy", "broadcast_to")?;
                to.call1((a, PyTuple::new(py, &shape)?))?.cast_into()?
            };
            out.push((a, copy));
        }
        Ok(Inputs { arrays: out, shape })
    }

    /// How many elements each input has, broadcast.
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    /// Call `kernel` with one block of every input at a time. An input that
    /// NumPy must convert (another byte order, misaligned, float16) is
    /// converted a chunk of rows at a time, as the C's buffered iterator
    /// copies a buffer at a time: a whole copy would double the memory.
    pub fn for_each_block(
        &self,
        py: Python<'py>,
        mut kernel: impl FnMut(&[ArrayView2<'_, f64>]) + Send,
    ) -> PyResult<()> {
        let size = self.size();
        if size == 0 || self.arrays.is_empty() {
            return Ok(());
        }
        let chunked = self
            .shape
            .first()
            .filter(|_| self.arrays.iter().any(|(_, copy)| *copy));
        let rows = chunked.map_or(1, |&n| (CHUNK / (size / n)).max(1));
        let mut start = 0;
        loop {
            let mut held = Vec::with_capacity(self.arrays.len());
            for (a, copy) in &self.arrays {
                let mut a = a.clone().into_any();
                if let Some(&n) = chunked {
                    a = a.get_item(PySlice::new(
                        py,
                        start as isize,
                        (start + rows).min(n) as isize,
                        1,
                    ))?;
                }
                if *copy {
                    a = a.call_method1("astype", ("float64",))?;
                }
                held.push(Held::borrow(a.cast::<PyUntypedArray>()?)?.expect("a readable array"));
            }
            walk(py, &held, &mut kernel)?;
            start += rows;
            if chunked.is_none_or(|&n| start >= n) {
                return Ok(());
            }
        }
    }
}

/// The walk itself: `kernel` on one block of every input at a time, in the
/// first input's memory order, detached from Python in parts of about PART
/// elements, checking for Ctrl-C between them.
fn walk(
    py: Python<'_>,
    held: &[Held<'_>],
    kernel: &mut (impl FnMut(&[ArrayView2<'_, f64>]) + Send),
) -> PyResult<()> {
    let plan = Plan::new(&held[0].strides());
    let flat = held.iter().all(|h| h.flat_after(&plan));
    let planes: Vec<Planes<'_>> = held.iter().map(|h| h.planes(&plan, flat)).collect();
    // Every input has the same slabs, each of `rows` x `cols`.
    let (slabs, rows, cols) = planes[0].dim();
    let mut bufs = vec![Vec::new(); planes.len()];
    let mut part = |first: Block| {
        let mut done = 0;
        let mut next = Some(first);
        while let Some(block) = next.take_if(|_| done < PART) {
            let views: Vec<ArrayView2<'_, f64>> = planes
                .iter()
                .zip(bufs.iter_mut())
                .map(|(p, buf)| p.read(&block, buf))
                .collect();
            kernel(&views);
            done += block.rows.len() * block.cols.len();
            next = block.next(slabs, rows, cols);
        }
        next
    };
    let before = Block {
        slab: 0,
        rows: 0..0,
        cols: 0..0,
    };
    let mut blocks = before.next(slabs, rows, cols);
    if slabs * rows * cols < BLOCK {
        // Too little work to pay for detaching (the C's threshold is 500).
        blocks = blocks.and_then(&mut part);
    }
    while let Some(block) = blocks.take() {
        py.check_signals()?;
        blocks = py.detach(|| part(block));
    }
    Ok(())
}

/// A block of a slab: some rows, all columns, when rows are short; a part
/// of one row when rows are long. At most BLOCK elements either way.
#[derive(Clone)]
pub struct Block {
    slab: usize,
    rows: Range<usize>,
    cols: Range<usize>,
}

impl Block {
    /// The block after this one, in `slabs` slabs of `rows` x `cols`.
    fn next(&self, slabs: usize, rows: usize, cols: usize) -> Option<Block> {
        let (mut slab, mut row, mut col) = (self.slab, self.rows.end, self.cols.end);
        if cols >= BLOCK && col < cols && !self.rows.is_empty() {
            row = self.rows.start; // the rest of a long row
        } else {
            col = 0;
        }
        if row >= rows {
            (slab, row) = (slab + 1, 0);
        }
        if slab >= slabs {
            return None;
        }
        Some(if cols >= BLOCK {
            Block {
                slab,
                rows: row..row + 1,
                cols: col..(col + BLOCK).min(cols),
            }
        } else {
            Block {
                slab,
                rows: row..(row + BLOCK / cols).min(rows),
                cols: 0..cols,
            }
        })
    }
}
// ANCHOR_END: inputs

/// `np.can_cast(a.dtype, np.float64, "safe")`.
fn safe_to_float64(a: &Bound<'_, PyUntypedArray>) -> PyResult<bool> {
    let can_cast = CAN_CAST.import(a.py(), "numpy", "can_cast")?;
    can_cast.call1((a.dtype(), "float64", "safe"))?.extract()
}

// ANCHOR: numpy_error
/// NumPy's own error for operands the C's iterator refuses: the same
/// iterator, `np.nditer` with the C's flags, raises it.
fn numpy_error(py: Python<'_>, arrays: &[Bound<'_, PyUntypedArray>]) -> PyErr {
    let attempt = || -> PyResult<PyErr> {
        let nditer = NDITER.import(py, "numpy", "nditer")?;
        let n = arrays.len();
        let kwargs = PyDict::new(py);
        let flags = [
            "external_loop",
            "buffered",
            "grow_inner",
            "zerosize_ok",
            "refs_ok",
        ];
        kwargs.set_item("flags", PyList::new(py, flags)?)?;
        kwargs.set_item("op_flags", vec![vec!["readonly", "aligned", "nbo"]; n])?;
        kwargs.set_item("op_dtypes", vec!["float64"; n])?;
        kwargs.set_item("casting", "safe")?;
        match nditer.call((PyList::new(py, arrays)?,), Some(&kwargs)) {
            Err(e) => Ok(e),
            Ok(_) => Ok(PyTypeError::new_err(
                "operands refused, but NumPy's iterator takes them",
            )),
        }
    };
    attempt().unwrap_or_else(|e| e)
}
// ANCHOR_END: numpy_error

/// The shape that all `shapes` broadcast to, by NumPy's rule, or None.
fn broadcast(shapes: &[&[usize]]) -> Option<Vec<usize>> {
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1; ndim];
    for s in shapes {
        for (o, &d) in out[ndim - s.len()..].iter_mut().zip(s.iter()) {
            match (*o, d) {
                (a, b) if a == b || b == 1 => {}
                (1, b) => *o = b,
                _ => return None,
            }
        }
    }
    Some(out)
}

/// The items of `ob` as CPython's PySequence_Fast gives them (any iterable),
/// with `message` as the TypeError for anything else.
pub fn sequence<'py>(ob: &Bound<'py, PyAny>, message: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    match ob.try_iter() {
        Ok(items) => items.collect(),
        Err(e) if e.is_instance_of::<PyTypeError>(ob.py()) => {
            Err(PyTypeError::new_err(message.to_owned()))
        }
        Err(e) => Err(e),
    }
}
// ANCHOR_END: all
