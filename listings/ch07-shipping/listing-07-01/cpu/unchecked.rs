// ANCHOR: all
//! Compiled for a CPU with AVX-512F, run without asking whether this one has it.
use std::arch::x86_64::{_mm512_add_pd, _mm512_loadu_pd, _mm512_storeu_pd};
use std::hint::black_box;

#[target_feature(enable = "avx512f")]
fn add8(a: &[f64; 8], b: &[f64; 8]) -> [f64; 8] {
    let mut out = [0.0; 8];
    // SAFETY: the pointers cover 8 f64 each; the loads and stores are unaligned ones.
    unsafe {
        let s = _mm512_add_pd(_mm512_loadu_pd(a.as_ptr()), _mm512_loadu_pd(b.as_ptr()));
        _mm512_storeu_pd(out.as_mut_ptr(), s);
    }
    out
}

fn main() {
    let (a, b) = (black_box([1.0; 8]), black_box([2.0; 8]));
    // SAFETY: none. This is the bug: nothing checked that the CPU has AVX-512F.
    let sum: f64 = unsafe { add8(&a, &b) }.iter().sum();
    println!("{sum}");
}
// ANCHOR_END: all
