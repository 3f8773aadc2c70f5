// ANCHOR: all
use pyo3::prelude::*;

// ANCHOR: counter
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting the bytes this extension holds.
struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: all four methods forward their arguments unchanged to `System`,
// which upholds the `GlobalAlloc` contract; the counter only observes sizes.
// `alloc_zeroed` and `realloc` are forwarded too, so that `System`'s `calloc`
// and in-place `realloc` are used instead of the provided defaults.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc`'s contract (non-zero size).
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `alloc_zeroed`'s contract (non-zero size).
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` (through one of the methods here)
        // with this `layout`, as the caller guarantees.
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `realloc`'s contract: `ptr` came from this
        // allocator (so from `System`) with `layout`, and `new_size` is
        // non-zero and fits `layout.align()`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        // On failure the old block is untouched and still counted.
        if !p.is_null() {
            let old_size = layout.size();
            if new_size >= old_size {
                LIVE_BYTES.fetch_add(new_size - old_size, Ordering::Relaxed);
            } else {
                LIVE_BYTES.fetch_sub(old_size - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;
// ANCHOR_END: counter

// ANCHOR: capsule
use std::ffi::CStr;
use std::ptr::NonNull;

const BUFFER_NAME: &CStr = c"ownership.malloc_buffer";
static FREED_BUFFERS: AtomicUsize = AtomicUsize::new(0);

/// The capsule's destructor: Python calls it when the last reference to the
/// capsule (the base of the array and of all its views) goes away.
unsafe extern "C" fn free_buffer(capsule: *mut pyo3::ffi::PyObject) {
    // SAFETY: Python passes the capsule being destroyed; it was created with
    // BUFFER_NAME and a pointer from `libc::malloc`, freed only here.
    unsafe {
        let ptr = pyo3::ffi::PyCapsule_GetPointer(capsule, BUFFER_NAME.as_ptr());
        libc::free(ptr);
    }
    FREED_BUFFERS.fetch_add(1, Ordering::Relaxed);
}
// ANCHOR_END: capsule

// gil_used = false: its counters are atomics, and arrays go through rust-numpy.
#[pymodule(gil_used = false)]
mod ownership {
    use super::{BUFFER_NAME, FREED_BUFFERS, LIVE_BYTES, NonNull, Ordering, free_buffer};
    use numpy::ndarray::{Array2, ArrayView1};
    use numpy::prelude::*;
    use numpy::{PyArray1, PyArray2};
    use pyo3::exceptions::PyMemoryError;
    use pyo3::prelude::*;
    use pyo3::types::PyCapsule;

    /// Bytes allocated through Rust's allocator by this module and not freed.
    #[pyfunction]
    fn live_bytes() -> usize {
        LIVE_BYTES.load(Ordering::Relaxed)
    }

    /// How many malloc'd buffers the capsule destructor has freed.
    #[pyfunction]
    fn freed_buffers() -> usize {
        FREED_BUFFERS.load(Ordering::Relaxed)
    }

    // ANCHOR: from_vec
    /// `[0.0, 1.0, …, n-1]` built in a Rust `Vec` and handed to NumPy without
    /// a copy. Also returns the Vec's data address, to compare.
    #[pyfunction]
    fn vec_to_numpy(py: Python<'_>, n: usize) -> PyResult<(Bound<'_, PyArray1<f64>>, usize)> {
        let mut v: Vec<f64> = Vec::new();
        // A huge `n` must be a MemoryError, not an abort: `Vec::with_capacity`
        // would call `handle_alloc_error`, which ends the process.
        v.try_reserve_exact(n)
            .map_err(|e| PyMemoryError::new_err(format!("cannot allocate {n} float64: {e}")))?;
        v.extend((0..n).map(|i| i as f64));
        let address = v.as_ptr() as usize;
        Ok((PyArray1::from_vec(py, v), address))
    }
    // ANCHOR_END: from_vec

    /// An `ndarray::Array2` handed to NumPy without a copy.
    #[pyfunction]
    fn array_to_numpy(
        py: Python<'_>,
        rows: usize,
        cols: usize,
    ) -> PyResult<Bound<'_, PyArray2<f64>>> {
        // `Array2::from_shape_fn` panics when rows * cols overflows and
        // aborts when the allocation fails: reserve first, fallibly.
        let n = rows.checked_mul(cols).ok_or_else(|| {
            PyMemoryError::new_err(format!("cannot allocate {rows} x {cols} float64"))
        })?;
        let mut v: Vec<f64> = Vec::new();
        v.try_reserve_exact(n).map_err(|e| {
            PyMemoryError::new_err(format!("cannot allocate {rows} x {cols} float64: {e}"))
        })?;
        v.extend((0..n).map(|k| k as f64));
        let a = Array2::from_shape_vec((rows, cols), v)
            .map_err(|e| PyMemoryError::new_err(format!("cannot shape {rows} x {cols}: {e}")))?;
        Ok(a.into_pyarray(py))
    }

    // ANCHOR: malloc
    /// `[0.0, 1.0, …, n-1]` in memory from C's `malloc`, owned by a capsule
    /// that frees it when NumPy no longer needs it.
    #[pyfunction]
    fn malloc_array(py: Python<'_>, n: usize) -> PyResult<Bound<'_, PyArray1<f64>>> {
        // No allocation may exceed isize::MAX bytes (Rust's rule, and beyond
        // any real heap): refuse before asking malloc.
        let bytes = n
            .checked_mul(size_of::<f64>())
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or_else(|| PyMemoryError::new_err(format!("cannot allocate {n} float64")))?;
        // SAFETY: malloc may be called with any size; 1 avoids malloc(0).
        let raw = unsafe { libc::malloc(bytes.max(1)) }.cast::<f64>();
        let Some(ptr) = NonNull::new(raw) else {
            return Err(PyMemoryError::new_err(format!(
                "cannot allocate {n} float64"
            )));
        };
        for i in 0..n {
            // SAFETY: the buffer holds n f64 and malloc aligns for any type.
            unsafe { ptr.add(i).write(i as f64) };
        }
        // SAFETY: `ptr` is a live malloc'd buffer; `free_buffer` frees it and
        // nothing else does. The capsule owns it from here on.
        let capsule = unsafe {
            PyCapsule::new_with_pointer_and_destructor(
                py,
                ptr.cast(),
                BUFFER_NAME,
                Some(free_buffer),
            )
        };
        let capsule = match capsule {
            Ok(c) => c,
            Err(e) => {
                // SAFETY: no capsule took ownership, so the buffer is still ours.
                unsafe { libc::free(ptr.as_ptr().cast()) };
                return Err(e);
            }
        };
        // SAFETY: the buffer holds n initialised f64, aligned, and lives as
        // long as the capsule.
        let view = unsafe { ArrayView1::from_shape_ptr(n, ptr.as_ptr()) };
        // SAFETY: the capsule becomes the array's base and keeps the buffer
        // alive (and unmoved) for as long as the array or any view exists.
        Ok(unsafe { PyArray1::borrow_from_array(&view, capsule.into_any()) })
    }
    // ANCHOR_END: malloc
}
// ANCHOR_END: all
