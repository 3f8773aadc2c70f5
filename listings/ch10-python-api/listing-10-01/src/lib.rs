// ANCHOR: all
//! Listing 10-1: what users pass you. Array-likes converted or refused, Python
//! scalars and 0-d arrays, one kernel dispatched over NumPy's dtypes, and two
//! inputs broadcast against each other.
use numpy::ndarray::{Dimension, Zip};
use numpy::prelude::*;
use numpy::{
    AllowTypeChange, Complex32, Complex64, Element, PyArray, PyArray1, PyArrayDyn, PyArrayLike1,
    PyArrayLikeDyn, PyUntypedArray, TypeMustMatch, npyffi,
};
use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;

/// Refuse data that is not aligned for its dtype: a Rust view of it would be
/// undefined behaviour (chapter 5 explains).
fn aligned<T: Element, D: Dimension>(a: &Bound<'_, PyArray<T, D>>) -> PyResult<()> {
    if a.is_aligned() {
        Ok(())
    } else {
        Err(PyValueError::new_err(
            "array data is not aligned for its dtype: pass a.copy()",
        ))
    }
}

/// A new zeroed C-ordered array, or NumPy's `MemoryError` (chapter 5's
/// `try_new`, zeroed only).
fn try_zeros<'py, T: Element>(
    py: Python<'py>,
    shape: &[usize],
) -> PyResult<Bound<'py, PyArrayDyn<T>>> {
    let mut dims = shape
        .iter()
        .map(|&d| npyffi::npy_intp::try_from(d))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| {
            PyMemoryError::new_err(format!("cannot allocate an array of shape {shape:?}"))
        })?;
    let nd = dims.len() as std::ffi::c_int;
    // The call steals this reference to the dtype.
    let descr = T::get_dtype(py).into_dtype_ptr();
    // SAFETY: `py` proves this thread is attached to the interpreter, as
    // NumPy's C API requires with or without a GIL; `dims` holds `nd` sizes
    // and `descr` is a new reference that the call takes over.
    let ptr = unsafe { npyffi::PY_ARRAY_API.PyArray_Zeros(py, nd, dims.as_mut_ptr(), descr, 0) };
    // SAFETY: `ptr` is a new reference, or null with NumPy's exception set.
    let array = unsafe { Bound::from_owned_ptr_or_err(py, ptr) }?;
    Ok(array.cast_into::<PyArrayDyn<T>>()?)
}

// ANCHOR: as_array
/// numpy.asarray, looked up once per interpreter.
static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `ob` itself if it is an ndarray, else `np.asarray(ob)`: a list, a tuple or
/// a Python scalar becomes an array of the dtype NumPy chooses for it.
fn as_array<'py>(ob: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyUntypedArray>> {
    if let Ok(array) = ob.cast::<PyUntypedArray>() {
        return Ok(array.clone());
    }
    if ob.is_none() {
        return Err(PyTypeError::new_err("expected an array-like, got None"));
    }
    let asarray = ASARRAY.import(ob.py(), "numpy", "asarray")?;
    Ok(asarray.call1((ob,))?.cast_into::<PyUntypedArray>()?)
}
// ANCHOR_END: as_array

// ANCHOR: arraylike
/// The float64 array that Rust reads when you pass `a`: NumPy converts
/// whatever it can (ints, float32, lists, tuples), copying if it must.
#[pyfunction]
fn as_float64<'py>(a: PyArrayLike1<'py, f64, AllowTypeChange>) -> Bound<'py, PyArray1<f64>> {
    (**a).clone()
}

/// The same, but an ndarray must already be float64; a list is still
/// converted (its items must be numbers).
#[pyfunction]
fn as_float64_strict<'py>(a: PyArrayLike1<'py, f64, TypeMustMatch>) -> Bound<'py, PyArray1<f64>> {
    (**a).clone()
}
// ANCHOR_END: arraylike

// ANCHOR: real_numbers
/// `ob` as a float64 array, if NumPy reads it as real numbers: bool, int,
/// uint or float. `AllowTypeChange` alone would also take None (as NaN),
/// strings (parsed) and complex numbers (imaginary part dropped).
fn real_numbers<'py>(
    ob: &Bound<'py, PyAny>,
) -> PyResult<PyArrayLikeDyn<'py, f64, AllowTypeChange>> {
    let array = as_array(ob)?;
    let dtype = array.dtype();
    if !matches!(dtype.kind(), b'b' | b'i' | b'u' | b'f') {
        return Err(PyTypeError::new_err(format!(
            "expected real numbers, got {} (dtype {dtype})",
            ob.get_type().name()?
        )));
    }
    array.extract()
}
// ANCHOR_END: real_numbers

// ANCHOR: broadcast
/// A shape as Python writes it: `(2, 3)`, `(2,)`, `()`.
fn tuple(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The shape that `a` and `b` broadcast to, by NumPy's rule: align the shapes
/// on the right; each pair of sizes must be equal, or one of them 1.
fn broadcast_shape(a: &[usize], b: &[usize]) -> PyResult<Vec<usize>> {
    let n = a.len().max(b.len());
    let at = |s: &[usize], i: usize| {
        if i + s.len() >= n {
            s[i + s.len() - n]
        } else {
            1
        }
    };
    (0..n)
        .map(|i| match (at(a, i), at(b, i)) {
            (x, y) if x == y || y == 1 => Ok(x),
            (1, y) => Ok(y),
            _ => Err(PyValueError::new_err(format!(
                "operands could not be broadcast together with shapes {} {}",
                tuple(a),
                tuple(b)
            ))),
        })
        .collect()
}

/// hypot(a, b, /) -> sqrt(a**2 + b**2), elementwise, for anything NumPy can
/// turn into float64 arrays of shapes that broadcast. Two scalars (or 0-d
/// arrays) give a NumPy scalar, as `np.hypot` does.
#[pyfunction]
fn hypot<'py>(
    #[pyo3(from_py_with = real_numbers)] a: PyArrayLikeDyn<'py, f64, AllowTypeChange>,
    #[pyo3(from_py_with = real_numbers)] b: PyArrayLikeDyn<'py, f64, AllowTypeChange>,
) -> PyResult<Bound<'py, PyAny>> {
    aligned(&a)?;
    aligned(&b)?;
    let (x, y) = (a.as_array(), b.as_array());
    let shape = broadcast_shape(x.shape(), y.shape())?;
    // Views with zero strides along the stretched axes: nothing is copied.
    let (x, y) = (x.broadcast(shape.clone()), y.broadcast(shape.clone()));
    let (x, y) = x.zip(y).expect("the shape was checked above");
    let out = try_zeros::<f64>(a.py(), &shape)?;
    Zip::from(out.readwrite().as_array_mut())
        .and(&x)
        .and(&y)
        .for_each(|o, &p, &q| *o = p.hypot(q));
    scalar_if_0d(out.into_any())
}

/// A 0-d result becomes a NumPy scalar, `out[()]`, as a ufunc's does.
fn scalar_if_0d(out: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyAny>> {
    if out.cast::<PyUntypedArray>()?.ndim() == 0 {
        return out.get_item(PyTuple::empty(out.py()));
    }
    Ok(out)
}
// ANCHOR_END: broadcast

// ANCHOR: trait
/// `x * x` with NumPy's meaning for each dtype: integers wrap around, bool is
/// logical and, complex numbers multiply as complex numbers.
trait Square: Element + Copy {
    fn square(self) -> Self;
}

macro_rules! square_by {
    ($how:ident: $($t:ty),*) => {$(
        impl Square for $t {
            fn square(self) -> Self {
                square_by!(@ $how self)
            }
        }
    )*};
    (@ wrapping $x:ident) => { $x.wrapping_mul($x) };
    (@ times $x:ident) => { $x * $x };
}
square_by!(wrapping: i8, i16, i32, i64, u8, u16, u32, u64);
square_by!(times: f32, f64, Complex32, Complex64);

impl Square for bool {
    /// True times True is True; anything times False is False.
    fn square(self) -> Self {
        self
    }
}
// ANCHOR_END: trait

// ANCHOR: dispatch
fn square_typed<'py, T: Square>(a: &Bound<'py, PyArrayDyn<T>>) -> PyResult<Bound<'py, PyAny>> {
    let a = a.try_readonly()?;
    aligned(&a)?;
    let x = a.as_array();
    let out = try_zeros::<T>(a.py(), x.shape())?;
    Zip::from(out.readwrite().as_array_mut())
        .and(&x)
        .for_each(|y, &v| *y = v.square());
    scalar_if_0d(out.into_any())
}

const SUPPORTED: &str = "bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, \
                         float16, float32, float64, complex64, complex128";

/// square(a, /) -> a * a, elementwise, in a's own dtype, for an array or
/// anything `np.asarray` turns into one.
#[pyfunction]
fn square<'py>(a: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = a.py();
    let a = as_array(a)?;
    let dtype = a.dtype();
    macro_rules! try_each {
        ($($t:ty),*) => {$(
            if dtype.is_equiv_to(&numpy::dtype::<$t>(py)) {
                return square_typed(a.cast::<PyArrayDyn<$t>>()?);
            }
        )*};
    }
    try_each!(
        f64, f32, i64, i32, i16, i8, u64, u32, u16, u8, bool, Complex64, Complex32
    );
    if dtype.is_equiv_to(&numpy::PyArrayDescr::new(py, "float16")?) {
        // No f16 type without the `half` crate: square in float32 (exact
        // for a product of two float16) and round once, as NumPy does.
        let wide = a.call_method1("astype", ("float32",))?;
        let squared = square_typed(wide.cast::<PyArrayDyn<f32>>()?)?;
        return squared.call_method1("astype", ("float16",));
    }
    Err(PyTypeError::new_err(format!(
        "square: unsupported dtype {dtype}; supported: {SUPPORTED} (in native byte order)"
    )))
}
// ANCHOR_END: dispatch

// ANCHOR: module
// gil_used = false: arrays only through rust-numpy's borrows; ASARRAY is a PyOnceLock.
#[pymodule(gil_used = false)]
mod arraylikes {
    #[pymodule_export]
    use super::{as_float64, as_float64_strict, hypot, square};
}
// ANCHOR_END: module
// ANCHOR_END: all
