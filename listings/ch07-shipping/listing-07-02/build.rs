// ANCHOR: all
fn main() {
    // The cfgs that pyo3 uses for its own code, set for this crate too:
    // `Py_LIMITED_API` in a stable-ABI build, `Py_GIL_DISABLED`, `Py_3_11`...
    pyo3_build_config::use_pyo3_cfgs();
}
// ANCHOR_END: all
