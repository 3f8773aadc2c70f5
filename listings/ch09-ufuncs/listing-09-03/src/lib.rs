// ANCHOR: all
//! A generalized ufunc: `dot(a, b)` with the signature `(n),(n)->()`.
//! NumPy loops over every dimension but the last (broadcasting them), and
//! hands the inner loop one pair of length-n vectors per step.
use numpy::npyffi::{NPY_TYPES, PY_UFUNC_API, PyUFuncGenericFunction, npy_intp};
use pyo3::prelude::*;
use std::cell::UnsafeCell;
use std::ffi::{c_char, c_int, c_void};
use std::ops::{Add, Mul};

// ANCHOR: inner_loop
/// The element types the gufunc has loops for.
trait Float: Copy + Add<Output = Self> + Mul<Output = Self> {
    const ZERO: Self;
}
impl Float for f32 {
    const ZERO: f32 = 0.0;
}
impl Float for f64 {
    const ZERO: f64 = 0.0;
}

/// One call handles `dimensions[0]` pairs; each pair is two vectors of
/// `dimensions[1]` elements. `steps[0..3]` step from pair to pair (a, b,
/// out), `steps[3]` and `steps[4]` from element to element within a and b.
///
/// # Safety
///
/// Only NumPy calls it, for a gufunc `(n),(n)->()` registered with this loop
/// for `T`: then the pointers and steps above address `T`s that NumPy keeps
/// alive for the call. The loop forms no references and keeps no state.
unsafe extern "C" fn dot_loop<T: Float>(
    args: *mut *mut c_char,
    dimensions: *mut npy_intp,
    steps: *mut npy_intp,
    _data: *mut c_void,
) {
    // SAFETY: 3 operand pointers, 2 dimensions and 5 steps (`# Safety`).
    let (pairs, n, [a, b, out], [sa, sb, so, ea, eb]) = unsafe {
        (
            *dimensions,
            *dimensions.add(1),
            [*args, *args.add(1), *args.add(2)],
            [0, 1, 2, 3, 4].map(|i| *steps.add(i)),
        )
    };
    for i in 0..pairs {
        let mut acc = T::ZERO;
        for j in 0..n {
            // SAFETY: i < pairs, j < n: element j of pair i of each input, a
            // `T` (`# Safety`), read unaligned through a raw pointer.
            acc = acc
                + unsafe {
                    a.offset(i * sa + j * ea).cast::<T>().read_unaligned()
                        * b.offset(i * sb + j * eb).cast::<T>().read_unaligned()
                };
        }
        // SAFETY: i < pairs: element i of the output, a `T` (`# Safety`).
        unsafe { out.offset(i * so).cast::<T>().write_unaligned(acc) };
    }
}
// ANCHOR_END: inner_loop

// ANCHOR: make_gufunc
/// A `static` that NumPy may hold a `*mut` pointer to, as in listing 9-1.
struct Table<T>(UnsafeCell<T>);

// SAFETY: constants, written only by the initialiser; NumPy's call machinery
// only reads them (never call `PyUFunc_ReplaceLoopBySignature` on this gufunc).
unsafe impl<T> Sync for Table<T> {}

impl<T> Table<T> {
    const fn new(value: T) -> Self {
        Table(UnsafeCell::new(value))
    }
    fn get(&self) -> *mut T {
        self.0.get()
    }
}

// Statics, as in listing 9-1: NumPy keeps the pointers for the life of the
// ufunc, which may outlive the module.
const F: c_char = NPY_TYPES::NPY_FLOAT as c_char;
const D: c_char = NPY_TYPES::NPY_DOUBLE as c_char;
static FUNCTIONS: Table<[PyUFuncGenericFunction; 2]> =
    Table::new([Some(dot_loop::<f32>), Some(dot_loop::<f64>)]);
static DATA: Table<[*mut c_void; 2]> = Table::new([std::ptr::null_mut(); 2]);
static TYPES: Table<[c_char; 6]> = Table::new([F, F, F, D, D, D]);

fn make_dot(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    // 2 loops, 2 data pointers, 2 × (2 in + 1 out) type numbers, as the
    // counts say; each loop matches its types and the signature.
    // SAFETY: valid arrays and counts, statics (and C string literals), and
    // a thread attached to the interpreter (`py`).
    let ufunc = unsafe {
        PY_UFUNC_API.PyUFunc_FromFuncAndDataAndSignature(
            py,
            FUNCTIONS.get().cast(),
            DATA.get().cast(),
            TYPES.get().cast(),
            2,           // loops
            2,           // inputs
            1,           // outputs
            -1 as c_int, // PyUFunc_None: no identity
            c"dot".as_ptr(),
            c"dot(a, b): the dot product over the last axis, broadcast over the others.".as_ptr(),
            0,
            c"(n),(n)->()".as_ptr(),
        )
    };
    // SAFETY: a new reference, or null with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, ufunc) }
}
// ANCHOR_END: make_gufunc

// gil_used = false: no state of its own; the loop touches only the operands NumPy passes each call.
#[pymodule(gil_used = false)]
mod rgufunc {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("dot", super::make_dot(m.py())?)
    }
}
// ANCHOR_END: all
