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
unsafe extern "C" fn logit_loop<T: Logit>(
    args: *mut *mut c_char,
    dimensions: *mut npy_intp,
    steps: *mut npy_intp,
    _data: *mut c_void,
) {
    // SAFETY: NumPy calls a loop of a ufunc with one input and one output
    // with `args` and `steps` pointing to two entries each (input, output)
    // and `dimensions` to at least one, the element count.
    let (n, input, output, in_step, out_step) =
        unsafe { (*dimensions, *args, *args.add(1), *steps, *steps.add(1)) };
    for i in 0..n {
        // SAFETY: for i < n, `args[k] + i * steps[k]` is element i of
        // operand k, inside memory that NumPy keeps alive and does not let
        // anyone resize for the length of this call. NumPy chose this loop
        // because both operands hold `T` (it cast or buffered them if not).
        // The reads and writes are unaligned, so they would be sound even if
        // NumPy handed over unaligned data, and they go through raw pointers,
        // never `&`/`&mut`: NumPy may pass the same memory as input and
        // output (`logit(p, out=p)`), which two references could not alias.
        // No state is shared between calls, so concurrent calls from several
        // threads (NumPy releases the GIL around loops like this one, and a
        // free-threaded CPython has none) touch only their own operands.
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
use std::ffi::c_int;

/// `PyUFunc_None` in NumPy's headers: the ufunc has no identity, so
/// `logit.reduce` over an empty axis is an error, not a made-up value.
const PY_UFUNC_NONE: c_int = -1;

fn make_logit(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    // NumPy keeps these three pointers for the life of the ufunc object, and
    // a ufunc object can outlive this module (a reference held anywhere), so
    // they must live for the rest of the process: leak them. They are
    // written here, before NumPy sees them, and only read afterwards.
    let functions: &'static mut [PyUFuncGenericFunction; 2] =
        Box::leak(Box::new([Some(logit_loop::<f32>), Some(logit_loop::<f64>)]));
    let data: &'static mut [*mut c_void; 2] = Box::leak(Box::new([std::ptr::null_mut(); 2]));
    let types: &'static mut [c_char; 4] = Box::leak(Box::new([
        NPY_TYPES::NPY_FLOAT as c_char, // loop 0: float32 -> float32
        NPY_TYPES::NPY_FLOAT as c_char,
        NPY_TYPES::NPY_DOUBLE as c_char, // loop 1: float64 -> float64
        NPY_TYPES::NPY_DOUBLE as c_char,
    ]));
    // SAFETY: the arrays hold 2 loops, 2 data pointers and 2 × (1 in + 1 out)
    // type numbers, as the counts say; they and the C string literals (name
    // and doc) live for the rest of the process, so NumPy may keep them.
    // The loops match the types they are registered for, in order. The
    // thread is attached to the interpreter (`py`), which NumPy's C API
    // needs; rust-numpy fetches the ufunc API table once, thread-safely.
    let ufunc = unsafe {
        PY_UFUNC_API.PyUFunc_FromFuncAndData(
            py,
            functions.as_mut_ptr(),
            data.as_mut_ptr(),
            types.as_mut_ptr(),
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
