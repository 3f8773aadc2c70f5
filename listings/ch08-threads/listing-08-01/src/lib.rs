// ANCHOR: all
use pyo3::prelude::*;

// gil_used = false: no state of its own, and arrays only through rust-numpy's borrows.
#[pymodule(gil_used = false)]
mod interruptible {
    use numpy::PyReadonlyArray1;
    use numpy::ndarray::{ArrayView1, Axis, s};
    use numpy::prelude::*;
    use pyo3::exceptions::PyValueError;
    use pyo3::prelude::*;
    use rayon::prelude::*;

    // ANCHOR: grain
    /// Elements between two checks for Ctrl-C: about a millisecond of work.
    const CHECK_EVERY: usize = 1 << 20;
    // ANCHOR_END: grain

    fn view<'a>(a: &'a PyReadonlyArray1<'_, f64>) -> PyResult<ArrayView1<'a, f64>> {
        if !a.is_empty() && !a.is_aligned() {
            return Err(PyValueError::new_err(
                "array data is not aligned for float64",
            ));
        }
        Ok(a.as_array())
    }

    /// The sum of a 1-D float64 array, with no check for Ctrl-C: the
    /// benchmark's baseline.
    #[pyfunction]
    fn total_unchecked(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        Ok(view(&a)?.sum())
    }

    // ANCHOR: total
    /// The sum of a 1-D float64 array; Ctrl-C raises KeyboardInterrupt.
    #[pyfunction]
    fn total(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        let py = a.py();
        let mut sum = 0.0;
        for block in view(&a)?.axis_chunks_iter(Axis(0), CHECK_EVERY) {
            py.check_signals()?; // Err(KeyboardInterrupt) after Ctrl-C
            sum += block.sum();
        }
        Ok(sum)
    }
    // ANCHOR_END: total

    // ANCHOR: total_detached
    /// `total` with the thread detached while it adds: other Python threads
    /// run meanwhile.
    #[pyfunction]
    fn total_detached(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
        let py = a.py();
        let mut sum = 0.0;
        // Re-attaching may wait for the GIL (up to 5 ms while another thread
        // runs Python), so detach for 16 blocks at a time.
        for part in view(&a)?.axis_chunks_iter(Axis(0), 16 * CHECK_EVERY) {
            py.check_signals()?; // attached here
            sum += py.detach(|| part.sum());
        }
        Ok(sum)
    }
    // ANCHOR_END: total_detached

    // ANCHOR: total_par
    /// `total` on several cores with rayon: the global pool, or a pool of
    /// its own with `threads` threads.
    #[pyfunction]
    #[pyo3(signature = (a, threads = None))]
    fn total_par(a: PyReadonlyArray1<'_, f64>, threads: Option<usize>) -> PyResult<f64> {
        let py = a.py();
        let x = view(&a)?;
        let pool = match threads {
            None => None,
            Some(n) if !(1..=256).contains(&n) => {
                return Err(PyValueError::new_err(format!(
                    "threads must be between 1 and 256, got {n}"
                )));
            }
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| PyValueError::new_err(e.to_string()))?,
            ),
        };
        let cores = pool
            .as_ref()
            .map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
        // One step: 16 blocks per core, all cores detached; between steps
        // this thread attaches and checks for Ctrl-C.
        let mut sum = 0.0;
        for part in x.axis_chunks_iter(Axis(0), 16 * CHECK_EVERY * cores) {
            py.check_signals()?;
            let add = || {
                (0..part.len().div_ceil(CHECK_EVERY))
                    .into_par_iter()
                    .map(|i| {
                        part.slice(s![i * CHECK_EVERY..((i + 1) * CHECK_EVERY).min(part.len())])
                            .sum()
                    })
                    .sum::<f64>()
            };
            sum += py.detach(|| match &pool {
                Some(pool) => pool.install(add),
                None => add(),
            });
        }
        Ok(sum)
    }
    // ANCHOR_END: total_par
}
// ANCHOR_END: all
