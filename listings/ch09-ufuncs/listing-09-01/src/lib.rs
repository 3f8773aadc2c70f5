// ANCHOR: all
//! `logit` as a real NumPy ufunc: NumPy's "Writing your own ufunc" tutorial,
//! in Rust. NumPy does the broadcasting, casting, `out=`, `where=` and
//! buffering; Rust supplies only the inner loops.
use pyo3::prelude::*;

// ANCHOR: kernel
/// The element kernel, once per float type: `ln(p / (1 - p))`.
trait Logit: Copy {
    fn logit(self) -> Self;
}

impl Logit for f32 {
    fn logit(self) -> f32 {
        (self / (1.0 - self)).ln()
    }
}

impl Logit for f64 {
    fn logit(self) -> f64 {
        (self / (1.0 - self)).ln()
    }
}
// ANCHOR_END: kernel

// ANCHOR: inner_loop
use numpy::npyffi::npy_intp;
use std::ffi::{c_char, c_void};

/// NumPy's inner loop for `T -> T`: `n` elements, each operand at its own
/// byte stride (which may be zero or negative).
///
/// # Safety
///
/// Only NumPy calls it, for a ufunc registered with one input, one output
/// and this loop for `T`. Then `args` and `steps` hold two entries (input,
/// output), `dimensions[0]` is `n`, and for `i < n`, `args[k] + i * steps[k]`
/// is element `i` of operand `k`: memory holding a `T` (NumPy cast or
/// buffered the data if the caller's dtype differs) that NumPy keeps alive
/// and unresized for the call. Input and output may be the same memory
/// (`logit(p, out=p)`), so the loop forms no `&`/`&mut` references. It keeps
/// no state, so any number of threads may run it at once: NumPy releases the
/// GIL around such loops, and a free-threaded CPython has none.
unsafe extern "C" fn logit_loop<T: Logit>(
    args: *mut *mut c_char,
    dimensions: *mut npy_intp,
    steps: *mut npy_intp,
    _data: *mut c_void,
) {
    // SAFETY: two `args`, two `steps` and the count, as `# Safety` says.
    let (n, input, output, in_step, out_step) =
        unsafe { (*dimensions, *args, *args.add(1), *steps, *steps.add(1)) };
    for i in 0..n {
        // SAFETY: i < n: element i of each operand, a `T` (`# Safety`); the
        // unaligned raw accesses assume no alignment and no exclusive access
        // (the input and the output may be the same memory).
        unsafe {
            let p = input.offset(i * in_step).cast::<T>().read_unaligned();
            output
                .offset(i * out_step)
                .cast::<T>()
                .write_unaligned(p.logit());
        }
    }
}
// ANCHOR_END: inner_loop

// ANCHOR: make_ufunc
use numpy::npyffi::{NPY_TYPES, PY_UFUNC_API, PyUFuncGenericFunction};
use std::cell::UnsafeCell;
use std::ffi::c_int;

/// `PyUFunc_None` in NumPy's headers: the ufunc has no identity, so
/// `logit.reduce` over an empty axis is an error, not a made-up value.
const PY_UFUNC_NONE: c_int = -1;

/// A `static` that NumPy's C API may hold a `*mut` pointer to: it lives for
/// the whole process and never moves, and `get` gives the pointer NumPy's
/// signatures ask for. Nothing here writes it after its initialiser.
pub(crate) struct Table<T>(UnsafeCell<T>);

// SAFETY: the contents are constants, written only by the initialiser;
// afterwards NumPy's call machinery only reads them, from whichever thread
// calls the ufunc. (NumPy's `PyUFunc_ReplaceLoopBySignature` would write
// `functions` while other threads may read it: never call it on this ufunc.)
unsafe impl<T> Sync for Table<T> {}

impl<T> Table<T> {
    pub(crate) const fn new(value: T) -> Self {
        Table(UnsafeCell::new(value))
    }
    pub(crate) fn get(&self) -> *mut T {
        self.0.get()
    }
}

// NumPy keeps these three pointers for the life of the ufunc object, and a
// ufunc object can outlive this module (a reference held anywhere): they must
// live for the rest of the process, so they are statics.
static FUNCTIONS: Table<[PyUFuncGenericFunction; 2]> =
    Table::new([Some(logit_loop::<f32>), Some(logit_loop::<f64>)]);
static DATA: Table<[*mut c_void; 2]> = Table::new([std::ptr::null_mut(); 2]);
static TYPES: Table<[c_char; 4]> = Table::new([
    NPY_TYPES::NPY_FLOAT as c_char, // loop 0: float32 -> float32
    NPY_TYPES::NPY_FLOAT as c_char,
    NPY_TYPES::NPY_DOUBLE as c_char, // loop 1: float64 -> float64
    NPY_TYPES::NPY_DOUBLE as c_char,
]);

fn make_logit(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    // The counts below match the arrays; the loops match their types, in
    // order; everything NumPy keeps a pointer to lives for the rest of the
    // process. rust-numpy fetches NumPy's ufunc API table once, thread-safely.
    // SAFETY: valid arrays and counts, statics (see above), and a thread
    // attached to the interpreter (`py`), as NumPy's C API needs.
    let ufunc = unsafe {
        PY_UFUNC_API.PyUFunc_FromFuncAndData(
            py,
            FUNCTIONS.get().cast(),
            DATA.get().cast(),
            TYPES.get().cast(),
            2, // loops
            1, // inputs
            1, // outputs
            PY_UFUNC_NONE,
            c"logit".as_ptr(),
            c"logit(p) = log(p / (1 - p)), elementwise; Rust inner loops for float32 and float64."
                .as_ptr(),
            0,
        )
    };
    // SAFETY: `ufunc` is a new reference (or null with an exception set),
    // returned to this attached thread.
    unsafe { Bound::from_owned_ptr_or_err(py, ufunc) }
}
// ANCHOR_END: make_ufunc

// ANCHOR: module
// gil_used = false: no state of its own; the loops touch only the operands NumPy passes each call.
#[pymodule(gil_used = false)]
mod rlogit {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("logit", super::make_logit(m.py())?)
    }
}
// ANCHOR_END: module
// ANCHOR_END: all
