// ANCHOR: all
use pyo3::prelude::*;

// ANCHOR: struct
use std::mem::{offset_of, size_of};

/// One record of a particle array: NumPy dtype
/// `[('id', '<i4'), ('x', '<f8'), ('y', '<f8'), ('mass', '<f4')]` with `align=True`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Particle {
    pub id: i32,
    pub x: f64,
    pub y: f64,
    pub mass: f32,
}

// The layout the C compiler (and so NumPy's align=True) gives this struct:
// 4 bytes of padding after `id`, 4 after `mass`. Checked at compile time.
const _: () = assert!(
    offset_of!(Particle, id) == 0
        && offset_of!(Particle, x) == 8
        && offset_of!(Particle, y) == 16
        && offset_of!(Particle, mass) == 24
        && size_of::<Particle>() == 32
);
// ANCHOR_END: struct

// ANCHOR: element
use numpy::{Element, PyArrayDescr};
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// The NumPy dtype for `Particle`, built from the struct's real offsets.
fn particle_dtype(py: Python<'_>) -> PyResult<Bound<'_, PyArrayDescr>> {
    static DTYPE: PyOnceLock<Py<PyArrayDescr>> = PyOnceLock::new();
    DTYPE
        .get_or_try_init(py, || {
            let spec = PyDict::new(py);
            spec.set_item("names", ["id", "x", "y", "mass"])?;
            spec.set_item("formats", ["<i4", "<f8", "<f8", "<f4"])?;
            spec.set_item(
                "offsets",
                [
                    offset_of!(Particle, id),
                    offset_of!(Particle, x),
                    offset_of!(Particle, y),
                    offset_of!(Particle, mass),
                ],
            )?;
            spec.set_item("itemsize", size_of::<Particle>())?;
            spec.set_item("aligned", true)?;
            Ok(PyArrayDescr::new(py, &spec)?.unbind())
        })
        .map(|d| d.bind(py).clone())
}

// SAFETY: `Particle` is `repr(C)` and `Copy`, holds no Python objects
// (IS_COPY = true), and `get_dtype` describes exactly its memory: the same
// field types at the offsets and item size the compiler chose, read with
// `offset_of!` and `size_of`. rust-numpy only hands out `Particle` views of
// arrays whose dtype is equivalent to this one.
unsafe impl Element for Particle {
    const IS_COPY: bool = true;

    fn get_dtype(py: Python<'_>) -> Bound<'_, PyArrayDescr> {
        // Building a dtype from a dict of builtin types only fails if NumPy
        // itself is broken; get_dtype cannot return an error.
        particle_dtype(py).expect("NumPy rejected the Particle dtype")
    }

    fn clone_ref(&self, _py: Python<'_>) -> Self {
        *self
    }
}
// ANCHOR_END: element

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod records {
    use super::Particle;
    use numpy::prelude::*;
    use numpy::{PyArrayDescr, PyReadonlyArray1};
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;

    /// The dtype to build particle arrays with.
    #[pyfunction]
    fn dtype(py: Python<'_>) -> PyResult<Bound<'_, PyArrayDescr>> {
        super::particle_dtype(py)
    }

    /// (offset of each field, item size) as the Rust compiler laid them out.
    #[pyfunction]
    fn rust_layout() -> (Vec<(&'static str, usize)>, usize) {
        use std::mem::{offset_of, size_of};
        (
            vec![
                ("id", offset_of!(Particle, id)),
                ("x", offset_of!(Particle, x)),
                ("y", offset_of!(Particle, y)),
                ("mass", offset_of!(Particle, mass)),
            ],
            size_of::<Particle>(),
        )
    }

    // ANCHOR: center
    /// The centre of mass (x, y) of a 1-D array of particles.
    #[pyfunction]
    fn center_of_mass(p: PyReadonlyArray1<'_, Particle>) -> PyResult<(f64, f64)> {
        if p.is_empty() {
            return Err(PyValueError::new_err("no particles"));
        }
        // A record at an odd address is undefined behaviour to read through
        // `&Particle`: check before touching the data.
        if !p.is_aligned() {
            return Err(PyValueError::new_err(
                "particle data is not aligned (8 bytes); copy it with np.require(a, requirements='A')",
            ));
        }
        let (mut m, mut mx, mut my) = (0.0, 0.0, 0.0);
        for (i, q) in p.as_array().iter().enumerate() {
            if i % (1 << 20) == 0 {
                p.py().check_signals()?; // Ctrl-C (chapter 8)
            }
            let w = f64::from(q.mass);
            m += w;
            mx += w * q.x;
            my += w * q.y;
        }
        if m == 0.0 {
            return Err(PyValueError::new_err("total mass is zero"));
        }
        Ok((mx / m, my / m))
    }
    // ANCHOR_END: center
}
// ANCHOR_END: all
